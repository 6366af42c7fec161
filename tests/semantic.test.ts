/**
 * Optional semantic retrieval (src/kb/semantic.ts): off by default; when configured, the
 * real OpenAI embeddings client talks to a local OpenAI-compatible endpoint
 * (tests/support/fake-embeddings.ts), entries are embedded once and kept in the real
 * SQLite store by content hash, and an endpoint that fails or is slow leaves the offline
 * answer exactly as it was.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerPipeline } from '../src/flows/answer.js';
import { decideFaq } from '../src/flows/faq.js';
import type { KnowledgeEntry } from '../src/kb/entry.js';
import { KnowledgeBase } from '../src/kb/knowledge-base.js';
import type { SearchHit } from '../src/kb/retriever.js';
import { SemanticReader, embeddingKey, entryText, memoryEmbeddingCache, predictFromSimilarities } from '../src/kb/semantic.js';
import { centreInfo, loadConfig } from '../src/server/config.js';
import { createConfiguredSemantic } from '../src/server/answer-wiring.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/types.js';
import { startAssistant } from './support/assistant.js';
import { fakeEmbedding, startFakeEmbeddings } from './support/fake-embeddings.js';
import { askWebChat } from './support/web-ask.js';

const config = (env: Record<string, string> = {}) => loadConfig({ TELEGRAM_BOT_TOKEN: '', ...env });
const kb = KnowledgeBase.fromDirectory('knowledge', { now: new Date('2026-12-01T00:00:00Z') });
const thresholds = { answer: 0.5, clarify: 0.42 };

describe('semantic retrieval: the pure parts', () => {
  it('turns the best similarity per topic into a topic reading, sharper at a lower temperature', () => {
    const best = new Map([
      ['tro-cap-nguoi-cao-tuoi', 0.62],
      ['bao-hiem-y-te', 0.55],
    ]);
    const p = predictFromSimilarities(best, 0.05);
    expect(p.topic).toBe('tro-cap-nguoi-cao-tuoi');
    expect(p.probability).toBeCloseTo(1 / (1 + Math.exp(-0.07 / 0.05)), 9);
    expect(predictFromSimilarities(best, 0.01).probability).toBeGreaterThan(p.probability);
    expect(predictFromSimilarities(new Map(), 0.05)).toMatchObject({ topic: null, probability: 0 });
  });

  it('keys a vector by model and text: another model or a changed entry is another key', () => {
    const entry = kb.entries[0]!;
    expect(embeddingKey('m', entryText(entry))).toMatch(/^[0-9a-f]{64}$/);
    expect(embeddingKey('m', entryText(entry))).toBe(embeddingKey('m', entryText({ ...entry })));
    expect(embeddingKey('other', entryText(entry))).not.toBe(embeddingKey('m', entryText(entry)));
    expect(embeddingKey('m', entryText({ ...entry, body: `${entry.body} thêm` }))).not.toBe(embeddingKey('m', entryText(entry)));
  });

  it("counts like the classifier: agreeing raises BM25's confidence into an answer, another office's reading lowers it, another topic changes nothing", () => {
    const e = (id: string, topic: KnowledgeEntry['topic']): KnowledgeEntry => ({ id, topic, questions: [`${id}?`], source: 's', effective: '2024', reviewed: '2026-11-22', body: 'b', file: `${id}.md` });
    const hits: SearchHit[] = [{ entry: e('a', 'bao-hiem-y-te'), score: 9, domainScore: 9, domainMatch: 3, coverage: 0.7 }];
    const reading = (topic: string, probability: number) => ({ topic, probability, probabilities: new Map([[topic, probability]]) });
    const offline = decideFaq(hits, thresholds);
    expect(offline.kind).toBe('clarify');
    const agreeing = decideFaq(hits, thresholds, undefined, reading('bao-hiem-y-te', 0.8));
    expect(agreeing.kind).toBe('answer');
    expect(agreeing.confidence).toBeCloseTo(1 - (1 - offline.confidence) * 0.2, 9);
    expect(decideFaq(hits, thresholds, undefined, reading('co-quan-khac', 0.9)).kind).toBe('decline');
    expect(decideFaq(hits, thresholds, undefined, reading('ho-ngheo-can-ngheo', 0.99)).confidence).toBe(offline.confidence);
  });
});

describe('semantic retrieval over a local OpenAI-compatible endpoint', () => {
  let fake: Awaited<ReturnType<typeof startFakeEmbeddings>>;
  let store: Store;
  let dataDir: string;
  const warnings: string[] = [];
  const warn = (m: string) => void warnings.push(m);
  beforeAll(async () => {
    fake = await startFakeEmbeddings();
    dataDir = mkdtempSync(join(tmpdir(), 'ctxh-semantic-'));
    store = openSqliteStore(dataDir);
  });
  afterAll(async () => {
    await store?.close();
    await fake?.close();
  });

  it('is off by default, and off with a warning when a model is named but no endpoint is', async () => {
    expect(await createConfiguredSemantic(config(), kb, store.embeddings, warn)).toBeUndefined();
    expect(await createConfiguredSemantic(config({ EMBEDDINGS_MODEL: 'fake-embed' }), kb, store.embeddings, warn)).toBeUndefined();
    expect(warnings.at(-1)).toMatch(/EMBEDDINGS_MODEL is set but no endpoint/);
    expect(fake.sent()).toEqual([]);
  });

  it('embeds each entry once, keeps the vectors in the store, and after a restart sends nothing again', async () => {
    const env = { EMBEDDINGS_MODEL: 'fake-embed', OPENAI_BASE_URL: fake.baseUrl };
    const first = await createConfiguredSemantic(config(env), kb, store.embeddings, warn);
    expect(first?.size).toBe(kb.entries.length);
    expect(new Set(fake.sent()).size).toBe(new Set(kb.entries.map(entryText)).size);
    expect(fake.sent().length).toBe(new Set(kb.entries.map(entryText)).size);
    // The vectors came through the real client (base64 floats) into the real SQLite file.
    const keys = kb.entries.map((e) => embeddingKey('fake-embed', entryText(e)));
    const stored = await store.embeddings.getMany(keys);
    expect(stored.size).toBe(new Set(keys).size);
    expect(stored.get(keys[0]!)).toEqual(Array.from(Float32Array.from(fakeEmbedding(entryText(kb.entries[0]!)))));
    await store.close();

    // A restart on the same file: every vector is found, none is asked for.
    store = openSqliteStore(dataDir);
    const before = fake.sent().length;
    const again = await createConfiguredSemantic(config(env), kb, store.embeddings, warn);
    expect(again?.size).toBe(kb.entries.length);
    expect(fake.sent().length).toBe(before);

    // Staff change one entry: that entry alone is sent.
    const [changed, ...rest] = kb.entries;
    const edited = new KnowledgeBase([{ ...changed!, body: `${changed!.body}\n\nCập nhật.` }, ...rest], [], kb.policyValues);
    expect(await again!.index(edited.entries)).toBe(true);
    // (LangChain's OpenAI client sends line breaks as spaces.)
    expect(fake.sent().slice(before)).toEqual([entryText(edited.entries[0]!).replace(/\n/g, ' ')]);
  });

  it('reads a question as the topic it is closest to, and the pipeline passes that reading to the decision', async () => {
    const semantic = new SemanticReader({ model: 'fake-embed', embeddings: { embedDocuments: async (t) => t.map(fakeEmbedding), embedQuery: async (t) => fakeEmbedding(t) }, cache: store.embeddings });
    expect(await semantic.index(kb.entries)).toBe(true);
    const question = 'người cao tuổi 80 tuổi không có lương hưu được trợ cấp bao nhiêu';
    const reading = await semantic.predict(question);
    expect(reading?.topic).toBe('tro-cap-nguoi-cao-tuoi');
    const centre = centreInfo(config());
    const offline = await new AnswerPipeline({ kb, centre, thresholds }).answer(question);
    const hybrid = await new AnswerPipeline({ kb, centre, thresholds, semantic }).answer(question);
    expect(hybrid.topic).toBe(offline.topic);
    expect(hybrid.confidence).toBeGreaterThanOrEqual(offline.confidence);
  });

  it('is wired into the assistant: its store keeps the vectors, and a web chat question is read by the endpoint too', async () => {
    const before = fake.sent().length;
    const running = await startAssistant({ EMBEDDINGS_MODEL: 'fake-embed-app', OPENAI_BASE_URL: fake.baseUrl, TELEGRAM_BOT_TOKEN: '' });
    try {
      const entriesSent = fake.sent().length - before;
      expect(entriesSent).toBeGreaterThan(100);
      const keys = running.assistant.pipeline.kb.entries.map((e) => embeddingKey('fake-embed-app', entryText(e)));
      expect((await running.assistant.store.embeddings.getMany(keys)).size).toBe(new Set(keys).size);
      expect(await askWebChat(running.url, 'tro cap nguoi khuyet tat nang bao nhieu')).toMatch(/Nguồn: /);
      expect(fake.sent().slice(before + entriesSent)).toContain('tro cap nguoi khuyet tat nang bao nhieu');
    } finally {
      await running.close();
    }
  });

  it('answers exactly as offline when the endpoint fails or is slow, and says so in the log', async () => {
    const errors: unknown[] = [];
    const env = { EMBEDDINGS_MODEL: 'fake-embed', OPENAI_BASE_URL: fake.baseUrl };
    const semantic = await createConfiguredSemantic(config(env), kb, memoryEmbeddingCache(), (m) => void errors.push(m));
    const centre = centreInfo(config());
    const questions = ['tro cap nguoi khuyet tat nang bao nhieu', 'lam giay xac nhan khuyet tat o dau', 'xin hỏi giá lúa hôm nay bao nhiêu'];
    const offline = new AnswerPipeline({ kb, centre, thresholds });
    const hybrid = new AnswerPipeline({ kb, centre, thresholds, semantic });
    fake.fail(true);
    for (const q of questions) expect(await hybrid.answer(q)).toEqual(await offline.answer(q));
    // Each question the pipeline searched for (a phrasing typed word for word is answered before any search).
    const searched = questions.filter((q) => !kb.byExactQuestion(q));
    expect(searched.length).toBeGreaterThanOrEqual(2);
    expect(errors.length).toBe(searched.length);
    expect(String(errors[0])).toMatch(/semantic retrieval failed, answering without it/);
    fake.fail(false);

    const slow = new SemanticReader({
      model: 'fake-embed',
      embeddings: { embedDocuments: async (t) => t.map(fakeEmbedding), embedQuery: () => new Promise<number[]>(() => undefined) },
      cache: memoryEmbeddingCache(),
      queryTimeoutMs: 50,
      onError: (err) => void errors.push(err),
    });
    await slow.index(kb.entries);
    const waited = new AnswerPipeline({ kb, centre, thresholds, semantic: slow });
    expect(await waited.answer(questions[0]!)).toEqual(await offline.answer(questions[0]!));
    expect(String(errors.at(-1))).toMatch(/no answer within 50 ms/);
  });

  it('refuses a vector of the wrong shape from the endpoint and keeps reading from the entries it had', async () => {
    const errors: unknown[] = [];
    let broken = false;
    const semantic = new SemanticReader({
      model: 'shape-test',
      embeddings: { embedDocuments: async (t) => (broken ? t.slice(1).map(fakeEmbedding) : t.map(fakeEmbedding)), embedQuery: async (t) => fakeEmbedding(t) },
      cache: memoryEmbeddingCache(),
      onError: (err) => void errors.push(err),
    });
    expect(await semantic.index(kb.entries.slice(0, 5))).toBe(true);
    broken = true;
    expect(await semantic.index(kb.entries)).toBe(false);
    expect(String(errors[0])).toMatch(/asked for \d+ vectors, got \d+/);
    expect(semantic.size).toBe(5);
  });
});
