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

/** Who is answering the conversation now. Later issues add queue states. */
export type ConversationStatus = 'bot' | 'queued' | 'assigned' | 'closed';

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
}

export interface ConversationRepository {
  /** Finds the conversation at this address or creates it; refreshes the reference. */
  upsert(address: ConversationAddress, reference: Record<string, unknown>, now: Date): Promise<Conversation>;
  get(id: string): Promise<Conversation | null>;
  findByAddress(address: ConversationAddress): Promise<Conversation | null>;
  setStatus(id: string, status: ConversationStatus, now: Date): Promise<void>;
  touchInbound(id: string, now: Date): Promise<void>;
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
}

/** Lower number = served first. */
export const HANDOFF_PRIORITY = { urgent: 0, checkIn: 1, normal: 2 } as const;
export type HandoffReason = 'risk' | 'citizen-asked' | 'no-answer' | 'intake';

export interface NewHandoffRequest {
  conversationId: string;
  priority: number;
  reason: HandoffReason;
  /** Set when reason is 'risk'. */
  riskCategory: RiskCategory | null;
  /** The stored inbound message that led to it, if any. */
  messageId: string | null;
  createdAt: Date;
}

export interface HandoffRequest extends NewHandoffRequest {
  id: string;
  status: 'open' | 'closed';
  updatedAt: Date;
  /** How many times it was raised or repeated while open. */
  raises: number;
}

export interface HandoffRequestRepository {
  /**
   * Records a request; a conversation has at most one open request. If one is open,
   * it is kept (same id, createdAt kept) and, when the new priority is more urgent (lower number),
   * its priority, reason, riskCategory and messageId take the new values; `raises` is incremented either way.
   * Safe across instances: a unique index on the open request's conversation, and a retry on a duplicate key.
   */
  open(request: NewHandoffRequest): Promise<{ request: HandoffRequest; created: boolean }>;
  get(id: string): Promise<HandoffRequest | null>;
  /** The open request of a conversation, if any. */
  findOpen(conversationId: string): Promise<HandoffRequest | null>;
  /** Open requests, most urgent first, then oldest first. */
  listOpen(limit?: number): Promise<HandoffRequest[]>;
  /** Closes the open request; a later open() creates a new one. Returns false if none was open. */
  close(id: string, now: Date): Promise<boolean>;
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
}

export interface MessageRepository {
  /**
   * Stores an inbound message unless (channel, platformMessageId) is already stored;
   * `duplicate` is true, and nothing changes, for a redelivered webhook.
   */
  recordInbound(message: NewMessage): Promise<{ message: StoredMessage; duplicate: boolean }>;
  recordOutbound(message: NewMessage): Promise<StoredMessage>;
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

export interface Store {
  readonly kind: 'sqlite' | 'mongo';
  conversations: ConversationRepository;
  messages: MessageRepository;
  /** botbuilder Storage with eTag optimistic concurrency, for dialog and turn state. */
  botState: Storage;
  knowledge: KnowledgeRepository;
  audit: AuditRepository;
  handoffRequests: HandoffRequestRepository;
  close(): Promise<void>;
}

/** Thrown by botState.write when another writer changed the item first. */
export class ETagConflictError extends Error {
  constructor(key: string) {
    super(`Storage: error writing "${key}" due to eTag conflict.`);
    this.name = 'ETagConflictError';
  }
}
