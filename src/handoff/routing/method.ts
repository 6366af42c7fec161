/**
 * The one interface every routing algorithm implements, and the facts they decide on.
 *
 * A routing method only answers "who should get this ticket now?" from a snapshot of the
 * counsellors: it reads no store and claims nothing. The caller (a scheduler or the
 * console) turns its answer into a conditional claim in the store, so a wrong or stale
 * answer costs at most a refused claim, never a double assignment.
 *
 * One small file per algorithm (manual.ts, least-busy.ts, area.ts), each stating its
 * policy in its header; registry.ts looks them up by the name in configuration.
 */
import type { Presence, Staff, Ticket } from '../../store/types.js';

/**
 * What routing needs to know about one staff member at this moment.
 *
 * @example
 * const view: CounsellorView = toCounsellorView(staff, openCounts.get(staff.id) ?? 0, lastAssigned.get(staff.id) ?? null);
 */
export interface CounsellorView {
  id: string;
  presence: Presence;
  /** Team ids this person serves (HANDOFF_TEAMS). */
  teams: string[];
  /** Commune codes this person covers (area routing). */
  communeCodes: string[];
  /** Most open chats at once for auto-assignment. */
  maxOpen: number;
  /** Open (assigned or on-hold) tickets this person holds now. */
  openCount: number;
  /** When this person was last given a ticket; null if never (counts as longest ago). */
  lastAssignedAt: Date | null;
}

/**
 * A routing algorithm. `autoAssigns: false` means tickets wait for a counsellor to pick
 * them (pick() is then never asked); `pick` returns the chosen counsellor's id, or null
 * to leave the ticket waiting.
 *
 * @example
 * const method = getRoutingMethod('least-busy');
 * const who = method.autoAssigns ? method.pick(ticket, views) : null;
 */
export interface RoutingMethod {
  /** The name configuration uses (HANDOFF_ROUTING), e.g. 'manual'. */
  name: string;
  autoAssigns: boolean;
  pick(ticket: Ticket, counsellors: readonly CounsellorView[]): string | null;
}

/**
 * Can this person be given one more ticket automatically? Only when available (nobody is
 * assigned while away or offline) and below their cap. Team and area are each method's
 * own business, so they are not checked here.
 *
 * @example counsellors.filter(eligible)
 */
export function eligible(c: CounsellorView): boolean {
  return c.presence === 'available' && c.openCount < c.maxOpen;
}

/**
 * The queue's order: most urgent first (lower HANDOFF_PRIORITY), then oldest first, then
 * by id so equal tickets always come out the same way. Never newest first: the person who
 * has waited longest at a given urgency is served first.
 *
 * @example [...waiting].sort(queueOrder)
 */
export function queueOrder(a: Ticket, b: Ticket): number {
  return a.priority - b.priority || a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * A routing snapshot of a staff record. A disabled account is seen as offline, so it is
 * never given a ticket whatever its stored presence.
 *
 * @example toCounsellorView(staff, openCounts.get(staff.id) ?? 0, null)
 */
export function toCounsellorView(staff: Staff, openCount: number, lastAssignedAt: Date | null): CounsellorView {
  return {
    id: staff.id,
    presence: staff.disabled ? 'offline' : staff.presence,
    teams: [...staff.teams],
    communeCodes: [...staff.communeCodes],
    maxOpen: staff.maxOpen,
    openCount,
    lastAssignedAt,
  };
}
