/**
 * `npm run bench` (first line): how long risk triage adds to a turn. Runs the detector
 * on every line of the risk and FAQ evaluation sets, each with the three messages
 * before it as conversation context, for BENCH_TRIAGE_ROUNDS rounds after a warm-up, and
 * prints one JSON line with the mean and p99 per message. Goal: under 1 ms per message.
 * Each round's message is new text, so its own score is never remembered.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { assess, shippedLexicon } from '../src/flows/triage/index.js';

const ROUNDS = Number(process.env.BENCH_TRIAGE_ROUNDS ?? 20);
const dir = join(import.meta.dirname, '..', 'tests', 'fixtures', 'eval');
const texts = ['risk-sample.jsonl', 'faq-sample.jsonl', 'faq-tuning.jsonl', 'faq-fresh.jsonl']
  .flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n'))
  .map((l) => (JSON.parse(l) as { text: string }).text);

const lexicon = shippedLexicon();
// The new message is new text every round (scores of recent texts are remembered, as the
// earlier messages of a conversation are in production).
const run = (i: number, round: number) => assess(`${texts[i]!} ${round}`, texts.slice(Math.max(0, i - 3), i), lexicon);
for (let w = 1; w <= 3; w++) for (let i = 0; i < texts.length; i++) run(i, -w); // warm-up (JIT)

const times: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  for (let i = 0; i < texts.length; i++) {
    const t = performance.now();
    run(i, r);
    times.push(performance.now() - t);
  }
}
times.sort((a, b) => a - b);
const mean = times.reduce((a, b) => a + b, 0) / times.length;
const p99 = times[Math.ceil(0.99 * times.length) - 1]!;
console.log(
  JSON.stringify({
    bench: 'triage',
    messages: times.length,
    cues: lexicon.cues.length,
    meanMs: Math.round(mean * 1000) / 1000,
    p99Ms: Math.round(p99 * 1000) / 1000,
    goalMs: 1,
  }),
);
