import type { KnowledgeEntry } from './entry.js';
import { isGenericTerm } from './generic-words.js';
import { normalizeSyllables } from './normalize.js';

/**
 * Lexical retriever for Vietnamese citizen questions.
 *
 * Entries are indexed on syllable unigrams and bigrams of their questions (strongest),
 * body and topic. Scoring is BM25 with field weights. Alongside the score, each hit
 * carries a coverage: the share of the question's informative weight (IDF) that the
 * entry explains, and a domainScore: the score with everyday and paperwork words
 * discounted. Together they make confidence mean something (src/flows/faq.ts): a
 * question about gold prices shares "bao nhiêu" with half the knowledge base, but its
 * rare words ("vàng") appear nowhere and its shared words are generic.
 */

/**
 * Particles and chat fillers that carry no topic. Kept short on purpose: after folding
 * diacritics many syllables mean several things ("nha" is "nhá" and "nhà", "nhe" is
 * "nhé" and "nhẹ", "hen" is "hén" and "hẹn", "nghe" is also "nghề"), so common words
 * are left to IDF rather than dropped.
 */
const STOPWORDS = new Set('a ah oi nhi ha ak ok ad admin mn mng dum giium ui'.split(' '));

export interface RetrieverTuning {
  questionWeight: number;
  topicWeight: number;
  bodyWeight: number;
  bigramWeight: number;
  typoWeight: number;
  unseenPairWeight: number;
  k1: number;
  b: number;
  /** How much a match on an everyday or paperwork word counts towards domainScore. */
  genericFactor: number;
}

export const DEFAULT_TUNING: RetrieverTuning = {
  questionWeight: 1,
  topicWeight: 0.3,
  bodyWeight: 0.35,
  bigramWeight: 1.6,
  typoWeight: 0.6,
  unseenPairWeight: 0.5,
  k1: 1.2,
  b: 0.4,
  genericFactor: 0.2,
};

interface QueryTerm {
  term: string;
  weight: number;
  generic: boolean;
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
  /** Score from words specific to the knowledge base's domain (generic words discounted). */
  domainScore: number;
  /** IDF weight of the question's domain (not generic) words this entry matches. */
  domainMatch: number;
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

/** One term's postings: the entries that hold it (ascending) and how often, weighted by field. */
interface Postings {
  docs: number[];
  tfs: number[];
}

export class Retriever {
  private readonly docs: IndexedEntry[];
  private readonly df = new Map<string, number>();
  /** Inverted index: a query touches only the entries that share a term with it. */
  private readonly postings = new Map<string, Postings>();
  /** Per-entry accumulators, reused by every search (a search runs start to end with no await). */
  private readonly acc: { score: Float64Array; domain: Float64Array; matched: Float64Array; domainMatch: Float64Array; seen: Uint8Array };
  private readonly avgLength: number;
  private readonly unigramsByLength = new Map<number, string[]>();
  private readonly typoCache = new Map<string, string | null>();

