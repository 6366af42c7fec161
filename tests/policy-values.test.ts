import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { describe, expect, it, vi } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { AnswerPipeline } from '../src/flows/answer.js';
import type { Effect } from '../src/flows/chain.js';
import { answerReply } from '../src/flows/replies.js';
import { KnowledgeBase } from '../src/kb/knowledge-base.js';
import { LlmPhraser, type Phraser } from '../src/kb/llm-phrasing.js';
import {
  POLICY_FALLBACK,
  POLICY_VALUES_FILE,
  checkPolicyPlaceholders,
  parsePolicyValues,
  policyReferencesIn,
  renderPolicyPlaceholders,
  valueAt,
  vietnamDay,
} from '../src/kb/policy-values.js';
import { loadConfig } from '../src/server/config.js';
import { buildTurnWiring } from '../src/server/turn-wiring.js';
import type { Conversation } from '../src/store/types.js';

const KNOWLEDGE_DIR = join(import.meta.dirname, '..', 'knowledge');
const FACTS = readFileSync(join(import.meta.dirname, 'fixtures', 'policy-facts.md'), 'utf8').replace(/\s/g, '');
const centre = { name: 'Trung tâm CTXH tỉnh Thử Nghiệm', hotline: '0000 111 222' };
const defaults = loadConfig({});
const thresholds = { answer: defaults.FAQ_ANSWER_THRESHOLD, clarify: defaults.FAQ_CLARIFY_THRESHOLD };

/** Last second of 2026 and first second of 2027, Vietnam time (UTC+7). */
const LAST_2026 = new Date('2026-12-31T23:59:59+07:00');
const FIRST_2027 = new Date('2027-01-01T00:00:00+07:00');

const SAMPLE = `
- key: muc-chuan
  label: Mức chuẩn trợ giúp xã hội
  unit: đồng/tháng
  values:
    - { value: "500.000 đồng", from: 2024-07-01, source: "Nghị định 76/2024/NĐ-CP" }
    - { value: "360.000 đồng", from: 2021-07-01, source: "Nghị định 20/2021/NĐ-CP" }
  reviewed: 2026-11-22
- key: ghi-chu
  label: Ghi chú tạm thời
  values:
    - { value: "(còn áp dụng năm 2026)", from: 2026-01-01, source: "Nghị định 351/2025/NĐ-CP" }
    - { value: "", from: 2027-01-01, source: "Nghị định 351/2025/NĐ-CP" }
  reviewed: 2026-11-22
`;

