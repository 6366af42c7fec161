/**
 * Messages in the store, re-exported by src/store/types.ts: what the citizen and the bot
 * said, in order per conversation (Direct Line watermarks), and each outbound message's
 * way to the citizen (the outbox).
 */
import type { Channel } from './types.js';

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

/** What the citizen wrote, without the activity: the lean row a turn reads for context. */
export interface InboundText {
  position: number;
  text: string;
  createdAt: Date;
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
  /**
   * The citizen's messages strictly between two positions of a conversation, the newest
   * `limit` of them, oldest first, with text and time only. Every turn reads this (the
   * triage window, the question before a button tap), so it skips the activities that
   * `listByConversation` parses. Example: `inboundTexts(id, 0, current.position, 4)`.
   */
  inboundTexts(conversationId: string, afterPosition: number, beforePosition: number, limit: number): Promise<InboundText[]>;
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
  /**
   * The highest `seq` given out so far (0 when none): one cheap read that tells a server
   * whether any instance stored a message since it last looked, so web chat streams can
   * notice other instances' writes without reading every conversation.
   */
  lastSeq(): Promise<number>;
}
