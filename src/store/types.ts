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

export interface Conversation extends ConversationAddress {
  id: string;
  /** botbuilder ConversationReference as JSON, to message the citizen later. */
  reference: Record<string, unknown>;
  status: ConversationStatus;
  createdAt: Date;
  updatedAt: Date;
  /** Last message from the citizen: platform messaging windows count from it. */
  lastInboundAt: Date | null;
}

export interface ConversationRepository {
  /** Finds the conversation at this address or creates it; refreshes the reference. */
  upsert(address: ConversationAddress, reference: Record<string, unknown>, now: Date): Promise<Conversation>;
  get(id: string): Promise<Conversation | null>;
  findByAddress(address: ConversationAddress): Promise<Conversation | null>;
  setStatus(id: string, status: ConversationStatus, now: Date): Promise<void>;
  touchInbound(id: string, now: Date): Promise<void>;
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
  close(): Promise<void>;
}

/** Thrown by botState.write when another writer changed the item first. */
export class ETagConflictError extends Error {
  constructor(key: string) {
    super(`Storage: error writing "${key}" due to eTag conflict.`);
    this.name = 'ETagConflictError';
  }
}
