/**
 * Messages in the embedded store (table messages, see schema.ts): inbound unique by
 * channel and platform message id, outbound unique by (reply_to, reply_index), positions
 * gap-free per conversation (one statement, one writer), the outbox's delivery states
 * (each change one conditional UPDATE), claims for acting on an inbound message, and
 * redaction.
 */
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { newOutboundDelivery, redactActivity } from '../shared.js';
import type { Channel, DeliveryStatus, MessageRepository, NewMessage, NewOutbound, StoredMessage } from '../types.js';
import { toDate, type Row } from './rows.js';

function rowToMessage(r: Row): StoredMessage {
  return {
    id: String(r.id),
    seq: Number(r.seq),
    position: Number(r.position),
    conversationId: String(r.conversation_id),
    channel: r.channel as Channel,
    direction: r.direction as 'in' | 'out',
    platformMessageId: (r.platform_message_id as string | null) ?? null,
    text: String(r.text),
    activity: JSON.parse(String(r.activity)),
    createdAt: toDate(r.created_at)!,
    handledAt: toDate(r.handled_at),
    // Inbound rows have no delivery status.
    delivery:
      r.delivery_status === null || r.delivery_status === undefined
        ? null
        : {
            status: r.delivery_status as DeliveryStatus,
            attempts: Number(r.attempts ?? 0),
            nextAttemptAt: toDate(r.next_attempt_at),
            error: (r.delivery_error as string | null) ?? null,
            sentAt: toDate(r.sent_at),
          },
  };
}

/** What an insert stores beyond the NewMessage: nothing for inbound, the outbox's fields for outbound. */
interface OutboundFields {
  replyTo: string | null;
  replyIndex: number | null;
  deliveryStatus: 'queued' | 'sent' | null;
  sentAt: number | null;
}
const INBOUND: OutboundFields = { replyTo: null, replyIndex: null, deliveryStatus: null, sentAt: null };