  constructor(
    entries: readonly KnowledgeEntry[],
    private readonly tuning: RetrieverTuning = DEFAULT_TUNING,
  ) {
    const { questionWeight, topicWeight, bodyWeight } = tuning;
    this.docs = entries.map((entry) => {
      const tf = new Map<string, number>();
      const add = (text: string, weight: number) => {
        for (const t of termsOf(normalizeSyllables(text))) tf.set(t, (tf.get(t) ?? 0) + weight);
      };
      for (const q of entry.questions) add(q, questionWeight);
      add(entry.topic.replace(/-/g, ' '), topicWeight);
      add(entry.body, bodyWeight);
      let length = 0;
      for (const v of tf.values()) length += v;
      return { entry, tf, length };
    });
    this.docs.forEach((d, i) => {
      for (const [t, tf] of d.tf) {
        this.df.set(t, (this.df.get(t) ?? 0) + 1);
        const p = this.postings.get(t) ?? { docs: [], tfs: [] };
        p.docs.push(i);
        p.tfs.push(tf);
        this.postings.set(t, p);
      }
    });
    const n = this.docs.length;
    this.acc = { score: new Float64Array(n), domain: new Float64Array(n), matched: new Float64Array(n), domainMatch: new Float64Array(n), seen: new Uint8Array(n) };
    this.avgLength = this.docs.reduce((s, d) => s + d.length, 0) / Math.max(1, this.docs.length);
    for (const t of this.df.keys()) {
      if (t.includes('_') || t.length < 4 || /\d/.test(t)) continue;
      const list = this.unigramsByLength.get(t.length) ?? [];
      list.push(t);
      this.unigramsByLength.set(t.length, list);
    }
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
      const w = (isBigram ? this.tuning.bigramWeight : 1) * (corrected ? this.tuning.typoWeight : 1);
      if (weights.has(t)) continue; // a repeated word does not make a question more specific
      weights.set(t, w);
      // An unseen pair of content syllables ("ho chieu", "xe may") is a sign of another
      // domain even when each syllable is known; an unseen pair with a filler word
      // ("bao gio", "o dau") says little.
      if (isBigram && !this.df.has(t)) {
        const [a, b] = t.split('_') as [string, string];
        if (STOPWORDS.has(a) || STOPWORDS.has(b)) continue;
        totalWeight += w * this.tuning.unseenPairWeight * this.idf(t);
        continue;
      }
      totalWeight += w * this.idf(t);
    }
    return {
      terms: [...weights].map(([term, weight]) => ({ term, weight, generic: isGenericTerm(term) })),
      totalWeight,
    };
  }

  /** The best entries for a question, best first, at most `k`. */
  search(text: string, k = 5): SearchHit[] {
    const { terms, totalWeight } = this.queryTerms(text);
    if (terms.length === 0 || totalWeight === 0 || k < 1) return [];
    const { k1, b, genericFactor } = this.tuning;
    // Per query, not per entry: each term's weighted IDF is the same for every entry.
    const weighted = terms.map((t) => ({ ...t, wIdf: t.weight * this.idf(t.term) }));
    const { score, domain, matched, domainMatch, seen } = this.acc;
    const touched: number[] = [];
    // Term by term over its postings: each entry sums its terms in query order, as a scan would.
    for (const { term, wIdf, generic } of weighted) {
      const p = this.postings.get(term);
      if (!p) continue;
      for (let j = 0; j < p.docs.length; j++) {
        const i = p.docs[j]!;
        const tf = p.tfs[j]!;
        if (!seen[i]) {
          seen[i] = 1;
          touched.push(i);
          score[i] = domain[i] = matched[i] = domainMatch[i] = 0;
        }
        const lengthNorm = k1 * (1 - b + (b * this.docs[i]!.length) / this.avgLength);
        const termScore = (wIdf * tf * (k1 + 1)) / (tf + lengthNorm);
        score[i] = score[i]! + termScore;
        domain[i] = domain[i]! + termScore * (generic ? genericFactor : 1);
        matched[i] = matched[i]! + wIdf;
        if (!generic) domainMatch[i] = domainMatch[i]! + wIdf;
      }
    }
    // The best k by score, equal scores in the entries' order (as a stable sort of a scan ranked them).
    const better = (x: number, y: number) => score[x]! > score[y]! || (score[x] === score[y] && x < y);
    const best: number[] = [];
    for (const i of touched) {
      seen[i] = 0;
      if (!(score[i]! > 0)) continue;
      if (best.length === k && !better(i, best[k - 1]!)) continue;
      let at = best.length;
      while (at > 0 && better(i, best[at - 1]!)) at--;
      best.splice(at, 0, i);
      if (best.length > k) best.pop();
    }
    return best.map((i) => ({ entry: this.docs[i]!.entry, score: score[i]!, domainScore: domain[i]!, domainMatch: domainMatch[i]!, coverage: Math.min(1, matched[i]! / totalWeight) }));
  }
}
