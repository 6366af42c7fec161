import { describe, expect, it } from 'vitest';
import type { KnowledgeEntry } from '../src/kb/entry.js';
import type { SearchHit } from '../src/kb/retriever.js';
import { confidenceOf, decideFaq, isGreeting } from '../src/flows/faq.js';

const e = (id: string, topic: KnowledgeEntry['topic']): KnowledgeEntry => ({
  id,
  topic,
  questions: [`${id}?`],
  source: 's',
  effective: '2024',
  reviewed: '2026-11-22',
  body: 'b',
  file: `${id}.md`,
});
const hit = (id: string, topic: KnowledgeEntry['topic'], score: number, coverage: number): SearchHit => ({
  entry: e(id, topic),
  score,
  coverage,
});
const thresholds = { answer: 0.5, clarify: 0.35 };

describe('FAQ decision', () => {
  it('answers a clear winner', () => {
    const d = decideFaq([hit('a', 'bao-hiem-y-te', 10, 0.9), hit('b', 'lien-he', 2, 0.3)], thresholds);
    expect(d.kind).toBe('answer');
    expect(d.kind === 'answer' && d.hit.entry.id).toBe('a');
  });

  it('declines when nothing covers the question', () => {
    expect(decideFaq([], thresholds).kind).toBe('decline');
    expect(decideFaq([hit('a', 'lien-he', 1, 0.1)], thresholds).kind).toBe('decline');
  });

  it('asks which topic was meant in the middle band, one option per topic', () => {
    const d = decideFaq(
      [
        hit('a', 'tro-cap-nguoi-cao-tuoi', 5, 0.45),
        hit('a2', 'tro-cap-nguoi-cao-tuoi', 4.9, 0.44),
        hit('b', 'tro-cap-nguoi-khuyet-tat', 4.8, 0.42),
        hit('c', 'lien-he', 1, 0.1),
      ],
      thresholds,
    );
    expect(d.kind).toBe('clarify');
    expect(d.kind === 'clarify' && d.options.map((o) => o.entry.id)).toEqual(['a', 'b']);
  });

  it('is less confident when another topic scores almost as well', () => {
    const clear = confidenceOf([hit('a', 'lien-he', 10, 0.6), hit('b', 'bao-hiem-y-te', 3, 0.5)]);
    const close = confidenceOf([hit('a', 'lien-he', 10, 0.6), hit('b', 'bao-hiem-y-te', 9.8, 0.5)]);
    expect(close).toBeLessThan(clear);
    // A runner-up of the same topic is not a rival.
    expect(confidenceOf([hit('a', 'lien-he', 10, 0.6), hit('b', 'lien-he', 9.9, 0.6)])).toBe(clear);
  });

  it('knows a greeting', () => {
    expect(isGreeting('alo')).toBe(true);
    expect(isGreeting('Xin chào ad ơi')).toBe(true);
    expect(isGreeting('chào trung tâm, cho hỏi trợ cấp người già')).toBe(false);
  });
});
