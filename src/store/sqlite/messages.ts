/**
 * Messages in the embedded store (table messages, see schema.ts): inbound unique by
 * channel and platform message id, positions gap-free per conversation (one statement,
 * one writer), claims for acting on an inbound message, and redaction.
 */
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { redactActivity } from '../shared.js';
import type { Channel, MessageRepository, NewMessage, StoredMessage } from '../types.js';
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
  };
}

export function sqliteMessages(db: Database.Database): MessageRepository {
  const insert = db.prepare(
    // One statement, and SQLite has one writer: positions within a conversation are gap-free.
    `INSERT INTO messages (id, conversation_id, position, channel, direction, platform_message_id, text, activity, created_at)
     VALUES (@id, @conversationId,
             (SELECT COALESCE(MAX(position), 0) + 1 FROM messages WHERE conversation_id = @conversationId),
             @channel, @direction, @platformMessageId, @text, @activity, @createdAt)
     ON CONFLICT DO NOTHING`,
  );
  const byId = db.prepare('SELECT * FROM messages WHERE id = ?');
  const byPlatformId = db.prepare(
    'SELECT * FROM messages WHERE channel = ? AND direction = ? AND platform_message_id = ?',
  );
  const markHandled = db.prepare('UPDATE messages SET handled_at = ? WHERE id = ? AND handled_at IS NULL');
  const claim = db.prepare(
    `UPDATE messages SET claimed_until = ? WHERE id = ? AND direction = 'in' AND handled_at IS NULL
       AND (claimed_until IS NULL OR claimed_until <= ?)`,
  );
  const list = db.prepare(
    'SELECT * FROM messages WHERE conversation_id = ? AND position > ? ORDER BY position LIMIT ?',
  );
  // messages_position read backwards: the newest inbound message is among the last few rows.
  const lastInbound = db.prepare(
    "SELECT * FROM messages WHERE conversation_id = ? AND direction = 'in' ORDER BY position DESC LIMIT 1",
  );
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
  const write = (m: NewMessage): { message: StoredMessage; duplicate: boolean } => {
    const id = randomUUID();
    const info = insert.run({
      ...m,
      id,
      activity: JSON.stringify(m.activity),
      createdAt: +m.createdAt,
    });
    if (info.changes === 1) return { message: rowToMessage(byId.get(id) as Row), duplicate: false };
    const existing = byPlatformId.get(m.channel, m.direction, m.platformMessageId) as Row;
    return { message: rowToMessage(existing), duplicate: true };
  };
  return {
    async recordInbound(m) {
      return write({ ...m, direction: 'in' });
    },
    async recordOutbound(m) {
      return write({ ...m, direction: 'out' }).message;
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
  };
}