describe('policy values: the pure functions', () => {
  const { values, problems } = parsePolicyValues(SAMPLE);

  it('takes the calendar day in Vietnam time', () => {
    expect(vietnamDay(new Date('2026-12-31T16:59:59.999Z'))).toBe('2026-12-31');
    expect(vietnamDay(new Date('2026-12-31T17:00:00Z'))).toBe('2027-01-01');
    expect(vietnamDay(new Date('not a date'))).toBeUndefined();
  });

  it('chooses the value with the latest start on or before the day, whatever the order in the file', () => {
    expect(problems).toEqual([]);
    expect(values.get('muc-chuan')!.values.map((v) => v.from)).toEqual(['2021-07-01', '2024-07-01']);
    expect(valueAt(values, 'muc-chuan', new Date('2021-06-30T23:59:59+07:00'))).toBeUndefined();
    expect(valueAt(values, 'muc-chuan', new Date('2021-07-01T00:00:00+07:00'))?.value).toBe('360.000 đồng');
    expect(valueAt(values, 'muc-chuan', new Date('2024-06-30T16:59:59Z'))?.value).toBe('360.000 đồng');
    // 17:00 UTC on 30/6 is already 01/7 in Vietnam.
    expect(valueAt(values, 'muc-chuan', new Date('2024-06-30T17:00:00Z'))?.value).toBe('500.000 đồng');
    expect(valueAt(values, 'khong-co', new Date())).toBeUndefined();
  });

  it('fills the value, its start date and the value before it', () => {
    const text = 'Mức chuẩn là {{policy.muc-chuan}}, từ {{ policy.muc-chuan.from }} (trước đó {{policy.muc-chuan.previous}}).';
    expect(renderPolicyPlaceholders(text, values, new Date('2025-01-01T12:00:00+07:00'))).toBe(
      'Mức chuẩn là 500.000 đồng, từ 01/7/2024 (trước đó 360.000 đồng).',
    );
  });

  it('shows a plain safe phrase, never the placeholder, for what it does not know', () => {
    const at = new Date('2025-01-01T12:00:00+07:00');
    for (const text of ['{{policy.khong-co}}', '{{policy.muc-chuan.sai}}', '{{policy.ghi-chu}}', '{{policy.muc-chuan.previous}}']) {
      const early = text.includes('previous') ? new Date('2022-01-01T12:00:00+07:00') : at;
      const out = renderPolicyPlaceholders(`Mức: ${text}.`, values, early);
      expect(out, text).toBe(`Mức: ${POLICY_FALLBACK}.`);
      expect(out).not.toMatch(/\{\{|\}\}/);
    }
  });

  it('leaves no stray space where a value became empty', () => {
    const text = 'Chuẩn cũ {{policy.ghi-chu}}. Mức {{policy.muc-chuan}} {{policy.ghi-chu}}, hết.';
    expect(renderPolicyPlaceholders(text, values, LAST_2026)).toBe('Chuẩn cũ (còn áp dụng năm 2026). Mức 500.000 đồng (còn áp dụng năm 2026), hết.');
    expect(renderPolicyPlaceholders(text, values, FIRST_2027)).toBe('Chuẩn cũ. Mức 500.000 đồng, hết.');
  });

  it('reports an unknown key, a wrong part and a value not in force yet, by entry', () => {
    const entries = [
      { file: 'a/ok.md', body: '{{policy.muc-chuan}} {{policy.muc-chuan.from}} {{policy.muc-chuan.previous}}' },
      { file: 'a/unknown.md', body: 'Mức {{policy.muc-chuan-moi}} và {{policy.muc-chuan-moi}}.' },
      { file: 'a/part.md', body: '{{policy.muc-chuan.value}}' },
      { file: 'a/early.md', body: '{{policy.ghi-chu}}' },
    ];
    const found = checkPolicyPlaceholders(entries, values, new Date('2025-06-01T12:00:00+07:00'));
    expect(found.map((p) => [p.file, p.field])).toEqual([
      ['a/unknown.md', 'body'],
      ['a/part.md', 'body'],
      ['a/early.md', 'body'],
    ]);
    expect(found[0]!.message).toMatch(/\{\{policy\.muc-chuan-moi\}\}.*không có giá trị "muc-chuan-moi"/);
    expect(found[2]!.message).toMatch(/chưa có giá trị nào áp dụng vào ngày 2025-06-01/);
    expect(policyReferencesIn(entries[0]!.body)).toEqual(['muc-chuan', 'muc-chuan.from', 'muc-chuan.previous']);
  });

  it('reports a bad file instead of failing, and keeps the good values', () => {
    expect(parsePolicyValues('- key: [unclosed')).toMatchObject({ values: new Map(), problems: [{ file: POLICY_VALUES_FILE, field: '(tệp)' }] });
    expect(parsePolicyValues('key: muc-chuan').problems[0]!.message).toMatch(/danh sách/);
    expect(parsePolicyValues('').problems).toEqual([]);
    const bad = `${SAMPLE}
- key: ngay-sai
  label: Ngày viết sai
  values:
    - { value: "1.000 đồng", from: 1/1/2027, source: "Nghị định 1/2027/NĐ-CP" }
    - { value: "2.000 đồng", from: 2027-02-30, source: "Nghị định 1/2027/NĐ-CP" }
  reviewed: 2026-11-22
- key: so-tran
  label: Số không đặt trong ngoặc kép
  values:
    - { value: 500000, from: 2024-07-01, source: "x" }
  reviewed: 2026-11-22
- key: trung-ngay
  label: Hai giá trị cùng ngày
  values:
    - { value: "a", from: 2024-07-01, source: "Nghị định 76/2024/NĐ-CP" }
    - { value: "b", from: 2024-07-01, source: "Nghị định 76/2024/NĐ-CP" }
  reviewed: 2026-11-22
- key: muc-chuan
  label: Trùng key
  values:
    - { value: "1 đồng", from: 2020-01-01, source: "Nghị định 1/2020/NĐ-CP" }
  reviewed: 2026-11-22
- label: Không có key
  values: []
`;
    const { values: loaded, problems: found } = parsePolicyValues(bad);
    expect([...loaded.keys()]).toEqual(['muc-chuan', 'ghi-chu']);
    expect(loaded.get('muc-chuan')!.values).toHaveLength(2);
    expect(found.map((p) => p.field)).toEqual([
      'ngay-sai.values.0.from',
      'ngay-sai.values.1.from',
      'so-tran.values.0.value',
      'so-tran.values.0.source',
      'trung-ngay.values.1.from',
      'muc-chuan.key',
      '[7].key',
      '[7].values',
      '[7].reviewed',
    ]);
    expect(found[1]!.message).toBe('ngày không có thật');
  });

  it('loads a knowledge folder with a broken values file: entries answer with the safe phrase', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctxh-policy-'));
    mkdirSync(join(dir, 'muc-chuan-tro-giup'));
    const entry = ['---', 'id: muc', 'topic: muc-chuan-tro-giup', 'questions:', '  - Mức chuẩn bao nhiêu?', 'source: Nghị định 76/2024/NĐ-CP', 'effective: 2024-07-01', 'reviewed: 2026-11-22', '---', 'Mức chuẩn hiện là {{policy.muc-chuan}}/tháng.'];
    writeFileSync(join(dir, 'muc-chuan-tro-giup', 'muc.md'), entry.join('\n'));
    // Files starting with "_" are never entries.
    writeFileSync(join(dir, 'muc-chuan-tro-giup', '_nhap.md'), entry.join('\n').replace('id: muc', 'id: _nhap'));
    writeFileSync(join(dir, POLICY_VALUES_FILE), '- key: muc-chuan\n  values: [unclosed\n');
    const kb = KnowledgeBase.fromDirectory(dir);
    expect(kb.entries.map((e) => e.id)).toEqual(['muc']);
    expect(kb.problems.map((p) => [p.file, p.field])).toEqual([
      [POLICY_VALUES_FILE, '(tệp)'],
      [join('muc-chuan-tro-giup', 'muc.md'), 'body'],
    ]);
    const r = await new AnswerPipeline({ kb, centre, thresholds: { answer: 0, clarify: 0 } }).answer('Mức chuẩn bao nhiêu?');
    expect(r.reply.text).toContain(`Mức chuẩn hiện là ${POLICY_FALLBACK}/tháng.`);
    expect(r.reply.text).not.toMatch(/\{\{|\}\}/);
  });
});

