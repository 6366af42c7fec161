/**
 * Presence rules: who has gone idle and should be set away, and which tickets their
 * going away puts back in the queue. Pure: the caller lists staff and tickets, passes the
 * clock, and carries out setPresence / release in the store.
 *
 * @example
 * const away = dueForAway(await store.staff.list(), now, DEFAULT_IDLE_MINUTES * 60_000);
 * for (const t of ticketsToReoffer(openTickets, new Set([...away, ...offlineIds]))) await store.tickets.release(t.id, t.assigneeId!, now);
 */
import type { Staff, Ticket } from '../store/types.js';
import { queueOrder } from './routing/method.js';

/** Ten quiet minutes in the console and an available counsellor is set away. */
export const DEFAULT_IDLE_MINUTES = 10;

/**
 * Ids of available staff idle for more than `idleMs`: their last activity (or, never
 * active, the moment they set their presence) is before now - idleMs. The later of the
 * two counts, so someone who has just made themselves available is not set away at once
 * on the strength of yesterday's activity. Away and offline staff are left alone.
 *
 * @example dueForAway(staff, now, 10 * 60_000) // ['c-3']
 */
export function dueForAway(staff: readonly Staff[], now: Date, idleMs: number): string[] {
  const cutoff = now.getTime() - idleMs;
  return staff
    .filter((s) => s.presence === 'available')
    .filter((s) => Math.max(s.presenceAt.getTime(), s.lastActiveAt?.getTime() ?? Number.NEGATIVE_INFINITY) < cutoff)
    .map((s) => s.id);
}

/**
 * Assigned tickets held by someone away or offline that no counsellor has answered yet
 * (firstResponseAt null), most urgent and oldest first: the citizen has heard nothing, so
 * the ticket goes back to the queue rather than waiting for that person to return. A
 * ticket already answered, or put on hold, stays with its holder (the conversation has
 * started; a supervisor can transfer it).
 *
 * @example ticketsToReoffer(openTickets, new Set(['c-3'])).map((t) => t.id)
 */
export function ticketsToReoffer(tickets: readonly Ticket[], awayIds: ReadonlySet<string>): Ticket[] {
  return tickets
    .filter((t) => t.status === 'assigned' && t.assigneeId !== null && awayIds.has(t.assigneeId) && t.firstResponseAt === null)
    .sort(queueOrder);
}
