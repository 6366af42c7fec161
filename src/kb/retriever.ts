import type { KnowledgeEntry } from './entry.js';
import { normalizeSyllables } from './normalize.js';

/**
 * Lexical retriever for Vietnamese citizen questions.
 *
 * Entries are indexed on syllable unigrams and bigrams of their questions (strongest),
 * body and topic. Scoring is BM25 with field weights. Alongside the score, each hit
 * carries a coverage: the share of the question's informative weight (IDF) that the
 * entry explains. Coverage is what makes confidence mean something: a question about
 * gold prices shares "bao nhiêu" with half the knowledge base but its rare words
 * ("vàng") appear nowhere, so no entry covers it.
 */

/** Polite particles and fillers that carry no topic. */
const STOPWORDS = new Set(
  (
    'a ah a oi oi da vay nhe nha nhi ha ho hen the thi la ma va voi cua cho toi em anh chi ' +
    'minh ban ad admin moi nguoi xin hoi cho hoi oi ak ok nho giup dum giium voi ' +
    'ne nghe roi luon nua cai nay kia do day di duoc khong co gi nao sao'
  ).split(' '),
);

const FIELD_WEIGHTS = { questions: 1, topic: 0.6, body: 0.35 } as const;
const BIGRAM_WEIGHT = 1.6;
const TYPO_WEIGHT = 0.6;
const UNSEEN_PAIR_WEIGHT = 0.5;
const K1 = 1.2;
const B = 0.4;

interface QueryTerm {
  term: string;
  weight: number;
}

interface IndexedEntry {
  entry: KnowledgeEntry;
  tf: Map<string, number>;
  length: number;
}

export interface SearchHit {
  entry: KnowledgeEntry;
  /** BM25 score; comparable only within one query. */
  score: number;
  /** 0..1: share of the query's informative weight this entry matches. */
  coverage: number;
}

function termsOf(syllables: string[]): string[] {
  const content = syllables.filter((s) => !STOPWORDS.has(s));
  const terms = [...content];
  // Bigrams over the full sequence keep phrases like "khong co" that stopwords would split.
  for (let i = 0; i + 1 < syllables.length; i++) {
    const a = syllables[i]!;
    const b = syllables[i + 1]!;
    if (STOPWORDS.has(a) && STOPWORDS.has(b)) continue;
    terms.push(`${a}_${b}`);
  }
  return terms;
}

function editDistanceAtMostOne(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      // A swap of two neighbours ("nguoi" / "nugoi") counts as one edit.
      if (a[i + 1] === b[j] && a[i] === b[j + 1] && a.slice(i + 2) === b.slice(j + 2)) return true;
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

export class Retriever {
  private readonly docs: IndexedEntry[];
  private readonly df = new Map<string, number>();
  private readonly avgLength: number;
  private readonly unigramsByLength = new Map<number, string[]>();
  private readonly typoCache = new Map<string, string | null>();

  constructor(entries: readonly KnowledgeEntry[]) {
    this.docs = entries.map((entry) => {
      const tf = new Map<string, number>();
      const add = (text: string, weight: number) => {
        for (const t of termsOf(normalizeSyllables(text))) tf.set(t, (tf.get(t) ?? 0) + weight);
      };
      for (const q of entry.questions) add(q, FIELD_WEIGHTS.questions);
      add(entry.topic.replace(/-/g, ' '), FIELD_WEIGHTS.topic);
      add(entry.body, FIELD_WEIGHTS.body);
      let length = 0;
      for (const v of tf.values()) length += v;
      return { entry, tf, length };
    });
    for (const d of this.docs) for (const t of d.tf.keys()) this.df.set(t, (this.df.get(t) ?? 0) + 1);
    this.avgLength = this.docs.reduce((s, d) => s + d.length, 0) / Math.max(1, this.docs.length);
    for (const t of this.df.keys()) {
      if (t.includes('_') || t.length < 4 || /\d/.test(t)) continue;
      const list = this.unigramsByLength.get(t.length) ?? [];
      list.push(t);
      this.unigramsByLength.set(t.length, list);
    }
  }

  get size(): number {
    return this.docs.length;
  }

  private idf(term: string): number {
    const n = this.docs.length;
    const df = this.df.get(term) ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** A known syllable one edit away, for typos like "khuyêt tât" → "khuyet tat". */
  private correct(term: string): string | null {
    if (term.length < 4 || /\d/.test(term)) return null;
    const cached = this.typoCache.get(term);
    if (cached !== undefined) return cached;
    let best: string | null = null;
    let bestDf = 0;
    for (const len of [term.length - 1, term.length, term.length + 1]) {
      for (const cand of this.unigramsByLength.get(len) ?? []) {
        const df = this.df.get(cand) ?? 0;
        if (df > bestDf && editDistanceAtMostOne(term, cand)) {
          best = cand;
          bestDf = df;
        }
      }
    }
    if (this.typoCache.size > 10_000) this.typoCache.clear();
    this.typoCache.set(term, best);
    return best;
  }

  private queryTerms(text: string): { terms: QueryTerm[]; totalWeight: number } {
    const syllables = normalizeSyllables(text);
    const fixed = syllables.map((s) => (this.df.has(s) || STOPWORDS.has(s) ? s : (this.correct(s) ?? s)));
    const weights = new Map<string, number>();
    let totalWeight = 0;
    for (const t of termsOf(fixed)) {
      const isBigram = t.includes('_');
      const corrected = !isBigram && !syllables.includes(t);
      const w = (isBigram ? BIGRAM_WEIGHT : 1) * (corrected ? TYPO_WEIGHT : 1);
      if (weights.has(t)) continue; // a repeated word does not make a question more specific
      weights.set(t, w);
      // An unseen pair of content syllables ("ho chieu", "xe may") is a sign of another
      // domain even when each syllable is known; an unseen pair with a filler word
      // ("bao gio", "o dau") says little.
      if (isBigram && !this.df.has(t)) {
        const [a, b] = t.split('_') as [string, string];
        if (STOPWORDS.has(a) || STOPWORDS.has(b)) continue;
        totalWeight += w * UNSEEN_PAIR_WEIGHT * this.idf(t);
        continue;
      }
      totalWeight += w * this.idf(t);
    }
    return { terms: [...weights].map(([term, weight]) => ({ term, weight })), totalWeight };
  }

  /** The best entries for a question, best first, at most `k`. */
  search(text: string, k = 5): SearchHit[] {
    const { terms, totalWeight } = this.queryTerms(text);
    if (terms.length === 0 || totalWeight === 0) return [];
    const hits: SearchHit[] = [];
    for (const d of this.docs) {
      let score = 0;
      let matched = 0;
      for (const { term, weight } of terms) {
        const tf = d.tf.get(term);
        if (!tf) continue;
        const idf = this.idf(term);
        const norm = tf * (K1 + 1) / (tf + K1 * (1 - B + (B * d.length) / this.avgLength));
        score += weight * idf * norm;
        matched += weight * idf;
      }
      if (score > 0) hits.push({ entry: d.entry, score, coverage: Math.min(1, matched / totalWeight) });
    }
    hits.sort((a, b) => b.score - a.score);
    return hits.slice(0, k);
  }
}
