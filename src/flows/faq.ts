import type { SearchHit } from '../kb/retriever.js';
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
 * Confidence of the best hit, 0..1, from two signals that must agree:
 * - domainScore: how strongly the question's words specific to social assistance
 *   (not everyday or paperwork words) meet the entry;
 * - coverage: how much of the whole question the entry explains.
 * A question from another office ("làm lại căn cước mất bao lâu") shares only paperwork
 * words with the knowledge base, so its domainScore stays low; a long story about a
 * real case has low coverage but a high domainScore; a short precise question has both.
 * EVIDENCE_HALF is the product that maps to 0.5, fitted on the evaluation sets.
 */
const EVIDENCE_HALF = 6.6;

export function confidenceOf(hits: readonly SearchHit[]): number {
  const top = hits[0];
  if (!top) return 0;
  const evidence = top.domainScore * top.coverage;
  return 1 - Math.exp((-evidence * Math.LN2) / EVIDENCE_HALF);
}

export function decideFaq(hits: readonly SearchHit[], thresholds: FaqThresholds): FaqDecision {
  const confidence = confidenceOf(hits);
  const top = hits[0];
  if (!top || confidence < thresholds.clarify) return { kind: 'decline', confidence };
  if (confidence >= thresholds.answer) return { kind: 'answer', hit: top, confidence };
  const options: SearchHit[] = [];
  const topics = new Set<string>();
  for (const h of hits) {
    if (topics.has(h.entry.topic)) continue;
    topics.add(h.entry.topic);
    options.push(h);
    if (options.length === MAX_OPTIONS) break;
  }
  return { kind: 'clarify', options, confidence };
}

const GREETING = new Set(
  'xin chao chao hello hi alo a lo oi ad admin shop ban em anh chi co chu bac minh toi oi a ha hey trung tam tro ly'.split(' '),
);

/** "alo", "chào ad ơi", "xin chào trung tâm": nothing to look up yet. */
export function isGreeting(text: string): boolean {
  const syllables = normalizeSyllables(text);
  return syllables.length > 0 && syllables.length <= 6 && syllables.every((s) => GREETING.has(s));
}