export function sqliteMessages(db: Database.Database): MessageRepository {
  const insert = db.prepare(
    // One statement, and SQLite has one writer: positions within a conversation are gap-free.
    // A conflict (platform id, or reply_to and reply_index) inserts nothing, so uses no position.
    `INSERT INTO messages (id, conversation_id, position, channel, direction, platform_message_id, text, activity, created_at,
                           delivery_status, sent_at, reply_to, reply_index)
     VALUES (@id, @conversationId,
             (SELECT COALESCE(MAX(position), 0) + 1 FROM messages WHERE conversation_id = @conversationId),
             @channel, @direction, @platformMessageId, @text, @activity, @createdAt,
             @deliveryStatus, @sentAt, @replyTo, @replyIndex)
     ON CONFLICT DO NOTHING
     RETURNING *`,
  );
  const byPlatformId = db.prepare(
    'SELECT * FROM messages WHERE channel = ? AND direction = ? AND platform_message_id = ?',
  );
  const byReply = db.prepare('SELECT * FROM messages WHERE reply_to = ? AND reply_index = ?');
  // Delivery: each change is one compare-and-set on the status (see MessageRepository.setDelivery).
  const toSending = db.prepare(
    `UPDATE messages SET delivery_status = 'sending', attempts = attempts + 1, next_attempt_at = NULL
      WHERE id = ? AND delivery_status = 'queued'`,
  );
  const toSent = db.prepare(
    `UPDATE messages SET delivery_status = 'sent', sent_at = @at, next_attempt_at = NULL,
            platform_message_id = COALESCE(@platformMessageId, platform_message_id)
      WHERE id = @id AND delivery_status = 'sending'`,
  );
  const toRetry = db.prepare(
    `UPDATE messages SET delivery_status = 'queued', next_attempt_at = @nextAttemptAt, delivery_error = @error
      WHERE id = @id AND delivery_status = 'sending'`,
  );
  const toFailed = db.prepare(
    `UPDATE messages SET delivery_status = 'failed', delivery_error = @error, next_attempt_at = NULL
      WHERE id = @id AND delivery_status IN ('queued', 'sending')`,
  );
  const toUnconfirmed = db.prepare(
    `UPDATE messages SET delivery_status = 'unconfirmed', next_attempt_at = NULL
      WHERE id = ? AND delivery_status IN ('queued', 'sending')`,
  );
  // The head of each conversation's outbox (its first queued or sending message by
  // position), when due: sending (stale: its worker's lease is gone), or queued with no
  // later attempt set. Oldest head first. One pass over messages_outbox, which holds only
  // unsent rows; with MIN() as the only aggregate, SQLite takes the bare columns from the
  // row holding the minimum (the head).
  const outboxDue = db.prepare(
    `SELECT conversation_id FROM (
       SELECT conversation_id, MIN(position) AS position, seq, delivery_status, next_attempt_at
         FROM messages WHERE delivery_status IN ('queued', 'sending') GROUP BY conversation_id)
      WHERE delivery_status = 'sending' OR next_attempt_at IS NULL OR next_attempt_at <= @now
      ORDER BY seq LIMIT @limit`,
  );
  const nextOutbound = db.prepare(
    `SELECT * FROM messages WHERE conversation_id = ? AND delivery_status IN ('queued', 'sending')
      ORDER BY position LIMIT 1`,
  );
  const extendClaim = db.prepare(
    `UPDATE messages SET claimed_until = ? WHERE id = ? AND direction = 'in' AND handled_at IS NULL
       AND claimed_until IS NOT NULL`,
  );
  const markHandled = db.prepare('UPDATE messages SET handled_at = ? WHERE id = ? AND handled_at IS NULL');
  const claim = db.prepare(
    `UPDATE messages SET claimed_until = ? WHERE id = ? AND direction = 'in' AND handled_at IS NULL
       AND (claimed_until IS NULL OR claimed_until <= ?)`,
  );
  const list = db.prepare(
    'SELECT * FROM messages WHERE conversation_id = ? AND position > ? ORDER BY position LIMIT ?',
  );
  // messages_position read backwards between two positions; no activity column.
  const inboundTexts = db.prepare(
    `SELECT position, text, created_at FROM messages
      WHERE conversation_id = ? AND position > ? AND position < ? AND direction = 'in'
      ORDER BY position DESC LIMIT ?`,
  );
  // messages_position read backwards: the newest inbound message is among the last few rows.
  const lastInbound = db.prepare(
    "SELECT * FROM messages WHERE conversation_id = ? AND direction = 'in' ORDER BY position DESC LIMIT 1",
  );
  const maxSeq = db.prepare('SELECT MAX(seq) AS seq FROM messages');
  const unhandled = db.prepare(
    "SELECT * FROM messages WHERE direction = 'in' AND handled_at IS NULL ORDER BY seq LIMIT ?",
  );
  // Redaction keeps the row (its position, ids and platform id, so a redelivery stays a
  // duplicate) and forgets what it said; `redacted` keeps a second pass from counting it.
  const toRedactByIds = db.prepare(
    'SELECT id, activity FROM messages WHERE id IN (SELECT value FROM json_each(?)) AND redacted = 0',
  );
  const toRedactByConversations = db.prepare(
    `SELECT id, activity FROM messages
      WHERE conversation_id IN (SELECT value FROM json_each(@ids)) AND redacted = 0
        AND (@before IS NULL OR created_at < @before)`,
  );
  const toRedactBefore = db.prepare(
    'SELECT id, activity FROM messages WHERE redacted = 0 AND created_at < ? ORDER BY created_at, seq LIMIT ?',
  );
  const redactOne = db.prepare("UPDATE messages SET text = '', activity = ?, redacted = 1 WHERE id = ? AND redacted = 0");
  // The select runs inside the transaction too: what it read is what gets rewritten.
  const redactRows = db.transaction((select: () => unknown[]): number => {
    let changed = 0;
    for (const r of select() as Array<{ id: string; activity: string }>) {
      const activity = JSON.stringify(redactActivity(JSON.parse(r.activity) as Record<string, unknown>));
      changed += redactOne.run(activity, r.id).changes;
    }
    return changed;
  });
  const write = (m: NewMessage, out: OutboundFields): { message: StoredMessage; duplicate: boolean } => {
    const id = randomUUID();
    // The row as stored (seq and position given by SQLite), without reading it again.
    const inserted = insert.get({
      id,
      conversationId: m.conversationId,
      channel: m.channel,
      direction: m.direction,
      platformMessageId: m.platformMessageId ?? null,
      text: m.text,
      activity: JSON.stringify(m.activity),
      createdAt: +m.createdAt,
      ...out,
    });
    if (inserted) return { message: rowToMessage(inserted as Row), duplicate: false };
    // A turn run again (same reply key), or a redelivery (same platform id).
    const existing =
      (out.replyTo !== null ? (byReply.get(out.replyTo, out.replyIndex) as Row | undefined) : undefined) ??
      (m.platformMessageId != null
        ? (byPlatformId.get(m.channel, m.direction, m.platformMessageId) as Row | undefined)
        : undefined);
    if (!existing) throw new Error(`message of conversation ${m.conversationId} not stored and no duplicate found`);
    return { message: rowToMessage(existing), duplicate: true };
  };
  return {
    async recordInbound(m) {
      return write({ ...m, direction: 'in' }, INBOUND);
    },
    async recordOutbound(m: NewOutbound) {
      const delivery = newOutboundDelivery(m);
      return write(
        { ...m, direction: 'out' },
        {
          ...delivery,
          sentAt: delivery.sentAt ? +delivery.sentAt : null,
        },
      );
    },
    async listOutboxDue(now, limit = 100) {
      if (limit === 0) return [];
      return (outboxDue.all({ now: +now, limit }) as Array<{ conversation_id: string }>).map((r) => r.conversation_id);
    },
    async nextOutbound(conversationId) {
      const r = nextOutbound.get(conversationId) as Row | undefined;
      return r ? rowToMessage(r) : null;
    },
    async setDelivery(id, change) {
      switch (change.status) {
        case 'sending':
          return toSending.run(id).changes === 1;
        case 'sent':
          return toSent.run({ id, at: +change.at, platformMessageId: change.platformMessageId ?? null }).changes === 1;
        case 'queued':
          return toRetry.run({ id, nextAttemptAt: +change.nextAttemptAt, error: change.error }).changes === 1;
        case 'failed':
          return toFailed.run({ id, error: change.error }).changes === 1;
        case 'unconfirmed':
          return toUnconfirmed.run(id).changes === 1;
        default:
          throw new Error(`unknown delivery status: ${String((change as { status: unknown }).status)}`);
      }
    },
    async extendClaim(id, until) {
      return extendClaim.run(+until, id).changes === 1;
    },
    async markHandled(id, at) {
      markHandled.run(+at, id);
    },
    async claimInbound(id, now, until) {
      return claim.run(+until, id, +now).changes === 1;
    },
    async listByConversation(conversationId, afterPosition = 0, limit = 500) {
      return (list.all(conversationId, afterPosition, limit) as Row[]).map(rowToMessage);
    },
    async inboundTexts(conversationId, afterPosition, beforePosition, limit) {
      if (limit <= 0) return [];
      const rows = inboundTexts.all(conversationId, afterPosition, beforePosition, limit) as Row[];
      return rows.reverse().map((r) => ({ position: Number(r.position), text: String(r.text), createdAt: toDate(r.created_at)! }));
    },
    async listUnhandledInbound(limit = 100) {
      return (unhandled.all(limit) as Row[]).map(rowToMessage);
    },
    async redact(ids) {
      if (ids.length === 0) return 0;
      return redactRows.immediate(() => toRedactByIds.all(JSON.stringify(ids)));
    },
    async redactConversations(conversationIds, before) {
      if (conversationIds.length === 0) return 0;
      const params = { ids: JSON.stringify(conversationIds), before: before === undefined ? null : +before };
      return redactRows.immediate(() => toRedactByConversations.all(params));
    },
    async redactBefore(cutoff, limit = 1000) {
      return redactRows.immediate(() => toRedactBefore.all(+cutoff, limit));
    },
    async lastInbound(conversationId) {
      const r = lastInbound.get(conversationId) as Row | undefined;
      return r ? rowToMessage(r) : null;
    },
    async lastSeq() {
      return Number((maxSeq.get() as { seq: number | null }).seq ?? 0);
    },
  };
}
