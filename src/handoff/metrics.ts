/**
 * Today's queue numbers for supervisors, from tickets alone (no store, no clock: the
 * caller passes the tickets created since vnDayStart(now), plus the ones still waiting,
 * and now).
 *
 * Definitions (each ticket counted once, even if passed twice; a ticket neither created
 * since dayStart nor waiting now is ignored, so passing extra tickets changes nothing):
 * - A ticket's clock starts when it entered the queue: reopenedAt for a reopened ticket
 *   (its earlier conversation is not waiting), else createdAt.
 * - wait: until a counsellor took it (assignedAt); a ticket still waiting counts with
 *   now - start, so the people waiting longest right now are in the numbers (leaving
 *   them out would make a queue nobody attends look fast); a ticket closed or abandoned
 *   without ever being assigned counts until closedAt (the citizen waited that long and
 *   left). After a transfer assignedAt is the later assignment, so such a wait reads long.
 * - first response: firstResponseAt - start, for answered tickets only.
 * - urgent (priority HANDOFF_PRIORITY.urgent) answered within 5 minutes: firstResponseAt
 *   - start ≤ 5 min. urgentShareWithin5Min = answered within 5 min / (urgent tickets
 *   whose 5 minutes are over or that have been answered): an unanswered urgent ticket
 *   still inside its 5 minutes (urgentPending) has not failed yet, so it does not lower
 *   the share; null when nothing is decided.
 * - percentiles by nearest rank: the value at position ceil(p/100 × n) of the sorted
 *   values (so every reported value really happened; the median of an even count is the
 *   lower middle one); null when there are no values.
 * - breakdowns: for each channel, team and risk (the category or 'none'), how many
 *   tickets were created today and how many are waiting now.
 * A sample whose end is before its start (inconsistent data) is left out.
 *
 * @example
 * const dayStart = vnDayStart(now);
 * const numbers = queueNumbers([...await store.tickets.listCreatedSince(dayStart), ...await store.tickets.list({ statuses: ['waiting'] })], now, dayStart);
 */
import { CHANNELS, HANDOFF_PRIORITY, RISK_CATEGORIES, type Channel, type RiskCategory, type Ticket } from '../store/types.js';
import { vnClock } from './office-hours.js';

/** The target for urgent tickets: a human answers within five minutes. */
export const URGENT_TARGET_MS = 5 * 60_000;

/** Tickets created today, and waiting now, in one slice of the queue. */
export interface Tally {
  today: number;
  waitingNow: number;
}

export interface QueueNumbers {
  waitingNow: number;
  createdToday: number;
  byChannel: Record<Channel, Tally>;
  /** Only the teams that appear in the tickets. */
  byTeam: Record<string, Tally>;
  byRisk: Record<RiskCategory | 'none', Tally>;
  waitMedianMs: number | null;
  waitP90Ms: number | null;
  firstResponseMedianMs: number | null;
  firstResponseP90Ms: number | null;
  urgentTotal: number;
  urgentAnsweredWithin5Min: number;
  /** Urgent, unanswered, still inside their 5 minutes. */
  urgentPending: number;
  urgentShareWithin5Min: number | null;
}

/**
 * The start of today in Vietnam time (00:00 UTC+7), as a Date: 17:00Z of the previous day.
 *
 * @example vnDayStart(new Date('2026-12-01T18:30:00Z')) // 2026-12-01T17:00:00.000Z (it is already 2/12 in Vietnam)
 */
export function vnDayStart(now: Date): Date {
  return vnClock(now).dayStart;
}

/**
 * The value at nearest rank ceil(p/100 × n) of the values; null when there are none.
 *
 * @example nearestRank([1, 2, 3, 4], 50) // 2
 */
export function nearestRank(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/**
 * The numbers above (see the file header for each definition), for a supervisor's view.
 *
 * @example queueNumbers(tickets, now, vnDayStart(now)).urgentShareWithin5Min // 0.75
 */
export function queueNumbers(tickets: readonly Ticket[], now: Date, dayStart: Date): QueueNumbers {
  const unique = [...new Map(tickets.map((t) => [t.id, t])).values()];
  const zero = (): Tally => ({ today: 0, waitingNow: 0 });
  const byChannel = Object.fromEntries(CHANNELS.map((c) => [c, zero()])) as Record<Channel, Tally>;
  const byRisk = Object.fromEntries([...RISK_CATEGORIES, 'none'].map((r) => [r, zero()])) as Record<RiskCategory | 'none', Tally>;
  const byTeam: Record<string, Tally> = {};
  const waits: number[] = [];
  const firstResponses: number[] = [];
  let waitingNow = 0;
  let createdToday = 0;
  let urgentTotal = 0;
  let urgentWithin = 0;
  let urgentPending = 0;

  for (const t of unique) {
    const today = t.createdAt.getTime() >= dayStart.getTime();
    const waiting = t.status === 'waiting';
    if (!today && !waiting) continue;
    const tallies = [(byChannel[t.channel] ??= zero()), (byTeam[t.team] ??= zero()), (byRisk[t.riskCategory ?? 'none'] ??= zero())];
    for (const tally of tallies) {
      if (today) tally.today++;
      if (waiting) tally.waitingNow++;
    }
    if (today) createdToday++;
    if (waiting) waitingNow++;

    const start = (t.reopenedAt ?? t.createdAt).getTime();
    const waitEnd = t.assignedAt ?? (waiting ? now : t.closedAt);
    if (waitEnd && waitEnd.getTime() >= start) waits.push(waitEnd.getTime() - start);
    const response = t.firstResponseAt && t.firstResponseAt.getTime() >= start ? t.firstResponseAt.getTime() - start : null;
    if (response !== null) firstResponses.push(response);

    if (t.priority === HANDOFF_PRIORITY.urgent) {
      urgentTotal++;
      if (response !== null && response <= URGENT_TARGET_MS) urgentWithin++;
      else if (response === null && now.getTime() - start < URGENT_TARGET_MS && t.status !== 'closed' && t.status !== 'abandoned') urgentPending++;
    }
  }

  const decided = urgentTotal - urgentPending;
  return {
    waitingNow,
    createdToday,
    byChannel,
    byTeam,
    byRisk,
    waitMedianMs: nearestRank(waits, 50),
    waitP90Ms: nearestRank(waits, 90),
    firstResponseMedianMs: nearestRank(firstResponses, 50),
    firstResponseP90Ms: nearestRank(firstResponses, 90),
    urgentTotal,
    urgentAnsweredWithin5Min: urgentWithin,
    urgentPending,
    urgentShareWithin5Min: decided > 0 ? urgentWithin / decided : null,
  };
}
