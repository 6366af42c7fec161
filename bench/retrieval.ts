/**
 * `npm run bench` (second line): how long one retrieval takes, at the shipped knowledge
 * base's size and at a province's (BENCH_RETRIEVAL_ENTRIES, default 5,000 entries,
 * synthetic: each a shipped entry with one question word swapped for a word of another
 * entry and a marker of its own, so the vocabulary and the posting lists grow as a real
 * base's would). Queries are the FAQ evaluation sets' questions, after a warm-up. Goals:
 * under 0.3 ms per query at the shipped size, under 1.5 ms at 5,000.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { KnowledgeEntry } from '../src/kb/entry.js';
import { loadKnowledge } from '../src/kb/loader.js';
import { Retriever } from '../src/kb/retriever.js';
import { syntheticKnowledge } from '../tests/support/synthetic-knowledge.js';

const ROOT = join(import.meta.dirname, '..');
const LARGE = Number(process.env.BENCH_RETRIEVAL_ENTRIES ?? 5000);
const ROUNDS = Number(process.env.BENCH_RETRIEVAL_ROUNDS ?? 20);
const dir = join(ROOT, 'tests', 'fixtures', 'eval');
const queries = ['faq-sample.jsonl', 'faq-tuning.jsonl', 'faq-fresh.jsonl']
  .flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n'))
  .map((l) => (JSON.parse(l) as { text: string }).text);

function measure(entries: readonly KnowledgeEntry[]): { entries: number; meanMs: number; p99Ms: number } {
  const retriever = new Retriever(entries);
  for (const q of queries) retriever.search(q); // warm-up (JIT, typo cache)
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const q of queries) {
      const t = performance.now();
      retriever.search(q);
      times.push(performance.now() - t);
    }
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return { entries: entries.length, meanMs: Number(mean.toFixed(3)), p99Ms: Number(times[Math.ceil(0.99 * times.length) - 1]!.toFixed(3)) };
}

const { entries } = loadKnowledge(join(ROOT, 'knowledge'));
const small = measure(entries);
const large = measure(syntheticKnowledge(entries, LARGE));
console.log(JSON.stringify({ bench: 'retrieval', queries: queries.length, ...small, goalMs: 0.3 }));
console.log(JSON.stringify({ bench: 'retrieval', queries: queries.length, ...large, goalMs: 1.5 }));
