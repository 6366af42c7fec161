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

/**
 * One term's postings: the entries that hold it (ascending) and, for each, the term's BM25
 * saturation there (`tf·(k1+1) / (tf + lengthNorm)`, fixed once the base is built), so a
 * search multiplies instead of dividing. `maxSat` bounds what the term can add to any entry.
 */
interface Postings {
  docs: Int32Array;
  tfs: Float64Array;
  sat: Float64Array;
  idf: number;
  maxSat: number;
  /** An everyday or paperwork word (generic-words.ts): it counts little towards domainScore. */
  generic: boolean;
}

/** A query term the base holds, with its weighted IDF. */
interface Found {
  p: Postings;
  wIdf: number;
  generic: boolean;
}

export class Retriever {
  private readonly docs: IndexedEntry[];
  /** Inverted index: a query touches only the entries that share a term with it (a term's document frequency is its postings' length). */
  private readonly postings = new Map<string, Postings>();
  /** Each entry's BM25 length normalisation, `k1·(1 − b + b·length/avgLength)`. */
  private readonly lengthNorm: Float64Array;
  /** Per-entry partial scores, reused by every search (a search runs start to end with no await). */
  private readonly acc: { score: Float64Array; seen: Uint8Array };
  private readonly unigramsByLength = new Map<number, string[]>();
  private readonly typoCache = new Map<string, string | null>();

  constructor(
    entries: readonly KnowledgeEntry[],
    private readonly tuning: RetrieverTuning = DEFAULT_TUNING,
  ) {
    const { questionWeight, topicWeight, bodyWeight, k1, b } = tuning;
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
    const n = this.docs.length;
    const avgLength = this.docs.reduce((s, d) => s + d.length, 0) / Math.max(1, n);
    this.lengthNorm = Float64Array.from(this.docs, (d) => k1 * (1 - b + (b * d.length) / avgLength));
    const lists = new Map<string, number[]>();
    this.docs.forEach((d, i) => {
      for (const t of d.tf.keys()) {
        const list = lists.get(t) ?? [];
        list.push(i);
        lists.set(t, list);
      }
    });
    for (const [t, list] of lists) {
      const tfs = Float64Array.from(list, (i) => this.docs[i]!.tf.get(t)!);
      const sat = Float64Array.from(list, (i, x) => this.saturation(i, tfs[x]!));
      this.postings.set(t, { docs: Int32Array.from(list), tfs, sat, idf: this.idfOf(list.length), maxSat: sat.reduce((m, v) => Math.max(m, v), 0), generic: isGenericTerm(t) });
    }
    this.acc = { score: new Float64Array(n), seen: new Uint8Array(n) };
    for (const t of this.postings.keys()) {
      if (t.includes('_') || t.length < 4 || /\d/.test(t)) continue;
      const list = this.unigramsByLength.get(t.length) ?? [];
      list.push(t);
      this.unigramsByLength.set(t.length, list);
    }
  }

  private saturation(doc: number, tf: number): number {
    return (tf * (this.tuning.k1 + 1)) / (tf + this.lengthNorm[doc]!);
  }

  private idfOf(df: number): number {
    const n = this.docs.length;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  private idf(term: string): number {
    return this.idfOf(this.postings.get(term)?.docs.length ?? 0);
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
        const df = this.postings.get(cand)?.docs.length ?? 0;
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
    const fixed = syllables.map((s) => (this.postings.has(s) || STOPWORDS.has(s) ? s : (this.correct(s) ?? s)));
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
      if (isBigram && !this.postings.has(t)) {
        const [a, b] = t.split('_') as [string, string];
        if (STOPWORDS.has(a) || STOPWORDS.has(b)) continue;
        totalWeight += w * this.tuning.unseenPairWeight * this.idf(t);
        continue;
      }
      totalWeight += w * this.idf(t);
    }
    return {
      terms: [...weights].map(([term, weight]) => ({ term, weight })),
      totalWeight,
    };
  }

