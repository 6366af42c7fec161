/**
 * Repository interfaces: everything the assistant keeps. Each has a SQLite
 * implementation (embedded, one machine) and a MongoDB one (province, several app
 * instances); tests/store.contract.test.ts holds both to the same behaviour.
 *
 * Anything that must happen once across instances is a conditional write inside the
 * store (unique index, compare-and-set), never a check in process memory.
 */
import type { Storage } from 'botbuilder';
import type { KnowledgeEntry } from '../kb/entry.js';

export const CHANNELS = ['webchat', 'telegram', 'messenger', 'zalo'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Who the conversation is with, in the platform's own ids. */
export interface ConversationAddress {
  channel: Channel;
  /** The platform's id of the citizen (Telegram user id, PSID, Zalo user id, web user). */
  userId: string;
  /** The platform's id of the chat (Telegram chat id, Direct Line conversation id). */
  chatId: string;
}

/**
 * Who is answering the conversation now: the bot, the queue (a ticket waits), a counsellor,
 * or nobody (closed). A list so that input naming a status (the console's filters) can be checked.
 */
export const CONVERSATION_STATUSES = ['bot', 'queued', 'assigned', 'closed'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

export const RISK_CATEGORIES = ['tu-hai', 'xam-hai-tre-em', 'bao-luc', 'mua-ban-nguoi', 'cap-cuu', 'bo-roi'] as const;
export type RiskCategory = (typeof RISK_CATEGORIES)[number];
/** 'check-in': ambiguous distress, the bot asked; 'urgent': danger now, head of the queue. */
export type RiskLevel = 'check-in' | 'urgent';

/** Why a conversation is at risk: kept on the conversation until a counsellor closes it. */
export interface ConversationRisk {
  level: RiskLevel;
  /** Urgent: the category. Check-in: the category the signs lean to, if any. */
  category: RiskCategory | null;
  /** When this level was reached. */
  at: Date;
  /** The stored inbound message (StoredMessage.id) that raised it; null when raised by a timer. */
  messageId: string | null;
}

export interface Conversation extends ConversationAddress {
  id: string;
  /** botbuilder ConversationReference as JSON, to message the citizen later. */
  reference: Record<string, unknown>;
  status: ConversationStatus;
  createdAt: Date;
  updatedAt: Date;
  /** Last message from the citizen: platform messaging windows count from it. */
  lastInboundAt: Date | null;
  /** Why the conversation is at risk; null for new conversations. */
  risk: ConversationRisk | null;
  /**
   * The channel refused for good to carry messages to this citizen (blocked the bot,
   * closed messaging window, invalid recipient): the outbox stops sending and counsellors
   * see why. Cleared when the citizen writes again.
   */
  undeliverable: { reason: string; at: Date } | null;
}

export interface ConversationRepository {
  /** Finds the conversation at this address or creates it; refreshes the reference. */
  upsert(address: ConversationAddress, reference: Record<string, unknown>, now: Date): Promise<Conversation>;
  get(id: string): Promise<Conversation | null>;
  findByAddress(address: ConversationAddress): Promise<Conversation | null>;
  /** Every conversation of one platform account on one channel (a citizen's data rights). */
  listByUser(channel: Channel, userId: string): Promise<Conversation[]>;
  setStatus(id: string, status: ConversationStatus, now: Date): Promise<void>;
  /** The citizen wrote: lastInboundAt moves, and an `undeliverable` mark is cleared (they can be reached again). */
  touchInbound(id: string, now: Date): Promise<void>;
  /** The outbox met a permanent refusal: marks the conversation until the citizen writes again. */
  markUndeliverable(id: string, reason: string, at: Date): Promise<void>;
  /**
   * Sets the risk only if it is HIGHER than the current one (none < check-in < urgent):
   * a compare-and-set on the current level, so of several instances raising the same
   * conversation at once exactly one gets true for each level change. Returns false and
   * changes nothing when the current level is equal or higher (an urgent risk is never
   * replaced, not even by another urgent category). Also updates updatedAt when it changes.
   */
  raiseRisk(id: string, risk: ConversationRisk, now: Date): Promise<boolean>;
  /**
   * The citizen said they are safe: a 'check-in' risk becomes null. Never clears an
   * 'urgent' one (returns false then).
   */
  clearCheckIn(id: string, now: Date): Promise<boolean>;
  /**
   * Conversations whose risk level is 'check-in', raised at or before `raisedBefore`, and
   * status not 'closed', oldest first. (A scheduler escalates unanswered check-ins with raiseRisk.)
   */
  listCheckInsDue(raisedBefore: Date, limit?: number): Promise<Conversation[]>;
  /**
   * Conversations in these statuses (default: any), most recently updated first, at most
   * `limit` (default 100; negative: no limit). For the console, where supervisors look for
   * conversations the bot is handling that a person should take over (status 'bot').
   */
  listRecent(filter?: { statuses?: readonly ConversationStatus[]; limit?: number }): Promise<Conversation[]>;
}

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
  createdAt: Date;
}

export interface Staff extends NewStaff {
  id: string;
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
  update(id: string, patch: Partial<Pick<Staff, 'displayName' | 'role' | 'passwordHash' | 'teams' | 'communeCodes' | 'maxOpen' | 'disabled'>>): Promise<Staff | null>;
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

export type Direction = 'in' | 'out';

export interface NewMessage {
  conversationId: string;
  channel: Channel;
  direction: Direction;
  /** The platform's message id: the dedup key for inbound messages. */
  platformMessageId: string | null;
  text: string;
  /** The Activity as JSON (suggested actions, attachments, ids) for replay. */
  activity: Record<string, unknown>;
  createdAt: Date;
}

/**
 * Where an outbound message is on its way to the citizen (the outbox, src/bots/outbox.ts):
 * queued → sending → sent; or back to queued with a later attempt (rate limit, 5xx,
 * network); or failed for good (blocked, closed window, invalid recipient); or
 * unconfirmed: the process died while the platform call was in flight, so it may have
 * arrived and is not sent again (never twice), and counsellors see it.
 */
export const DELIVERY_STATUSES = ['queued', 'sending', 'sent', 'failed', 'unconfirmed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface Delivery {
  status: DeliveryStatus;
  /** Platform calls made for it so far. */
  attempts: number;
  /** Not before this (a retry's backoff or the platform's retry_after); null: at once. */
  nextAttemptAt: Date | null;
  /** Why the last attempt failed, as a short code ('rate-limited', 'blocked', 'window-closed', 'http-502'…); null when none failed. */
  error: string | null;
  sentAt: Date | null;
}

/** An outbound message, and which turn wrote it: a turn run again after a crash writes the same keys, and the store keeps one. */
export interface NewOutbound extends NewMessage {
  /** The inbound message whose turn wrote it; null for a message sent outside a turn (a counsellor's, a timer's). */
  replyTo: string | null;
  /** 0, 1, 2… within that turn. */
  replyIndex: number;
  /** 'sent' at once for channels where being stored is being delivered (web chat reads the store). */
  delivery: 'queued' | 'sent';
}

export interface StoredMessage extends NewMessage {
  id: string;
  /** Store-wide increasing sequence: the order of arrival across conversations. */
  seq: number;
  /**
   * 1, 2, 3… within its conversation: Direct Line watermarks. Gap-free on SQLite; on
   * MongoDB a gap can show for a moment while another instance's write completes, so a
   * reader stops before a gap (see src/bots/directline/readable.ts).
   */
  position: number;
  /** When the bot finished acting on an inbound message; null until then. */
  handledAt: Date | null;
  /** Outbound only: its way to the citizen; null for inbound messages. */
  delivery: Delivery | null;
}

export interface MessageRepository {
  /**
   * Stores an inbound message unless (channel, platformMessageId) is already stored;
   * `duplicate` is true, and nothing changes, for a redelivered webhook.
   */
  recordInbound(message: NewMessage): Promise<{ message: StoredMessage; duplicate: boolean }>;
  /**
   * Stores an outbound message. With a replyTo, (replyTo, replyIndex) is unique: a turn
   * run again after a crash gets the message it stored the first time back
   * (`duplicate: true`), so nothing is sent twice.
   */
  recordOutbound(message: NewOutbound): Promise<{ message: StoredMessage; duplicate: boolean }>;
  /**
   * Conversations with an outbound message due now (queued with no later attempt set, or
   * stuck in 'sending' after a crash), oldest first: the outbox worker's list.
   */
  listOutboxDue(now: Date, limit?: number): Promise<string[]>;
  /** The conversation's first outbound message not yet sent, failed or unconfirmed (queued or sending), by position: sends go in order. */
  nextOutbound(conversationId: string): Promise<StoredMessage | null>;
  /**
   * One step of a delivery, as a compare-and-set on its status: 'sending' only from
   * 'queued' (attempts + 1), 'sent' / 'failed' / 'unconfirmed' / 'queued' (a retry at
   * `nextAttemptAt`) only from 'sending' — except 'failed' and 'unconfirmed', also from
   * 'queued' (a conversation whose channel is closed, a stale 'sending'). False when the
   * message was not in an allowed state (another instance moved it).
   */
  setDelivery(
    id: string,
    change:
      | { status: 'sending'; at: Date }
      | { status: 'sent'; at: Date; platformMessageId: string | null }
      | { status: 'queued'; nextAttemptAt: Date; error: string }
      | { status: 'failed'; error: string; at: Date }
      | { status: 'unconfirmed'; at: Date },
  ): Promise<boolean>;
  /** Keeps an inbound message's claim going while a slow turn runs; false once handled or taken by someone else. */
  extendClaim(id: string, until: Date): Promise<boolean>;
  markHandled(id: string, at: Date): Promise<void>;
  /**
   * Takes the right to act on an unhandled inbound message until `until`, if nobody
   * holds it now (no claim, or a claim that ended by `now`). True for exactly one of
   * several instances trying at once; false once the message is handled.
   */
  claimInbound(id: string, now: Date, until: Date): Promise<boolean>;
  /** Messages of one conversation with a position greater than `afterPosition`, in order. */
  listByConversation(conversationId: string, afterPosition?: number, limit?: number): Promise<StoredMessage[]>;
  /** Inbound messages never acted on (the process died mid-turn), oldest first. */
  listUnhandledInbound(limit?: number): Promise<StoredMessage[]>;
  /**
   * Forgets what a message said: text becomes '' and the activity keeps only its type,
   * ids and timestamp, with `redacted: true`. For intake answers (not kept beyond the
   * turn) and erasure. Returns how many changed.
   */
  redact(ids: readonly string[]): Promise<number>;
  /** Erasure and retention: redacts every message of these conversations (created before `before`, if given). */
  redactConversations(conversationIds: readonly string[], before?: Date): Promise<number>;
  /** Retention: redacts up to `limit` messages created before `cutoff`, oldest first; call again while it returns `limit`. */
  redactBefore(cutoff: Date, limit?: number): Promise<number>;
  /**
   * The conversation's latest inbound message (the citizen's last word), redacted or not;
   * null when the citizen has written nothing. One indexed read, so a list of
   * conversations can show each one's last message without reading whole transcripts.
   */
  lastInbound(conversationId: string): Promise<StoredMessage | null>;
}

export interface StoredKnowledgeEntry extends KnowledgeEntry {
  version: number;
  hash: string;
  updatedAt: Date;
}

export interface KnowledgeRepository {
  /**
   * Makes the store hold exactly these entries: new ones at version 1, changed ones at
   * the next version (the old version is kept), removed ones retired. Returns counts.
   */
  sync(entries: readonly KnowledgeEntry[], now: Date): Promise<{ added: number; changed: number; retired: number }>;
  list(): Promise<StoredKnowledgeEntry[]>;
  get(id: string): Promise<StoredKnowledgeEntry | null>;
  versions(id: string): Promise<StoredKnowledgeEntry[]>;
}

export interface AuditEvent {
  at: Date;
  /** 'system', 'bot', or a staff account id; never a citizen's personal data. */
  actor: string;
  action: string;
  subject: string;
  detail?: Record<string, unknown>;
}

export interface AuditRepository {
  append(event: AuditEvent): Promise<void>;
  list(filter?: { subject?: string; action?: string; limit?: number }): Promise<AuditEvent[]>;
}

/** What a citizen agreed to, separately: intake and support; being called back; a guardian's agreement for a child. */
export const CONSENT_PURPOSES = ['intake', 'callback', 'guardian'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/**
 * The citizen as a data subject: one platform account on one channel ("telegram:123").
 * Data rights ("xem", "xóa thông tin của tôi") act on everything kept under this key.
 */
export const citizenKeyOf = (address: Pick<ConversationAddress, 'channel' | 'userId'>): string => `${address.channel}:${address.userId}`;

export interface NewConsent {
  citizenKey: string;
  conversationId: string;
  channel: Channel;
  purpose: ConsentPurpose;
  decision: 'granted' | 'declined';
  /** Version of the notice the citizen was shown (config CONSENT_TEXT_VERSION). */
  textVersion: string;
  at: Date;
}

export interface ConsentRecord extends NewConsent {
  id: string;
  withdrawnAt: Date | null;
}

export interface ConsentRepository {
  record(consent: NewConsent): Promise<ConsentRecord>;
  /** Every record of a citizen, newest first (withdrawn ones too). */
  listByCitizen(citizenKey: string): Promise<ConsentRecord[]>;
  /**
   * The citizen withdraws: every granted, not yet withdrawn record (of one purpose, or
   * all) gets `withdrawnAt`. Returns how many changed.
   */
  withdraw(citizenKey: string, now: Date, purpose?: ConsentPurpose): Promise<number>;
  /** Erasure: the records stay as counts, with citizenKey and conversationId emptied (''). */
  anonymiseCitizen(citizenKey: string): Promise<number>;
  /** Retention: records made before `cutoff` are anonymised the same way. */
  anonymiseBefore(cutoff: Date): Promise<number>;
}

export type CaseStatus = 'received' | 'in-progress' | 'closed';

/** A finished intake (phiếu tiếp nhận). Personal fields are null once erased. */
export interface NewCase {
  citizenKey: string;
  conversationId: string;
  channel: Channel;
  who: 'self' | 'relative' | 'other';
  group: string;
  need: string;
  provinceCode: string;
  communeCode: string;
  age: number | null;
  /** E.164, only under the call-back consent. */
  phone: string | null;
  description: string | null;
  riskLevel: RiskLevel | null;
  riskCategory: RiskCategory | null;
  /** The consent records it was gathered under. */
  consentIds: string[];
  createdAt: Date;
}

export interface CaseRecord extends Omit<NewCase, 'citizenKey' | 'conversationId' | 'provinceCode' | 'communeCode'> {
  id: string;
  /** Readable, told to the citizen: CTXH-2026-000123 (per-year sequence, never reused). */
  code: string;
  status: CaseStatus;
  updatedAt: Date;
  /** Null once erased or past retention. */
  citizenKey: string | null;
  conversationId: string | null;
  provinceCode: string | null;
  communeCode: string | null;
  erasedAt: Date | null;
}

export interface CaseRepository {
  /** Stores the case under the next code of its year (atomic across instances). */
  create(c: NewCase): Promise<CaseRecord>;
  get(id: string): Promise<CaseRecord | null>;
  /** By code, case-insensitively ("ctxh-2026-000123"). */
  getByCode(code: string): Promise<CaseRecord | null>;
  listByCitizen(citizenKey: string): Promise<CaseRecord[]>;
  setStatus(id: string, status: CaseStatus, now: Date): Promise<boolean>;
  /**
   * Erasure: every case of the citizen keeps its code, group, need, province, status and
   * dates (counts), and loses citizenKey, conversationId, commune, age, phone,
   * description and consentIds; erasedAt is set. Returns how many changed.
   */
  eraseCitizen(citizenKey: string, now: Date): Promise<number>;
  /** Retention: the same erasure for cases created before `cutoff` and not yet erased. */
  eraseBefore(cutoff: Date, now: Date): Promise<number>;
}

/** A short exclusive right to do something once across instances (scheduled purges). */
export interface LeaseRepository {
  /** True when `holder` now holds `name` until `until` (free, expired, or already its own). */
  acquire(name: string, holder: string, now: Date, until: Date): Promise<boolean>;
  release(name: string, holder: string): Promise<void>;
}

/**
 * One platform account's OAuth tokens (the Zalo OA's access and refresh token). The store
 * keeps what it is given: the token fields are ciphertext (src/bots/zalo/token-store.ts
 * encrypts them with AES-256-GCM before they reach a repository), and
 * `refreshFingerprint` is a keyed hash of the plain refresh token, never the token.
 *
 * A refresh token that works once (Zalo rotates it on every refresh) is the reason for the
 * shape: every change after the first write is conditional on the fingerprint of the
 * refresh token it replaces, so a stale instance (one that read an older pair) cannot
 * overwrite a newer one; and a refresh's answer is written as `pending` before the
 * rotation, so a process that dies between the two leaves the new pair in the store.
 */
export interface ChannelTokens {
  /** Which account: 'zalo:<app id>'. */
  key: string;
  /** Ciphertext of the access token; null when only a refresh token is known (seeded). */
  accessToken: string | null;
  /** When the access token runs out; null when unknown (a seeded token). */
  accessExpiresAt: Date | null;
  /** Ciphertext of the refresh token. */
  refreshToken: string;
  /** Keyed hash of the plain refresh token: the fencing value of every conditional write. */
  refreshFingerprint: string;
  /** When this refresh token was issued (Zalo no longer says when it runs out). */
  issuedAt: Date;
  /** 1 at the first write, +1 at every rotation. */
  version: number;
  /** 'needs-reconnect': the refresh token was refused; an OA admin must consent again. */
  status: 'ok' | 'needs-reconnect';
  /** Why it needs reconnecting (a short code); null when ok. */
  statusReason: string | null;
  /**
   * A refresh answer not yet applied: ciphertext of the raw answer, and the fingerprint of
   * the refresh token it answered. Cleared by the rotation it leads to.
   */
  pending: { answer: string; forFingerprint: string; at: Date } | null;
  updatedAt: Date;
}

/** A new pair of tokens, encrypted, as a seed or a rotation writes it. */
export type ChannelTokenPair = Pick<ChannelTokens, 'accessToken' | 'accessExpiresAt' | 'refreshToken' | 'refreshFingerprint' | 'issuedAt'>;

export interface ChannelTokenRepository {
  get(key: string): Promise<ChannelTokens | null>;
  /** Writes the first pair (version 1, status ok) if the key has none; false when it had one (nothing changes). */
  seed(key: string, pair: ChannelTokenPair, now: Date): Promise<boolean>;
  /**
   * Keeps a refresh answer before it is applied, only while the stored refresh token is
   * the one it answered (`forFingerprint`); false otherwise (nothing changes).
   */
  savePending(key: string, pending: { answer: string; forFingerprint: string; at: Date }): Promise<boolean>;
  /**
   * The rotation: the new pair replaces the one whose refresh token has fingerprint
   * `expectFingerprint` (version + 1, status ok, pending cleared). One conditional write;
   * false, and nothing changes, when the stored refresh token is another one (a stale writer).
   */
  rotate(key: string, expectFingerprint: string, pair: ChannelTokenPair, now: Date): Promise<boolean>;
  /** The refresh token with this fingerprint was refused: status needs-reconnect, only if it is still the stored one. */
  markNeedsReconnect(key: string, expectFingerprint: string, reason: string, now: Date): Promise<boolean>;
  /** Drops a pending answer, only if it is the one for `forFingerprint` (it no longer applies). */
  clearPending(key: string, forFingerprint: string): Promise<boolean>;
}

export interface Store {
  readonly kind: 'sqlite' | 'mongo';
  conversations: ConversationRepository;
  messages: MessageRepository;
  /** botbuilder Storage with eTag optimistic concurrency, for dialog and turn state. */
  botState: Storage;
  knowledge: KnowledgeRepository;
  audit: AuditRepository;
  tickets: TicketRepository;
  staff: StaffRepository;
  sessions: SessionRepository;
  notes: NoteRepository;
  consents: ConsentRepository;
  cases: CaseRepository;
  leases: LeaseRepository;
  /** Platform OAuth tokens (Zalo OA), encrypted by the caller. */
  channelTokens: ChannelTokenRepository;
  close(): Promise<void>;
}

/** Thrown by botState.write when another writer changed the item first. */
export class ETagConflictError extends Error {
  constructor(key: string) {
    super(`Storage: error writing "${key}" due to eTag conflict.`);
    this.name = 'ETagConflictError';
  }
}
