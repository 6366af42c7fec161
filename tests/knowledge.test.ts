import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../src/kb/loader.js';
import { normalizeSyllables } from '../src/kb/normalize.js';
import { checkPolicyPlaceholders, loadPolicyValues } from '../src/kb/policy-values.js';
import { Retriever } from '../src/kb/retriever.js';
import { REFERRAL_TOPIC, TOPIC_IDS } from '../src/kb/topics.js';

const KNOWLEDGE_DIR = join(import.meta.dirname, '..', 'knowledge');
// A snapshot of shared/policy-facts.md: every amount an entry states must stand there.
const FACTS = readFileSync(join(import.meta.dirname, 'fixtures', 'policy-facts.md'), 'utf8');
// Reviewed dates may not lie in the future (the real clock: the knowledge is reviewed over time).
const TODAY = new Date().toISOString().slice(0, 10);

describe('knowledge loader', () => {
  it('reports a bad file by file and field and still loads the others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctxh-kb-'));
    mkdirSync(join(dir, 'lien-he'));
    const good = ['---', 'id: good', 'topic: lien-he', 'questions:', '  - Số điện thoại?', 'source: Cấu hình của trung tâm', 'effective: 2026-01-01', 'reviewed: 2026-11-22', '---', 'Gọi {{centre.hotline}}.'];
    writeFileSync(join(dir, 'lien-he', 'good.md'), good.join('\n'));
    writeFileSync(join(dir, 'lien-he', 'bad-topic.md'), good.join('\n').replace('id: good', 'id: bad-topic').replace('topic: lien-he', 'topic: gia-vang'));
    writeFileSync(join(dir, 'lien-he', 'bad-date.md'), good.join('\n').replace('id: good', 'id: bad-date').replace('effective: 2026-01-01', 'effective: 1/1/2026'));
    writeFileSync(join(dir, 'lien-he', 'wrong-name.md'), good.join('\n'));
    writeFileSync(join(dir, 'lien-he', 'no-front-matter.md'), 'Chỉ có nội dung.');
    writeFileSync(join(dir, 'lien-he', 'bad-yaml.md'), '---\nid: [unclosed\n---\nx');
    const { entries, problems } = loadKnowledge(dir);
    expect(entries.map((e) => e.id)).toEqual(['good']);
    const byFile = Object.fromEntries(problems.map((p) => [p.file.replace(/^lien-he\//, ''), p.field]));
    expect(byFile).toEqual({
      'bad-topic.md': 'topic',
      'bad-date.md': 'effective',
      'wrong-name.md': 'id',
      'no-front-matter.md': '(front matter)',
      'bad-yaml.md': '(front matter)',
    });
  });
});

describe('the shipped knowledge base', () => {
  const { entries, problems } = loadKnowledge(KNOWLEDGE_DIR);

  it('loads without problems', () => {
    expect(problems).toEqual([]);
  });

  it('has at least 120 entries and at least 3 for every topic', () => {
    expect(entries.length).toBeGreaterThanOrEqual(120);
    for (const topic of TOPIC_IDS) {
      expect(entries.filter((e) => e.topic === topic).length, topic).toBeGreaterThanOrEqual(3);
    }
  });

  it('gives every entry a source, dates and at least 4 other phrasings', () => {
    for (const e of entries) {
      expect(e.questions.length, e.id).toBeGreaterThanOrEqual(5);
      // A referral states no policy of ours, only which office to ask: its source says so.
      if (e.topic === REFERRAL_TOPIC) expect(e.source, e.id).toMatch(/cơ quan khác/);
      else expect(e.source, e.id).toMatch(/(Luật|Nghị định|Nghị quyết|Thông tư|Quyết định|Pháp lệnh|Công văn|Cấu hình của trung tâm)/);
      expect(e.reviewed <= TODAY, `${e.id} reviewed in the future`).toBe(true);
      // A rule that starts later (a new poverty line) may be described ahead of time,
      // but then the answer must say from when.
      if (e.effective > TODAY) expect(e.body, `${e.id} effective ${e.effective}`).toContain(e.effective.slice(0, 4));
      expect(e.effective.slice(0, 4) >= '1990', e.id).toBe(true);
      // Questions written the way people type: at least one without any diacritics.
      expect(e.questions.some((q) => q === q.normalize('NFD').replace(/[\u0300-\u036f]/g, '') && !/[đĐ]/.test(q)), `${e.id} has no phrasing without diacritics`).toBe(true);
    }
  });

  it('keeps answers short', () => {
    for (const e of entries) {
      const words = e.body.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
      expect(words, e.id).toBeLessThanOrEqual(135);
    }
  });

  it('uses only known centre and policy placeholders and no local phone numbers', () => {
    // {{policy.*}} must name a value in knowledge/_policy-values.yaml (tests/policy-values.test.ts renders them).
    const { values } = loadPolicyValues(KNOWLEDGE_DIR);
    expect(checkPolicyPlaceholders(entries, values, new Date(`${TODAY}T12:00:00+07:00`))).toEqual([]);
    for (const e of entries) {
      for (const m of e.body.matchAll(/\{\{([^}]*)\}\}/g)) {
        if (m[1]!.trim().startsWith('policy.')) continue;
        expect(['centre.name', 'centre.hotline', 'centre.address', 'centre.hours'], e.id).toContain(m[1]!.trim());
      }
      // National hotlines are three digits; a centre's own number comes from configuration.
      expect(e.body, e.id).not.toMatch(/\b(0|1800|1900)[\d .]{6,}\d\b/);
    }
  });

  it('states only amounts found in the policy fact sheet', () => {
    const facts = FACTS.replace(/\s/g, '');
    for (const e of entries) {
      for (const m of e.body.matchAll(/\d{1,3}(?:\.\d{3})+(?=\s*(đồng|đ\b))/g)) {
        expect(facts.includes(m[0]), `${e.id}: ${m[0]}`).toBe(true);
      }
    }
  });

  it('sends no one to district offices that no longer exist', () => {
    for (const e of entries) {
      // Document numbers such as 07/2013/TT-BLĐTBXH name the old ministry legitimately.
      const sentences = e.body.replace(/\d+\/\d{4}\/[\p{L}\d&-]+/gu, 'VB').split(/(?<=[.!?])\s+/);
      for (const s of sentences) {
        if (/(cấp huyện|Phòng Lao động|LĐ-TB&XH|LĐTBXH)/i.test(s)) {
          expect(s, e.id).toMatch(/(không còn|trước đây|đã (bỏ|chuyển)|bỏ cấp huyện|nay|thay)/i);
        }
      }
    }
  });

  it('has no two entries that are near-duplicates', () => {
    const sets = entries.map((e) => new Set(normalizeSyllables(`${e.questions.join(' ')} ${e.body}`)));
    for (let i = 0; i < entries.length; i++) {
      for (let j = i + 1; j < entries.length; j++) {
        const a = sets[i]!;
        const b = sets[j]!;
        let shared = 0;
        for (const t of a) if (b.has(t)) shared++;
        const jaccard = shared / (a.size + b.size - shared);
        expect(jaccard, `${entries[i]!.id} ~ ${entries[j]!.id}`).toBeLessThan(0.7);
      }
    }
  });

  it('finds each entry from its own main question', () => {
    const retriever = new Retriever(entries);
    const misses = entries.filter((e) => retriever.search(e.questions[0]!, 1)[0]?.entry.id !== e.id).map((e) => e.id);
    expect(misses.length, misses.join(', ')).toBeLessThanOrEqual(Math.floor(entries.length * 0.05));
  });
});