  /**
   * The best entries for a question, best first, at most `k`.
   *
   * Rarest terms first, each over its postings; once no entry untouched so far could reach
   * the k-th best partial score with all the remaining (common) terms together, those terms
   * only add to the entries already touched (the MaxScore idea). At 5,000 entries a word
   * like "được" holds most of the base and would otherwise dominate the cost. The entries
   * that can still be in the best k are then scored exactly, term by term in query order.
   */
  search(text: string, k = 5): SearchHit[] {
    const { terms, totalWeight } = this.queryTerms(text);
    if (terms.length === 0 || totalWeight === 0 || k < 1) return [];
    const found: Found[] = [];
    for (const { term, weight } of terms) {
      const p = this.postings.get(term);
      if (p) found.push({ p, wIdf: weight * p.idf, generic: p.generic });
    }
    const candidates = this.candidates(found, k);
    const { genericFactor, k1 } = this.tuning;
    const hits = candidates.map((i) => {
      let score = 0;
      let domain = 0;
      let matched = 0;
      let domainMatch = 0;
      for (const { p, wIdf, generic } of found) {
        const x = indexOf(p.docs, i);
        if (x < 0) continue;
        const tf = p.tfs[x]!;
        const termScore = (wIdf * tf * (k1 + 1)) / (tf + this.lengthNorm[i]!);
        score += termScore;
        domain += termScore * (generic ? genericFactor : 1);
        matched += wIdf;
        if (!generic) domainMatch += wIdf;
      }
      return { i, score, domain, matched, domainMatch };
    });
    // Equal scores keep the entries' order, as a stable sort of a scan ranked them.
    hits.sort((x, y) => y.score - x.score || x.i - y.i);
    return hits.slice(0, k).map((h) => ({ entry: this.docs[h.i]!.entry, score: h.score, domainScore: h.domain, domainMatch: h.domainMatch, coverage: Math.min(1, h.matched / totalWeight) }));
  }

  /** The entries that may be among the best `k`: every one whose partial score is within rounding of the k-th. */
  private candidates(found: readonly Found[], k: number): number[] {
    const order = [...found].sort((x, y) => x.p.docs.length - y.p.docs.length);
    const remainingBound = new Float64Array(order.length + 1);
    for (let j = order.length - 1; j >= 0; j--) remainingBound[j] = remainingBound[j + 1]! + order[j]!.wIdf * order[j]!.p.maxSat;
    const { score, seen } = this.acc;
    const touched: number[] = [];
    let closed = false;
    for (let j = 0; j < order.length; j++) {
      const { p, wIdf } = order[j]!;
      if (!closed && touched.length >= k) closed = kthLargest(score, touched, k) > remainingBound[j]! * (1 + 1e-9);
      if (!closed) {
        for (let x = 0; x < p.docs.length; x++) {
          const i = p.docs[x]!;
          if (!seen[i]) {
            seen[i] = 1;
            touched.push(i);
            score[i] = 0;
          }
          score[i] = score[i]! + wIdf * p.sat[x]!;
        }
      } else if (touched.length * 8 < p.docs.length) {
        for (const i of touched) {
          const x = indexOf(p.docs, i);
          if (x >= 0) score[i] = score[i]! + wIdf * p.sat[x]!;
        }
      } else {
        for (let x = 0; x < p.docs.length; x++) {
          const i = p.docs[x]!;
          if (seen[i]) score[i] = score[i]! + wIdf * p.sat[x]!;
        }
      }
    }
    for (const i of touched) seen[i] = 0;
    if (touched.length === 0) return [];
    const floor = touched.length > k ? kthLargest(score, touched, k) * (1 - 1e-9) : 0;
    return touched.filter((i) => score[i]! > 0 && score[i]! >= floor);
  }
}

/** The k-th largest of `values` over `ids` (k ≤ ids.length); k is small, so insertion into a short list. */
function kthLargest(values: Float64Array, ids: readonly number[], k: number): number {
  const top: number[] = [];
  for (const i of ids) {
    const v = values[i]!;
    if (top.length === k && v <= top[k - 1]!) continue;
    let at = top.length;
    while (at > 0 && v > top[at - 1]!) at--;
    top.splice(at, 0, v);
    if (top.length > k) top.pop();
  }
  return top[k - 1]!;
}

/** Where `value` sits in an ascending array, or −1. */
function indexOf(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === value) return mid;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
