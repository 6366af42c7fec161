/**
 * Hands out waiting tickets to counsellors in one pass, with one routing method.
 *
 * Tickets are taken most urgent first, then oldest first (queueOrder; never newest
 * first), whatever order they were given in. Each planned assignment is counted in this
 * function's own copy of the counsellors (one more open chat, the most recent assignment),
 * so a counsellor who comes back with room for two gets the two most urgent or oldest
 * tickets and no more, and the next ticket goes to whoever is then least busy.
 *
 * A reopened ticket (reopenedAt set) goes back to its last assignee (lastAssigneeId) when
 * that person is eligible (available, below cap), before the method is asked, whatever
 * their team: the citizen returns to the one who knew the conversation. Only reopened
 * tickets: a ticket a counsellor handed back to a team's queue must not bounce straight
 * back to them. This applies only to methods that assign automatically; with 'manual'
 * nothing is planned.
 *
 * Whatever a method answers, the plan never gives a ticket to someone unknown, away,
 * offline or at their cap: such an answer leaves the ticket waiting. A ticket nobody can
 * take is skipped and the next one is tried (it may belong to another team).
 *
 * The plan is a proposal: the caller claims each ticket in the store (a conditional
 * write with maxOpen), and a refused claim simply leaves that ticket for the next round.
 *
 * @example
 * for (const { ticketId, counsellorId } of planAssignments(waiting, views, getRoutingMethod('least-busy'))) {
 *   await store.tickets.claim(ticketId, counsellorId, now, { maxOpen });
 * }
 */
import type { Ticket } from '../../store/types.js';
import { eligible, queueOrder, type CounsellorView, type RoutingMethod } from './method.js';

/** One ticket for one counsellor, to be claimed in the store. */
export interface PlannedAssignment {
  ticketId: string;
  counsellorId: string;
}

/**
 * Who gets which waiting ticket this round, in the order to claim them (see the file
 * header for the rules: queue order, counted caps, reopened tickets to their last holder).
 *
 * @example planAssignments(waiting, views, leastBusyRouting) // [{ ticketId: 't-7', counsellorId: 'c-2' }]
 */
export function planAssignments(waiting: readonly Ticket[], counsellors: readonly CounsellorView[], method: RoutingMethod): PlannedAssignment[] {
  if (!method.autoAssigns) return [];
  const views = counsellors.map((c) => ({ ...c, teams: [...c.teams], communeCodes: [...c.communeCodes] }));
  const byId = new Map(views.map((c) => [c.id, c]));
  // No clock here: a planned assignment only has to be later than every one before it,
  // so that the least-busy tie-break sees it as the most recent.
  let clock = Math.max(0, ...views.map((c) => c.lastAssignedAt?.getTime() ?? 0));
  const plan: PlannedAssignment[] = [];
  for (const ticket of [...waiting].filter((t) => t.status === 'waiting').sort(queueOrder)) {
    const previous = ticket.reopenedAt && ticket.lastAssigneeId ? byId.get(ticket.lastAssigneeId) : undefined;
    const chosenId = previous && eligible(previous) ? previous.id : method.pick(ticket, views);
    const chosen = chosenId === null ? undefined : byId.get(chosenId);
    if (!chosen || !eligible(chosen)) continue;
    chosen.openCount += 1;
    chosen.lastAssignedAt = new Date(++clock);
    plan.push({ ticketId: ticket.id, counsellorId: chosen.id });
  }
  return plan;
}
