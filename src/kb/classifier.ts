/**
 * The second signal beside BM25 (src/kb/retriever.ts): a small softmax (multinomial
 * logistic) regression that reads a question and says which topic it is about, trained
 * when the knowledge loads on the entries' own phrasings (each labelled with its entry's
 * topic; referral entries teach it what belongs to other offices, and a shipped list of
 * everyday questions what belongs to no office at all). BM25 weighs the words
 * a question shares with an entry; the classifier has learned which words and spellings
 * tell topics apart across all phrasings of a topic, so a long story about a relative, a
 * Southern word or a typo that BM25 scores weakly can still be recognised, and the two
 * agreeing is stronger evidence than either alone (src/flows/faq.ts combines them).
 *
 * Features: folded syllables, adjacent syllable pairs and character 4-grams inside
 * syllables (typos, missing letters), hashed into a fixed table. Training is plain
 * gradient descent in a fixed order with a fixed number of passes: the same entries give
 * the same model on every instance, whatever order the entries come in, in well under a
 * second for the shipped base.
 *
 * @example
 * const classifier = trainTopicClassifier(entries);
 * classifier.predict('ba tui 80 tuoi lanh tien gia nhieu').topic // 'tro-cap-nguoi-cao-tuoi'
 */
import { createHash } from 'node:crypto';
import type { KnowledgeEntry } from './entry.js';
import { EVERYDAY_QUESTIONS } from './everyday-questions.js';
import { normalizeSyllables } from './normalize.js';
import { EVERYDAY_CLASS } from './topics.js';

export interface TopicPrediction {
  /** The most likely topic (an entry topic, the referral topic or EVERYDAY_CLASS); null with no classes. */
  topic: string | null;
  probability: number;
  /** Probability of every topic, by topic. */
  probabilities: ReadonlyMap<string, number>;
}

export interface TopicClassifier {
  readonly topics: readonly string[];
  predict(text: string): TopicPrediction;
}

export interface ClassifierOptions {
  /** Size of the hashed feature table (default 2^16): larger, fewer collisions, more memory. */
  buckets?: number;
  /** Passes over the phrasings (default 12). */
  epochs?: number;
  /** Step size (default 0.5). */
  rate?: number;
  /** L2 pull towards zero per step (default 1e-4): keeps rare words from deciding alone. */
  l2?: number;
  /**
   * Everyday questions no office handles, learned as EVERYDAY_CLASS (default: the shipped
   * `EVERYDAY_QUESTIONS`; `[]` trains on the entries alone, as tests of the entries do).
   */
  everyday?: readonly string[];
}

/** FNV-1a: a stable hash, so the table is the same on every machine. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Hashed feature indices of a text (each once). */
export function featuresOf(text: string, buckets: number): number[] {
  const syllables = normalizeSyllables(text);
  const out = new Set<number>();
  for (let i = 0; i < syllables.length; i++) {
    const s = syllables[i]!;
    out.add(hash(`w:${s}`) % buckets);
    if (i + 1 < syllables.length) out.add(hash(`p:${s}_${syllables[i + 1]}`) % buckets);
    const padded = `<${s}>`;
    for (let j = 0; j + 4 <= padded.length; j++) out.add(hash(`c:${padded.slice(j, j + 4)}`) % buckets);
  }
  return [...out];
}

function softmax(scores: Float64Array): Float64Array {
  let max = -Infinity;
  for (const s of scores) if (s > max) max = s;
  let z = 0;
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) z += out[i] = Math.exp(scores[i]! - max);
  for (let i = 0; i < out.length; i++) out[i]! /= z;
  return out;
}

/** Classifiers recently trained, by what they were trained on (see classifierFor). */
const recent = new Map<string, TopicClassifier>();
/** The live knowledge's and one more (a preview's): enough that neither evicts the other. */
const RECENT_LIMIT = 2;

/**
 * The classifier for these entries, trained once per distinct set of (topic, phrasings):
 * a knowledge change that leaves every phrasing as it was (an answer reworded, a policy
 * value coming into force) reuses the model already trained instead of stalling the
 * turns behind a second of training. Training is deterministic, so a reused model is the
 * one a fresh training would give. Options are not part of the key: use
 * `trainTopicClassifier` to train with other options.
 *
 * @example
 * const a = classifierFor(entries);
 * classifierFor(entries.map((e) => ({ ...e, body: 'mới' }))) === a // true
 */
export function classifierFor(entries: readonly KnowledgeEntry[]): TopicClassifier {
  const key = createHash('sha256')
    .update(entries.map((e) => `${e.topic}\u0001${e.questions.join('\u0002')}`).sort().join('\u0003'))
    .digest('hex');
  const known = recent.get(key);
  if (known) {
    recent.delete(key);
    recent.set(key, known);
    return known;
  }
  const trained = trainTopicClassifier(entries);
  recent.set(key, trained);
  while (recent.size > RECENT_LIMIT) recent.delete(recent.keys().next().value!);
  return trained;
}

/**
 * Trains on every phrasing of every entry, labelled with the entry's topic.
 */
export function trainTopicClassifier(entries: readonly KnowledgeEntry[], options: ClassifierOptions = {}): TopicClassifier {
  const buckets = options.buckets ?? 1 << 16;
  const epochs = options.epochs ?? 12;
  const rate = options.rate ?? 0.5;
  const l2 = options.l2 ?? 1e-4;
  const everyday = options.everyday ?? EVERYDAY_QUESTIONS;
  const topics = [...new Set([...entries.map((e) => e.topic), ...(entries.length && everyday.length ? [EVERYDAY_CLASS] : [])])].sort();
  const k = topics.length;
  const index = new Map(topics.map((t, i) => [t, i]));
  // In the order of the entries' ids, whatever order they were loaded in: the folder and the
  // store give the same model.
  const ordered = [...entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const examples = ordered.flatMap((e) => e.questions.map((q) => ({ x: featuresOf(q, buckets), y: index.get(e.topic)! })));
  if (index.has(EVERYDAY_CLASS)) for (const q of everyday) examples.push({ x: featuresOf(q, buckets), y: index.get(EVERYDAY_CLASS)! });
  const w = new Float64Array(buckets * k);
  const bias = new Float64Array(k);
  const scoresOf = (x: readonly number[]) => {
    const s = Float64Array.from(bias);
    for (const f of x) for (let c = 0; c < k; c++) s[c]! += w[f * k + c]!;
    return s;
  };
  for (let epoch = 0; epoch < epochs; epoch++) {
    const step = rate / (1 + epoch);
    for (const { x, y } of examples) {
      if (x.length === 0) continue;
      const p = softmax(scoresOf(x));
      const scale = step / Math.sqrt(x.length);
      for (let c = 0; c < k; c++) {
        const g = p[c]! - (c === y ? 1 : 0);
        bias[c]! -= step * g;
        for (const f of x) {
          const at = f * k + c;
          w[at]! -= scale * g + step * l2 * w[at]!;
        }
      }
    }
  }
  return {
    topics,
    predict(text) {
      if (k === 0) return { topic: null, probability: 0, probabilities: new Map() };
      const p = softmax(scoresOf(featuresOf(text, buckets)));
      let best = 0;
      for (let c = 1; c < k; c++) if (p[c]! > p[best]!) best = c;
      return { topic: topics[best]!, probability: p[best]!, probabilities: new Map(topics.map((t, c) => [t, p[c]!])) };
    },
  };
}
