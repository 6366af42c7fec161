import type { KnowledgeEntry } from '../../src/kb/entry.js';

/** A small deterministic generator, so every run builds the same synthetic base. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/**
 * A province-sized knowledge base made from the shipped one: each entry a shipped entry
 * with one question word swapped for a word of another entry and a marker of its own, so
 * the vocabulary and the posting lists grow as a real base's would. Used by the retrieval
 * benchmark and by the test that pruning never changes a search's answer.
 *
 * @example
 * const big = syntheticKnowledge(loadKnowledge(dir).entries, 5000);
 */
export function syntheticKnowledge(real: readonly KnowledgeEntry[], size: number, seed = 2026): KnowledgeEntry[] {
  const random = prng(seed);
  const words = real.flatMap((e) => e.questions.join(' ').split(/\s+/));
  return Array.from({ length: size }, (_, k) => {
    const e = real[k % real.length]!;
    const questions = e.questions.map((q) => {
      const parts = q.split(/\s+/);
      parts[Math.floor(random() * parts.length)] = words[Math.floor(random() * words.length)]!;
      return `${parts.join(' ')} muc${k}`;
    });
    return { ...e, id: `${e.id}-${k}`, questions };
  });
}
