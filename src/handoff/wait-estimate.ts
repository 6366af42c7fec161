/**
 * What a waiting citizen is told about the queue: their place, roughly how long, and
 * when it is worth telling them again.
 *
 * @example
 * const position = queuePosition(ticket, teamWaiting);
 * const minutes = estimateWait({ position, recentWaitsMs, availableCounsellors: 2 });
 * if (worthTelling(lastTold, { position, minutes })) send(queueMessage(position, minutes));
 */
import type { Ticket } from '../store/types.js';
import { queueOrder } from './routing/method.js';

/**
 * The ticket's place in the queue, 1-based, in queue order (most urgent first, then
 * oldest): an urgent ticket that arrives later is ahead of a normal one that came first.
 * `waiting` should hold the tickets competing for the same counsellors (the team's
 * waiting tickets under team routing, all waiting tickets under 'manual'); the ticket
 * itself may or may not be in it, and non-waiting tickets in it are ignored.
 *
 * @example queuePosition(ticket, waiting) // 3
 */
export function queuePosition(ticket: Ticket, waiting: readonly Ticket[]): number {
  return 1 + waiting.filter((t) => t.id !== ticket.id && t.status === 'waiting' && queueOrder(t, ticket) < 0).length;
}

/**
 * Without recent waits to go on, each "round" (one counsellor becoming free for the next
 * ticket) is assumed to take five minutes: a cautious guess, since being answered sooner
 * than promised is fine and later is not.
 */
export const ASSUMED_ROUND_MS = 5 * 60_000;

/** The steps estimates are rounded up to, in minutes; past an hour, whole hours. */
export const WAIT_STEPS_MINUTES = [1, 2, 5, 10, 15, 20, 30, 45, 60] as const;

/**
 * Roughly how many minutes until a counsellor answers, or null when there is nothing to
 * base it on (no recent waits and nobody available).
 *
 * Formula: round = median of recentWaitsMs (ASSUMED_ROUND_MS when empty);
 * estimate = round × ceil(position / max(1, availableCounsellors)), then rounded UP to
 * the next of 1, 2, 5, 10, 15, 20, 30, 45, 60 minutes, then whole hours.
 * Why: with c counsellors taking tickets in parallel, the person at place p is reached
 * in about ceil(p / c) rounds, and a recent ticket's wait (from arrival to a counsellor
 * taking it) is the best local measure of a round. The median, not the mean, so one
 * ticket left overnight does not inflate every estimate. With nobody available the
 * recent waits still apply (c = 1): someone usually comes back. Rounding up to coarse
 * steps avoids promising a precision the formula does not have.
 *
 * @example estimateWait({ position: 3, recentWaitsMs: [240_000, 300_000, 360_000], availableCounsellors: 2 }) // 10
 */
export function estimateWait(input: { position: number; recentWaitsMs: readonly number[]; availableCounsellors: number }): number | null {
  const { position, recentWaitsMs, availableCounsellors } = input;
  const waits = recentWaitsMs.filter((ms) => Number.isFinite(ms) && ms >= 0);
  if (waits.length === 0 && availableCounsellors <= 0) return null;
  const round = waits.length > 0 ? median(waits) : ASSUMED_ROUND_MS;
  const rounds = Math.ceil(Math.max(1, position) / Math.max(1, availableCounsellors));
  return roundUpMinutes((round * rounds) / 60_000);
}

/** The median (mean of the two middle values for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Rounds minutes up to the next step (at least 1); above an hour, to whole hours.
 *
 * @example roundUpMinutes(7) // 10; roundUpMinutes(61) // 120
 */
export function roundUpMinutes(minutes: number): number {
  const step = WAIT_STEPS_MINUTES.find((s) => minutes <= s);
  return step ?? Math.ceil(minutes / 60) * 60;
}

/** What the citizen was (or would be) told. */
export interface QueueStatus {
  position: number;
  minutes: number | null;
}

/**
 * Should the citizen hear an update? Yes the first time (previous null); when their place
 * changed and they are now among the first three (near the front every step matters,
 * further back it would be noise); when an estimate appears where there was none; and
 * when the estimate moved by at least 5 minutes AND at least 30 % of the previous one
 * (both, so 2 → 6 minutes and 60 → 70 minutes are not news). An estimate that becomes
 * unknown is not announced: "no news" would only worry them.
 *
 * @example worthTelling({ position: 5, minutes: 20 }, { position: 3, minutes: 15 }) // true
 */
export function worthTelling(previous: QueueStatus | null, next: QueueStatus): boolean {
  if (!previous) return true;
  if (next.position !== previous.position && next.position <= 3) return true;
  if (next.minutes === null) return false;
  if (previous.minutes === null) return true;
  const moved = Math.abs(next.minutes - previous.minutes);
  return moved >= 5 && moved >= 0.3 * previous.minutes;
}

/**
 * The sentence a waiting citizen reads.
 *
 * @example queueMessage(3, 10) // 'Bạn đang ở vị trí 3 trong hàng chờ, khoảng 10 phút nữa sẽ có người trả lời.'
 * @example queueMessage(1, null) // 'Bạn là người tiếp theo, tư vấn viên sẽ trả lời bạn sớm nhất có thể.'
 */
export function queueMessage(position: number, minutes: number | null): string {
  const place = position <= 1 ? 'Bạn là người tiếp theo' : `Bạn đang ở vị trí ${position} trong hàng chờ`;
  if (minutes === null) return `${place}, tư vấn viên sẽ trả lời bạn sớm nhất có thể.`;
  const span = minutes >= 60 ? `${Math.ceil(minutes / 60)} giờ` : `${Math.max(1, Math.ceil(minutes))} phút`;
  return `${place}, khoảng ${span} nữa sẽ có người trả lời.`;
}