describe('the shipped policy values', () => {
  const kb = KnowledgeBase.fromDirectory(KNOWLEDGE_DIR, { now: LAST_2026 });
  const ask = (at: Date) => new AnswerPipeline({ kb, centre, thresholds, now: () => at });

  it('load, and every entry placeholder has a value on both sides of 1/1/2027', () => {
    expect(kb.problems).toEqual([]);
    expect(KnowledgeBase.fromDirectory(KNOWLEDGE_DIR, { now: FIRST_2027 }).problems).toEqual([]);
    for (const key of ['muc-chuan-tro-giup-xa-hoi', 'chuan-ngheo-nong-thon', 'chuan-ngheo-thanh-thi']) expect(kb.policyValues.has(key), key).toBe(true);
    expect(valueAt(kb.policyValues, 'muc-chuan-tro-giup-xa-hoi', new Date('2024-06-30T12:00:00+07:00'))?.value).toBe('360.000 đồng');
    expect(valueAt(kb.policyValues, 'muc-chuan-tro-giup-xa-hoi', new Date('2024-07-01T00:00:00+07:00'))?.value).toBe('500.000 đồng');
  });

  it('state only amounts found in the policy fact sheet', () => {
    for (const v of kb.policyValues.values()) {
      for (const d of v.values) {
        for (const m of d.value.matchAll(/\d{1,3}(?:\.\d{3})+/g)) expect(FACTS.includes(m[0]), `${v.key} ${d.from}: ${m[0]}`).toBe(true);
      }
    }
  });

  it('answer the 2026 poverty line on 31/12/2026 and the 2027 one on 1/1/2027, Vietnam time, with no restart', async () => {
    let clock = LAST_2026;
    const pipeline = new AnswerPipeline({ kb, centre, thresholds, now: () => clock });
    const before = await pipeline.answer('chuan ngheo nong thon hien nay bao nhieu');
    expect(before.kind).toBe('answer');
    expect(before.entryId).toBe('ngheo-chuan-thu-nhap-hien-nay');
    expect(before.reply.text).toMatch(/nông thôn: 1\.500\.000 đồng/);
    expect(before.reply.text).toMatch(/thành thị: 2\.000\.000 đồng/);
    expect(before.reply.text).not.toMatch(/2\.200\.000|2\.800\.000/);
    // One second later in Vietnam (17:00 UTC): the same pipeline, nothing edited or reloaded.
    clock = new Date('2026-12-31T17:00:00Z');
    const after = await pipeline.answer('chuan ngheo nong thon hien nay bao nhieu');
    expect(after.entryId).toBe('ngheo-chuan-thu-nhap-hien-nay');
    expect(after.reply.text).toMatch(/nông thôn: 2\.200\.000 đồng/);
    expect(after.reply.text).toMatch(/đô thị: 2\.800\.000 đồng/);
    expect(after.reply.text).not.toMatch(/1\.500\.000|2\.000\.000|năm 2026/);
  });

  it('reach the citizen through the whole turn with the assistant clock', async () => {
    for (const [at, amounts] of [[LAST_2026, ['1.500.000', '2.000.000']], [FIRST_2027, ['2.200.000', '2.800.000']]] as const) {
      const { decide } = await buildTurnWiring({ ...defaults, KNOWLEDGE_DIR }, centre, () => {}, () => at);
      const conversation: Conversation = {
        id: 'c', channel: 'webchat', userId: 'u', chatId: 'c', reference: {}, status: 'bot',
        createdAt: at, updatedAt: at, lastInboundAt: at, risk: null, undeliverable: null,
      };
      const effects = await decide({ text: 'chuan ngheo nong thon hien nay bao nhieu', conversation, messageId: null, position: 0, earlier: async () => [], memory: {}, now: at });
      const reply = effects.filter((e): e is Extract<Effect, { type: 'reply' }> => e.type === 'reply').map((e) => e.reply.text).join('\n');
      for (const amount of amounts) expect(reply, `${at.toISOString()}`).toContain(amount);
    }
  });

  it('never show a placeholder, a figure missing from the fact sheet or an over-long answer, at either date', async () => {
    for (const at of [LAST_2026, FIRST_2027]) {
      const pipeline = ask(at);
      for (const entry of kb.entries) {
        const text = answerReply(entry, centre, undefined, { values: kb.policyValues, at }).text;
        expect(text, `${entry.id} ${at.toISOString()}`).not.toMatch(/\{\{|\}\}/);
        expect(text, entry.id).not.toContain(POLICY_FALLBACK);
        for (const m of text.matchAll(/\d{1,3}(?:\.\d{3})+(?=\s*(đồng|đ\b))/g)) expect(FACTS.includes(m[0]), `${entry.id}: ${m[0]}`).toBe(true);
        const body = text.split('\n\nNguồn: ')[0]!;
        expect(body.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length, entry.id).toBeLessThanOrEqual(135);
        const asked = await pipeline.answer(entry.questions[0]!);
        expect(asked.reply.text, entry.id).not.toMatch(/\{\{|\}\}/);
      }
    }
  });

  it('give the optional LLM the filled values, never the placeholders', async () => {
    const seen: string[] = [];
    const recording: Phraser = {
      phrase: async (_q, entries) => {
        seen.push(...entries.map((e) => e.body));
        return null;
      },
    };
    await new AnswerPipeline({ kb, centre, thresholds, phraser: recording, now: () => FIRST_2027 }).answer('chuan ngheo nong thon hien nay bao nhieu');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.join('\n')).not.toMatch(/\{\{\s*policy/);
    expect(seen[0]).toContain('2.800.000 đồng');

    const model = new FakeListChatModel({ responses: ['Từ 01/01/2027, chuẩn nghèo ở đô thị là 2.800.000 đồng mỗi người mỗi tháng [1].'] });
    const invoke = vi.spyOn(model, 'invoke');
    const phrased = await new AnswerPipeline({ kb, centre, thresholds, phraser: new LlmPhraser(model), now: () => FIRST_2027 }).answer(
      'chuan ngheo nong thon hien nay bao nhieu',
    );
    expect(JSON.stringify(invoke.mock.calls)).not.toMatch(/\{\{\s*policy/);
    expect(phrased.reply.text).toContain('chuẩn nghèo ở đô thị là 2.800.000 đồng');
  });
});

describe('a changed value', () => {
  it('changes every entry that uses it from its date, and no other', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctxh-policy-copy-'));
    cpSync(KNOWLEDGE_DIR, dir, { recursive: true });
    const file = join(dir, POLICY_VALUES_FILE);
    const list = parseYaml(readFileSync(file, 'utf8')) as Array<{ key: string; values: unknown[] }>;
    list.find((v) => v.key === 'muc-chuan-tro-giup-xa-hoi')!.values.push({ value: '600.000 đồng', from: '2030-01-01', source: 'Văn bản thử nghiệm' });
    writeFileSync(file, stringifyYaml(list));

    const changed = KnowledgeBase.fromDirectory(dir);
    const shipped = KnowledgeBase.fromDirectory(KNOWLEDGE_DIR);
    expect(changed.problems).toEqual([]);
    const users = changed.entries.filter((e) => policyReferencesIn(e.body).some((r) => r.split('.')[0] === 'muc-chuan-tro-giup-xa-hoi'));
    expect(users.length).toBeGreaterThanOrEqual(5);

    const eve = new Date('2029-12-31T23:59:59+07:00');
    const day = new Date('2030-01-01T00:00:00+07:00');
    const reply = (kb: KnowledgeBase, id: string, at: Date) => answerReply(kb.get(id)!, centre, undefined, { values: kb.policyValues, at }).text;
    for (const e of users) {
      expect(reply(changed, e.id, eve), e.id).not.toContain('600.000');
      expect(reply(changed, e.id, eve), e.id).toBe(reply(shipped, e.id, eve));
      expect(reply(changed, e.id, day), e.id).toContain('600.000 đồng');
    }
    for (const e of changed.entries.filter((x) => !users.includes(x))) expect(reply(changed, e.id, day), e.id).toBe(reply(shipped, e.id, day));
    expect(reply(changed, 'muc-chuan-hien-nay-bao-nhieu', day)).toContain('600.000 đồng/tháng, áp dụng từ ngày 01/1/2030 (trước đó là 500.000 đồng)');

    const r = await new AnswerPipeline({ kb: changed, centre, thresholds, now: () => day }).answer('muc chuan tro giup xa hoi hien nay bao nhieu');
    expect(r.entryId).toBe('muc-chuan-hien-nay-bao-nhieu');
    expect(r.reply.text).toContain('600.000 đồng/tháng');
  });
});
