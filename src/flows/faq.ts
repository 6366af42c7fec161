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
 * Confidence of the best hit: its coverage of the question, lowered when the runner-up
 * from another topic scores almost as well (the question may be about either).
 */
export function confidenceOf(hits: readonly SearchHit[]): number {
  const [top, ...rest] = hits;
  if (!top) return 0;
  const rival = rest.find((h) => h.entry.topic !== top.entry.topic);
  const margin = rival ? Math.min(1, (top.score - rival.score) / top.score) : 1;
  const ambiguityPenalty = 0.15 * (1 - Math.min(1, margin * 4));
  return Math.max(0, Math.min(1, top.coverage - ambiguityPenalty));
}

export function decideFaq(hits: readonly SearchHit[], thresholds: FaqThresholds): FaqDecision {
  const confidence = confidenceOf(hits);
  const top = hits[0];
  // Ambiguity between topics calls for a question back, not a refusal: declining looks
  // at coverage alone.
  if (!top || top.coverage < thresholds.clarify) return { kind: 'decline', confidence };
  if (confidence >= thresholds.answer) return { kind: 'answer', hit: top, confidence };
  const options: SearchHit[] = [];
  const topics = new Set<string>();
  for (const h of hits) {
    if (topics.has(h.entry.topic) || h.coverage < thresholds.clarify) continue;
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
