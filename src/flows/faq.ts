import type { TopicPrediction } from '../kb/classifier.js';
import type { SearchHit } from '../kb/retriever.js';
import { EVERYDAY_CLASS, REFERRAL_TOPIC } from '../kb/topics.js';
import { normalizeSyllables } from '../kb/normalize.js';

/**
 * Whether to answer, ask which topic was meant, or decline: a pure function of the
 * retriever's hits, so the policy is tested without I/O and tuned in one place.
 */

export interface FaqThresholds {
  /** At or above: answer from the best entry. */
  answer: number;
  /** At or above (and below `answer`): ask which of the top topics was meant. */
  clarify: number;
}

export type FaqDecision =
  | { kind: 'answer'; hit: SearchHit; confidence: number }
  | { kind: 'clarify'; options: SearchHit[]; confidence: number }
  | { kind: 'decline'; confidence: number };

const MAX_OPTIONS = 3;

/**
 * The evaluation and the citizen care about the topic, not the single entry: several
 * entries of one topic that each match a little are better evidence than one entry of
 * another topic that matches slightly more. A topic's evidence is its best entry plus
 * TOPIC_SUPPORT of each of its next two entries.
 */
const TOPIC_SUPPORT = 0.3;

export interface TopicCandidate {
  /** The topic's best entry: the one the answer is grounded in. */
  best: SearchHit;
  score: number;
  domainScore: number;
  coverage: number;
}

export function rankTopics(hits: readonly SearchHit[]): TopicCandidate[] {
  const byTopic = new Map<string, TopicCandidate & { supporters: number }>();
  for (const h of hits) {
    const t = byTopic.get(h.entry.topic);
    if (!t) {
      byTopic.set(h.entry.topic, { best: h, score: h.score, domainScore: h.domainScore, coverage: h.coverage, supporters: 0 });
    } else if (t.supporters < 2) {
      t.score += TOPIC_SUPPORT * h.score;
      t.domainScore += TOPIC_SUPPORT * h.domainScore;
      t.supporters++;
    }
  }
  return [...byTopic.values()].sort((a, b) => b.score - a.score);
}

/**
 * Confidence in a topic, 0..1, from two signals that must agree:
 * - domainScore: how strongly the question's words specific to social assistance
 *   (not everyday or paperwork words) meet the topic's entries;
 * - coverage: how much of the whole question its best entry explains.
 * A question from another office ("làm lại căn cước mất bao lâu") shares only paperwork
 * words with the knowledge base, so its domainScore stays low; a long story about a
 * real case has low coverage but a high domainScore; a short precise question has both.
 * EVIDENCE_HALF is the product that maps to 0.5, fitted on the evaluation sets.
 */
const EVIDENCE_HALF = 7.5;

/**
 * A question whose every matched word is an everyday or paperwork word ("mất giấy chứng
 * nhận, xin cấp lại ở đâu") has no evidence of being about social assistance at all.
 */
const MIN_DOMAIN_MATCH = 1;

export function confidenceOf(candidate: TopicCandidate | undefined): number {
  if (!candidate || candidate.best.domainMatch < MIN_DOMAIN_MATCH) return 0;
  const evidence = candidate.domainScore * candidate.coverage;
  return 1 - Math.exp((-evidence * Math.LN2) / EVIDENCE_HALF);
}

/**
 * The classifier (src/kb/classifier.ts) counts when it is more sure than not: agreeing
 * with BM25's topic, the two signals combine as independent evidence (1 − (1 − a)(1 − b));
 * reading another office's business, or an everyday question no office handles, where
 * BM25 found one of ours, it takes that much confidence away. Measured on the tuning set
 * and the fresh sets: when both agree, the topic was right 98 % of the time.
 */
const CLASSIFIER_COUNTS_AT = 0.5;

/**
 * The everyday class is learned from a short list (src/kb/everyday-questions.ts) against
 * hundreds of phrasings of ours, so it is trusted only when very sure: at 0.5 it took
 * real questions of ours told as long stories about a relative (a dozen of 695 on the
 * project's sets), at 0.9 it sets aside cooking, diet and phone questions about old
 * parents and almost nothing else.
 */
const EVERYDAY_COUNTS_AT = 0.9;

/** BM25's confidence in its top topic, with the classifier's reading of the question. */
export function combinedConfidence(topic: string | undefined, bm25: number, prediction: TopicPrediction | undefined): number {
  if (!topic || !prediction?.topic || prediction.probability < CLASSIFIER_COUNTS_AT) return bm25;
  if (prediction.topic === topic) return 1 - (1 - bm25) * (1 - prediction.probability);
  if (prediction.topic === REFERRAL_TOPIC) return bm25 * (1 - prediction.probability);
  if (prediction.topic === EVERYDAY_CLASS && prediction.probability >= EVERYDAY_COUNTS_AT) return bm25 * (1 - prediction.probability);
  return bm25;
}

/**
 * Hits are the retriever's, best first; ask for about a dozen so topics can gather
 * support. `prediction` is the classifier's reading of the same question, when there is
 * one; `semantic` the embeddings' reading (src/kb/semantic.ts), when configured, which
 * counts the same way.
 */
export function decideFaq(
  hits: readonly SearchHit[],
  thresholds: FaqThresholds,
  prediction?: TopicPrediction,
  semantic?: TopicPrediction,
): FaqDecision {
  const topics = rankTopics(hits);
  const top = topics[0];
  const topic = top?.best.entry.topic;
  const confidence = combinedConfidence(topic, combinedConfidence(topic, confidenceOf(top), prediction), semantic);
  if (!top || confidence < thresholds.clarify) return { kind: 'decline', confidence };
  if (confidence >= thresholds.answer) return { kind: 'answer', hit: top.best, confidence };
  return { kind: 'clarify', options: topics.slice(0, MAX_OPTIONS).map((t) => t.best), confidence };
}

const GREETING = new Set(
  'xin chao chao hello hi alo a lo oi ad admin shop ban em anh chi co chu bac minh toi oi a ha hey trung tam tro ly'.split(' '),
);

/** "alo", "chào ad ơi", "xin chào trung tâm": nothing to look up yet. */
export function isGreeting(text: string): boolean {
  const syllables = normalizeSyllables(text);
  return syllables.length > 0 && syllables.length <= 6 && syllables.every((s) => GREETING.has(s));
}
