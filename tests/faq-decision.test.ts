import { describe, expect, it } from 'vitest';
import type { KnowledgeEntry } from '../src/kb/entry.js';
import type { SearchHit } from '../src/kb/retriever.js';
import { confidenceOf as topicConfidence, decideFaq, isGreeting, rankTopics } from '../src/flows/faq.js';

const confidenceOf = (hits: SearchHit[]) => topicConfidence(rankTopics(hits)[0]);

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
const hit = (id: string, topic: KnowledgeEntry['topic'], score: number, coverage: number, domainScore = score, domainMatch = 5): SearchHit => ({
  entry: e(id, topic),
  score,
  domainScore,
  domainMatch,
  coverage,
});
const thresholds = { answer: 0.5, clarify: 0.35 };

describe('FAQ decision', () => {
  it('answers a clear winner', () => {
    const d = decideFaq([hit('a', 'bao-hiem-y-te', 30, 0.9), hit('b', 'lien-he', 2, 0.3)], thresholds);
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
        hit('a', 'tro-cap-nguoi-cao-tuoi', 12, 0.5),
        hit('a2', 'tro-cap-nguoi-cao-tuoi', 11, 0.5),
        hit('b', 'tro-cap-nguoi-khuyet-tat', 10, 0.45),
        hit('c', 'lien-he', 1, 0.1),
      ],
      { answer: 0.65, clarify: 0.4 },
    );
    expect(d.kind).toBe('clarify');
    expect(d.kind === 'clarify' && d.options.map((o) => o.entry.id)).toEqual(['a', 'b', 'c']);
  });

  it('lets several entries of one topic outweigh a single slightly better entry of another', () => {
    const topics = rankTopics([
      hit('x', 'lien-he', 10, 0.5),
      hit('a1', 'ho-so-thu-tuc', 9, 0.5),
      hit('a2', 'ho-so-thu-tuc', 8, 0.4),
      hit('a3', 'ho-so-thu-tuc', 7, 0.4),
      hit('a4', 'ho-so-thu-tuc', 7, 0.4),
    ]);
    expect(topics[0]?.best.entry.id).toBe('a1');
    // Best entry plus 0.3 of the next two only: a fourth entry adds nothing.
    expect(topics[0]?.score).toBeCloseTo(9 + 0.3 * 8 + 0.3 * 7);
    expect(topics[1]?.best.entry.id).toBe('x');
  });

  it('trusts domain words, not everyday paperwork words', () => {
    // Same score and coverage; only the share of it that comes from domain words differs.
    const domain = confidenceOf([hit('a', 'lien-he', 20, 0.6, 20)]);
    const paperwork = confidenceOf([hit('a', 'lien-he', 20, 0.6, 4)]);
    expect(domain).toBeGreaterThan(0.5);
    expect(paperwork).toBeLessThan(0.42);
  });

  it('has no confidence when only everyday words matched', () => {
    expect(confidenceOf([hit('a', 'lien-he', 40, 0.8, 8, 0)])).toBe(0);
    expect(confidenceOf([hit('a', 'lien-he', 40, 0.8, 8, 3)])).toBeGreaterThan(0);
  });

  it('grows with coverage and stays within 0..1', () => {
    const low = confidenceOf([hit('a', 'lien-he', 10, 0.2)]);
    const high = confidenceOf([hit('a', 'lien-he', 10, 0.9)]);
    expect(high).toBeGreaterThan(low);
    expect(confidenceOf([hit('a', 'lien-he', 1e6, 1)])).toBeLessThanOrEqual(1);
    expect(confidenceOf([])).toBe(0);
  });

  it('knows a greeting', () => {
    expect(isGreeting('alo')).toBe(true);
    expect(isGreeting('Xin chào ad ơi')).toBe(true);
    expect(isGreeting('chào trung tâm, cho hỏi trợ cấp người già')).toBe(false);
  });
});
