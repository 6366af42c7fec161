/**
 * The human side of the store: handoff tickets, staff accounts and their sessions,
 * internal notes. Re-exported by src/store/types.ts, where every repository interface is
 * found; kept here so that each file holds one part of what the assistant keeps.
 */
import type { Channel, RiskCategory } from './types.js';

/** Lower number = served first. */
export const HANDOFF_PRIORITY = { urgent: 0, checkIn: 1, normal: 2 } as const;
/**
 * A handoff ticket's life: waiting in the queue → assigned to a counsellor (→ on hold →
 * assigned) → closed with an outcome, or abandoned (the citizen left before anyone came).
 * waiting, assigned and on-hold are "open": a citizen has at most one open ticket.
 */
export const TICKET_STATUSES = ['waiting', 'assigned', 'on-hold', 'closed', 'abandoned'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const OPEN_TICKET_STATUSES: readonly TicketStatus[] = ['waiting', 'assigned', 'on-hold'];
export const isOpenTicketStatus = (s: TicketStatus): boolean => OPEN_TICKET_STATUSES.includes(s);

/** Why the ticket was opened: the citizen asked, the bot could not answer, an intake finished, a risk sign, a staff member flagged the conversation. */
export const TICKET_REASONS = ['risk', 'citizen-asked', 'no-answer', 'intake', 'staff-flagged'] as const;
export type TicketReason = (typeof TICKET_REASONS)[number];

export interface NewTicket {
  conversationId: string;
  /** citizenKeyOf(conversation): at most one open ticket per citizen. */
  citizenKey: string;
  channel: Channel;
  /** HANDOFF_PRIORITY: lower is served first. */
  priority: number;
  reason: TicketReason;
  /** Set when reason is 'risk'. */
  riskCategory: RiskCategory | null;
  /** The stored inbound message that led to it; null when raised by a timer or by staff. */
  messageId: string | null;
  /** A team id from configuration (HANDOFF_TEAMS), e.g. 'tam-ly', 'chung'. */
  team: string;
  /** Official codes (shared/admin-units) when known, for area routing. */
  provinceCode: string | null;
  communeCode: string | null;
  /** The intake case it belongs to, once there is one. */
  caseId: string | null;
  /** Arrival: the queue is ordered by priority, then by this. */
  createdAt: Date;
}

export interface Ticket extends NewTicket {
  id: string;
  status: TicketStatus;
  updatedAt: Date;
  /** How many times it was raised or repeated while open. */
  raises: number;
  /** The counsellor (Staff.id) holding it; null while waiting and once closed. */
  assigneeId: string | null;
  /** When the current assignee took it (first assignment: the wait ends here). */
  assignedAt: Date | null;
  /** First counsellor message to the citizen since it was opened. */
  firstResponseAt: Date | null;
  /** The last counsellor who held it (kept after close: a reopen is offered to them first). */
  lastAssigneeId: string | null;
  closedAt: Date | null;
  /** Staff.id, 'system' or 'citizen'. */
  closedBy: string | null;
  /** A code from CLOSE_OUTCOMES (closed) or 'abandoned'. */
  outcome: string | null;
  closeNote: string | null;
  /** Set once when it was escalated to supervisors for waiting too long. */
  escalatedAt: Date | null;
  reopenedAt: Date | null;
  /** The citizen's one-tap rating after close, 1 (bad) to 3 (good); null until given. */
  satisfaction: number | null;
}

/** Where a transfer sends a ticket: straight to a colleague, or back to a team's queue. */
export type TransferTarget = { counsellorId: string } | { team: string };

export interface TicketRepository {
  /**
   * Records a request to reach a human. A citizen has at most one open ticket: when one is
   * open it is kept (same id, createdAt and team kept, `raises` incremented) and, when the
   * new priority is more urgent (lower), its priority, reason, riskCategory and messageId
   * take the new values; caseId, provinceCode and communeCode fill in where still null.
   * Safe across instances (unique index on the open ticket's citizen, retry on a duplicate key).
   */
  open(ticket: NewTicket): Promise<{ ticket: Ticket; created: boolean }>;
  get(id: string): Promise<Ticket | null>;
  findOpenByCitizen(citizenKey: string): Promise<Ticket | null>;
  findOpenByConversation(conversationId: string): Promise<Ticket | null>;
  /** The citizen's most recently closed ticket if it was closed at or after `closedSince` (reopen window). */
  findRecentlyClosed(citizenKey: string, closedSince: Date): Promise<Ticket | null>;
  /**
   * Tickets in these statuses (default: open ones), optionally of one assignee or team,
   * most urgent first, then oldest first (never newest first).
   */
  list(filter?: { statuses?: readonly TicketStatus[]; assigneeId?: string; team?: string; limit?: number }): Promise<Ticket[]>;
  /** Tickets created at or after `since` (any status), oldest first: for the numbers. */
  listCreatedSince(since: Date, limit?: number): Promise<Ticket[]>;
  /** Open tickets (assigned or on hold) per assignee: for caps and least-busy routing. */
  countOpenByAssignee(): Promise<Map<string, number>>;
  /**
   * waiting → assigned to `counsellorId`: a conditional write, so of several claimers
   * (people or instances) exactly one gets the ticket; the others get null. With
   * `maxOpen`, refused (null) when the counsellor already holds that many open tickets
   * (checked in the same transaction on SQLite; on MongoDB checked just before, so a
   * race can exceed it by one).
   */
  claim(id: string, counsellorId: string, now: Date, options?: { maxOpen?: number }): Promise<Ticket | null>;
  /**
   * An assigned or on-hold ticket moves to a colleague (assigned to them) or to a team's
   * queue (waiting, no assignee). With `expectAssignee`, only if that counsellor holds it.
   */
  transfer(id: string, to: TransferTarget, now: Date, expectAssignee?: string): Promise<Ticket | null>;
  /** assigned → on-hold and back, only by the one holding it. */
  hold(id: string, counsellorId: string, now: Date): Promise<Ticket | null>;
  resume(id: string, counsellorId: string, now: Date): Promise<Ticket | null>;
  /** An assigned ticket nobody has answered yet goes back to waiting (its holder went away). Only if `counsellorId` still holds it. */
  release(id: string, counsellorId: string, now: Date): Promise<Ticket | null>;
  /**
   * Any open ticket → closed (or abandoned), with who, outcome code and note; the
   * assignee becomes lastAssigneeId. With `expectAssignee`, only if that counsellor holds it.
   */
  close(
    id: string,
    close: { by: string; outcome: string; note: string | null; status?: 'closed' | 'abandoned'; expectAssignee?: string },
    now: Date,
  ): Promise<Ticket | null>;
  /** closed → waiting again (the citizen wrote within the reopen window); null if it is not closed or the citizen already has an open ticket. */
  reopen(id: string, now: Date): Promise<Ticket | null>;
  /** Sets firstResponseAt if still null; true when this call set it. */
  markFirstResponse(id: string, now: Date): Promise<boolean>;
  /** Sets escalatedAt if still null; true for exactly one caller (supervisors are told once). */
  markEscalated(id: string, now: Date): Promise<boolean>;
  /** Fills caseId / area where still null (an intake finished while the ticket was open). */
  attachCase(id: string, details: { caseId: string; provinceCode: string | null; communeCode: string | null }, now: Date): Promise<Ticket | null>;
  /** The citizen's rating after close (first one wins); false if already rated or not closed. */
  rate(id: string, satisfaction: number, now: Date): Promise<boolean>;
  /**
   * The citizen's tickets, any status, newest first (at most `limit`, default 20): the
   * console shows a counsellor what came of the citizen's earlier requests. The emptied
   * key '' of anonymised tickets belongs to nobody and lists nothing.
   */
  listByCitizen(citizenKey: string, limit?: number): Promise<Ticket[]>;
  /**
   * Erasure ("xóa thông tin của tôi"): the citizen's closed and abandoned tickets stay as
   * counts (status, reason, team, risk category, outcome, rating, dates) with citizenKey
   * emptied ('') and closeNote null. An open ticket is left as it is: a counsellor may
   * still be serving the citizen, and one-open-ticket-per-citizen (and its unique index)
   * needs the key; it holds no close note yet. Returns how many changed.
   */
  anonymiseCitizen(citizenKey: string): Promise<number>;
  /**
   * Retention: closed and abandoned tickets whose closedAt is before `cutoff` are
   * anonymised the same way. Returns how many changed (already anonymised ones do not count).
   */
  anonymiseBefore(cutoff: Date): Promise<number>;
}

export const STAFF_ROLES = ['counsellor', 'supervisor', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
/** Nobody is assigned while away or offline. */
export const PRESENCES = ['available', 'away', 'offline'] as const;
export type Presence = (typeof PRESENCES)[number];

export interface NewStaff {
  /** Login name, stored lowercased; unique. */
  username: string;
  displayName: string;
  role: StaffRole;
  /** scrypt hash in the self-describing form of src/console/auth/passwords.ts; never logged. */
  passwordHash: string;
  /** Team ids this person serves (HANDOFF_TEAMS). */
  teams: string[];
  /** Commune codes this person covers (area routing: counsellors and village collaborators). */
  communeCodes: string[];
  /** Most open chats at once for auto-assignment. */
  maxOpen: number;
  /**
   * Writes knowledge drafts in the console (supervisors and admins always may); approving
   * stays with supervisors and admins. Default false.
   */
  canEditKnowledge?: boolean;
  createdAt: Date;
}

export interface Staff extends NewStaff {
  id: string;
  canEditKnowledge: boolean;
  presence: Presence;
  presenceAt: Date;
  /** Last request or action in the console: idle detection. */
  lastActiveAt: Date | null;
  failedLogins: number;
  lockedUntil: Date | null;
  disabled: boolean;
}

export interface StaffRepository {
  /** Throws DuplicateUsernameError when the (lowercased) username exists. Starts offline. */
  create(staff: NewStaff): Promise<Staff>;
  get(id: string): Promise<Staff | null>;
  getByUsername(username: string): Promise<Staff | null>;
  list(): Promise<Staff[]>;
  update(id: string, patch: Partial<Pick<Staff, 'displayName' | 'role' | 'passwordHash' | 'teams' | 'communeCodes' | 'maxOpen' | 'disabled' | 'canEditKnowledge'>>): Promise<Staff | null>;
  setPresence(id: string, presence: Presence, now: Date): Promise<Staff | null>;
  touchActive(id: string, now: Date): Promise<void>;
  /** Available staff whose last activity is before `idleSince` (to be set away). */
  listIdle(idleSince: Date): Promise<Staff[]>;
  /**
   * Counts a failed login; at `lockAfter` failures in a row the account is locked until
   * now + lockMs and the count starts again. Returns the account after the change.
   */
  recordFailedLogin(id: string, now: Date, lockAfter: number, lockMs: number): Promise<Staff | null>;
  /** A successful login: failures back to 0. */
  clearFailedLogins(id: string): Promise<void>;
}

export class DuplicateUsernameError extends Error {
  constructor(username: string) {
    super(`username "${username}" is taken`);
    this.name = 'DuplicateUsernameError';
  }
}

/** A console login. The cookie holds a random token; the store keeps only its SHA-256. */
export interface StaffSession {
  tokenHash: string;
  staffId: string;
  /** Synchroniser token: every state-changing request must send it (X-CSRF-Token). */
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface SessionRepository {
  create(session: StaffSession): Promise<void>;
  /** The session if it exists and has not expired at `now`. */
  get(tokenHash: string, now: Date): Promise<StaffSession | null>;
  /** Sliding expiry. */
  extend(tokenHash: string, expiresAt: Date): Promise<void>;
  delete(tokenHash: string): Promise<void>;
  /** Every session of one account (password change, account disabled). */
  deleteByStaff(staffId: string): Promise<number>;
}

/** An internal note on a conversation: staff only, never sent to the citizen. */
export interface NewNote {
  conversationId: string;
  ticketId: string | null;
  authorId: string;
  text: string;
  createdAt: Date;
}
export interface Note extends NewNote {
  id: string;
}
export interface NoteRepository {
  add(note: NewNote): Promise<Note>;
  /** Notes of these conversations, oldest first. */
  listByConversations(conversationIds: readonly string[]): Promise<Note[]>;
  /** Erasure: notes of these conversations are deleted. Returns how many. */
  deleteByConversations(conversationIds: readonly string[]): Promise<number>;
  /**
   * Retention: notes written before `cutoff` are deleted (staff write about the citizen in
   * them, so they go with the cases, after CASE_RETENTION_DAYS). Returns how many.
   */
  deleteBefore(cutoff: Date): Promise<number>;
}
