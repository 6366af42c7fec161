import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../src/kb/loader.js';
import { Retriever } from '../src/kb/retriever.js';
import { syntheticKnowledge } from './support/synthetic-knowledge.js';

const ROOT = join(import.meta.dirname, '..');
const questions = readFileSync(join(ROOT, 'tests', 'fixtures', 'eval', 'faq-tuning.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => (JSON.parse(l) as { text: string }).text);

/**
 * The search skips, for common words, the entries that can no longer reach the best k.
 * Asking for every entry turns that off, so its head is what a full scan ranks: the
 * pruned answer must be the same entries, in the same order, with the same numbers.
 */
describe('retrieval pruning', () => {
  const { entries } = loadKnowledge(join(ROOT, 'knowledge'));
  for (const [name, base] of [['shipped', entries], ['3,000 synthetic', syntheticKnowledge(entries, 3000)]] as const) {
    it(`gives a full scan's best entries on the ${name} base`, () => {
      const retriever = new Retriever(base);
      for (const q of questions) {
        for (const k of [1, 5]) {
          const pruned = retriever.search(q, k);
          const full = retriever.search(q, base.length).slice(0, k);
          expect(pruned, q).toEqual(full);
        }
      }
    });
  }
});
