/**
 * "A confidence that means something": over every evaluation line, answers given with
 * higher confidence are right more often. Last measured (30/11/2026, with the topic
 * classifier): below 0.5, 3 of 32 lines had a right topic; 0.5–0.85, 11 of 12; from 0.85,
 * 247 of 249. Referrals to another office (27 lines) are judged apart: all 27 on
 * out-of-scope lines. Over all seventeen FAQ sets in tests/fixtures/eval (2/12/2026, with
 * faq-fresh-9a, 9b, 10a and 10b): from 0.85, 1,494 of 1,517 right (98.5 %; the lowest set,
 * faq-fresh-10b, 87 of 92).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnswerPipeline } from '../src/flows/answer.js';
import { KnowledgeBase } from '../src/kb/knowledge-base.js';

const ROOT = join(import.meta.dirname, '..');
const kb = KnowledgeBase.fromDirectory(join(ROOT, 'knowledge'));
// Thresholds at zero: every line is answered, so each gets the topic it would have.
const pipeline = new AnswerPipeline({ kb, centre: { name: 'Trung tâm' }, thresholds: { answer: 0, clarify: 0 } });

describe('confidence calibration', () => {
  it('is right more often the more confident it is', async () => {
    const bands = { low: { n: 0, right: 0 }, mid: { n: 0, right: 0 }, high: { n: 0, right: 0 } };
    // A referral (another office's business) grounds no topic: it is judged apart, right when the line is out of scope.
    const referrals = { n: 0, right: 0 };
    for (const file of ['faq-sample.jsonl', 'faq-tuning.jsonl', 'faq-fresh.jsonl']) {
      for (const line of readFileSync(join(ROOT, 'tests', 'fixtures', 'eval', file), 'utf8').trim().split('\n')) {
        const g = JSON.parse(line) as { text: string; topics: string[] };
        const r = await pipeline.answer(g.text);
        if (r.kind === 'referral') {
          referrals.n++;
          if (g.topics.length === 0) referrals.right++;
          continue;
        }
        const band = r.confidence < 0.5 ? bands.low : r.confidence < 0.85 ? bands.mid : bands.high;
        band.n++;
        if (r.topic !== null && g.topics.includes(r.topic)) band.right++;
      }
    }
    const precision = (b: { n: number; right: number }) => b.right / b.n;
    expect(precision(bands.high)).toBeGreaterThanOrEqual(0.95);
    expect(precision(bands.mid)).toBeGreaterThanOrEqual(0.8);
    expect(precision(bands.low)).toBeLessThanOrEqual(0.3);
    expect(bands.high.n).toBeGreaterThan(bands.mid.n);
    expect(referrals.n).toBeGreaterThan(0);
    expect(precision(referrals)).toBeGreaterThanOrEqual(0.95);
  });

  it('is right at least 97 % of the time at 0.85 and above, over every FAQ set of the project', async () => {
    const dir = join(ROOT, 'tests', 'fixtures', 'eval');
    const files = readdirSync(dir).filter((f) => /^faq-.*\.jsonl$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(10);
    const high = { n: 0, right: 0 };
    for (const file of files) {
      for (const line of readFileSync(join(dir, file), 'utf8').trim().split('\n')) {
        const g = JSON.parse(line) as { text: string; topics: string[] };
        const r = await pipeline.answer(g.text);
        if (r.kind === 'referral' || r.confidence < 0.85) continue;
        high.n++;
        if (r.topic !== null && g.topics.includes(r.topic)) high.right++;
      }
    }
    expect(high.n).toBeGreaterThan(1000);
    expect(high.right / high.n).toBeGreaterThanOrEqual(0.97);
  });
});
