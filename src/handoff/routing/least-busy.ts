/**
 * 'least-busy': a waiting ticket goes to an available counsellor of its team who is below
 * their cap, the one with the fewest open chats; on a tie, the one whose last assignment
 * is oldest (never assigned counts as oldest), then by id, so the same snapshot always
 * gives the same answer. When nobody in the ticket's team can take it, the general team
 * ('chung') is tried the same way; when nobody there can either, the ticket waits (null).
 *
 * Fewest open chats rather than a round-robin turn: a counsellor who has just closed
 * three chats should be the next to get one, and the tie-break spreads new work across
 * equally idle people.
 *
 * @example leastBusyRouting.pick(ticket, views) // 'c-2', or null to wait
 */
import { GENERAL_TEAM } from '../teams.js';
import { eligible, type CounsellorView, type RoutingMethod } from './method.js';

/**
 * Orders counsellors from least to most busy: fewest open chats, then oldest last
 * assignment (null first), then id.
 *
 * @example [...candidates].sort(byLoad)[0]
 */
export function byLoad(a: CounsellorView, b: CounsellorView): number {
  const last = (c: CounsellorView) => c.lastAssignedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  return a.openCount - b.openCount || last(a) - last(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The least busy of the eligible candidates (available, below cap), or null when none is.
 *
 * @example leastBusyOf(views.filter((c) => c.teams.includes('tam-ly')))
 */
export function leastBusyOf(candidates: readonly CounsellorView[]): CounsellorView | null {
  return candidates.filter(eligible).sort(byLoad)[0] ?? null;
}

export const leastBusyRouting: RoutingMethod = {
  name: 'least-busy',
  autoAssigns: true,
  pick(ticket, counsellors) {
    const ofTeam = (team: string) => leastBusyOf(counsellors.filter((c) => c.teams.includes(team)));
    return (ofTeam(ticket.team) ?? (ticket.team === GENERAL_TEAM ? null : ofTeam(GENERAL_TEAM)))?.id ?? null;
  },
};
