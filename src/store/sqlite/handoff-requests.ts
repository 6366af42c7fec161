import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { HandoffReason, HandoffRequest, HandoffRequestRepository, RiskCategory } from '../types.js';

type Row = Record<string, unknown>;

function rowToHandoffRequest(r: Row): HandoffRequest {
  return {
    id: String(r.id),
    conversationId: String(r.conversation_id),
    status: r.status as HandoffRequest['status'],
    priority: Number(r.priority),
    reason: r.reason as HandoffReason,
    riskCategory: (r.risk_category as RiskCategory | null) ?? null,
    messageId: (r.message_id as string | null) ?? null,
    raises: Number(r.raises),
    createdAt: new Date(Number(r.created_at)),
    updatedAt: new Date(Number(r.updated_at)),
  };
}

/**
 * Handoff requests in the embedded store (table handoff_requests, see schema.ts). The
 * partial unique index handoff_requests_open keeps one open request per conversation;
 * open() is one INSERT … ON CONFLICT DO UPDATE on it, so it is atomic without a read first.
 */
export function sqliteHandoffRequests(db: Database.Database): HandoffRequestRepository {
  // In DO UPDATE, bare column names are the stored row's values before the update (every
  // SET expression sees the same old row) and excluded.* the values of the refused insert.
  const open = db.prepare(
    `INSERT INTO handoff_requests
       (id, conversation_id, status, priority, reason, risk_category, message_id, raises, created_at, updated_at)
     VALUES (@id, @conversationId, 'open', @priority, @reason, @riskCategory, @messageId, 1, @createdAt, @createdAt)
     ON CONFLICT (conversation_id) WHERE status = 'open' DO UPDATE SET
       priority = CASE WHEN excluded.priority < priority THEN excluded.priority ELSE priority END,
       reason = CASE WHEN excluded.priority < priority THEN excluded.reason ELSE reason END,
       risk_category = CASE WHEN excluded.priority < priority THEN excluded.risk_category ELSE risk_category END,
       message_id = CASE WHEN excluded.priority < priority THEN excluded.message_id ELSE message_id END,
       raises = raises + 1,
       updated_at = excluded.updated_at
     RETURNING *`,
  );
  const byId = db.prepare('SELECT * FROM handoff_requests WHERE id = ?');
  const openOf = db.prepare("SELECT * FROM handoff_requests WHERE conversation_id = ? AND status = 'open'");
  const listOpen = db.prepare(
    "SELECT * FROM handoff_requests WHERE status = 'open' ORDER BY priority, created_at, seq LIMIT ?",
  );
  const close = db.prepare("UPDATE handoff_requests SET status = 'closed', updated_at = ? WHERE id = ? AND status = 'open'");
  return {
    async open(request) {
      const id = randomUUID();
      const row = open.get({
        id,
        conversationId: request.conversationId,
        priority: request.priority,
        reason: request.reason,
        riskCategory: request.riskCategory,
        messageId: request.messageId,
        createdAt: +request.createdAt,
      }) as Row;
      const stored = rowToHandoffRequest(row);
      return { request: stored, created: stored.id === id };
    },
    async get(id) {
      const r = byId.get(id) as Row | undefined;
      return r ? rowToHandoffRequest(r) : null;
    },
    async findOpen(conversationId) {
      const r = openOf.get(conversationId) as Row | undefined;
      return r ? rowToHandoffRequest(r) : null;
    },
    async listOpen(limit = 100) {
      return (listOpen.all(limit) as Row[]).map(rowToHandoffRequest);
    },
    async close(id, now) {
      return close.run(+now, id).changes === 1;
    },
  };
}
