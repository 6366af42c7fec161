import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StoreItems } from 'botbuilder';
import { newETag, riskLevelsBelow } from '../shared.js';
import {
  ETagConflictError,
  type AuditEvent,
  type AuditRepository,
  type Channel,
  type Conversation,
  type ConversationAddress,
  type ConversationRepository,
  type ConversationRisk,
  type ConversationStatus,
  type RiskCategory,
  type RiskLevel,
  type Store,
} from '../types.js';
import type { KnowledgeEntry } from '../../kb/entry.js';
import type { PolicyValue } from '../../kb/policy-values.js';
import { sqliteCases } from './cases.js';
import { sqliteChannelTokens } from './channel-tokens.js';
import { sqliteConsents } from './consents.js';
import { sqliteLeases } from './leases.js';
import { sqliteMedia } from './media.js';
import { sqliteEmbeddings } from './embeddings.js';
import { sqliteVersions } from './kb-versions.js';
import { sqliteMessages } from './messages.js';
import { sqliteNotes } from './notes.js';
import { toDate, type Row } from './rows.js';
import { SQLITE_SCHEMA } from './schema.js';
import { sqliteSessions } from './sessions.js';
import { sqliteStaff } from './staff.js';
import { sqliteTickets } from './tickets.js';
import { sqliteUnanswered } from './unanswered.js';
import { backgroundCheckpoints } from './checkpointer.js';
import { commitOpenGroups, groupWrites } from './write-batch.js';



function rowToConversation(r: Row): Conversation {
  return {
    id: String(r.id),
    channel: r.channel as Channel,
    userId: String(r.user_id),
    chatId: String(r.chat_id),
    reference: JSON.parse(String(r.reference)),
    status: r.status as ConversationStatus,
    createdAt: toDate(r.created_at)!,
    updatedAt: toDate(r.updated_at)!,
    lastInboundAt: toDate(r.last_inbound_at),
    risk: rowToRisk(r),
    undeliverable:
      r.undeliverable_reason === null || r.undeliverable_reason === undefined
        ? null
        : { reason: String(r.undeliverable_reason), at: toDate(r.undeliverable_at)! },
  };
}

function rowToRisk(r: Row): ConversationRisk | null {
  if (r.risk_level === null || r.risk_level === undefined) return null;
  return {
    level: r.risk_level as RiskLevel,
    category: (r.risk_category as RiskCategory | null) ?? null,
    at: toDate(r.risk_at)!,
    messageId: (r.risk_message_id as string | null) ?? null,
  };
}


/**
 * Brings a data file written by an earlier version up to the current schema. Runs
 * before SQLITE_SCHEMA, whose indexes name the newer columns; the first time a file gets
 * the tickets table, its open handoff requests are copied in as waiting tickets.
 */
function migrate(db: Database.Database): void {
  const columnsOf = (table: string) =>
    (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
  // A table that does not exist yet has no columns: SQLITE_SCHEMA creates it whole.
  const conversationColumns = columnsOf('conversations');
  if (conversationColumns.length > 0 && !conversationColumns.includes('risk_level')) {
    db.exec(`ALTER TABLE conversations ADD COLUMN risk_level TEXT CHECK (risk_level IN ('check-in', 'urgent'));
      ALTER TABLE conversations ADD COLUMN risk_category TEXT;
      ALTER TABLE conversations ADD COLUMN risk_at INTEGER;
      ALTER TABLE conversations ADD COLUMN risk_message_id TEXT;`);
  }
  if (conversationColumns.length > 0 && !conversationColumns.includes('undeliverable_reason')) {
    db.exec(`ALTER TABLE conversations ADD COLUMN undeliverable_reason TEXT;
      ALTER TABLE conversations ADD COLUMN undeliverable_at INTEGER;`);
  }
  const staffColumns = columnsOf('staff');
  if (staffColumns.length > 0 && !staffColumns.includes('can_edit_knowledge')) {
    db.exec('ALTER TABLE staff ADD COLUMN can_edit_knowledge INTEGER NOT NULL DEFAULT 0');
  }
  const columns = columnsOf('messages');
  if (columns.length > 0) {
    if (!columns.includes('claimed_until')) db.exec('ALTER TABLE messages ADD COLUMN claimed_until INTEGER');
    if (!columns.includes('redacted')) db.exec('ALTER TABLE messages ADD COLUMN redacted INTEGER NOT NULL DEFAULT 0');
    if (!columns.includes('position')) {
      db.exec(`ALTER TABLE messages ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
        UPDATE messages SET position =
          (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = messages.conversation_id AND m.seq <= messages.seq);`);
    }
    if (!columns.includes('delivery_status')) {
      // Outbound messages of an older file went out inline, as they were stored: they are sent.
      db.exec(`ALTER TABLE messages ADD COLUMN delivery_status TEXT
          CHECK (delivery_status IN ('queued', 'sending', 'sent', 'failed', 'unconfirmed'));
        ALTER TABLE messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE messages ADD COLUMN next_attempt_at INTEGER;
        ALTER TABLE messages ADD COLUMN delivery_error TEXT;
        ALTER TABLE messages ADD COLUMN sent_at INTEGER;
        ALTER TABLE messages ADD COLUMN reply_to TEXT;
        ALTER TABLE messages ADD COLUMN reply_index INTEGER;
        UPDATE messages SET delivery_status = 'sent', sent_at = created_at WHERE direction = 'out';`);
    }
  }
  // Tickets replace handoff requests: the first time the tickets table is made, the requests
  // still open come along as waiting tickets, so nobody already in the queue drops out of it.
  if (columnsOf('tickets').length === 0 && columnsOf('handoff_requests').length > 0 && conversationColumns.length > 0) {
    // Every older table is current now (above), so the whole schema applies; it makes tickets.
    db.exec(SQLITE_SCHEMA);
    // One open ticket per citizen: where a citizen had open requests in several conversations,
    // the most urgent, then oldest, is kept (rows are inserted in the SELECT's order and
    // OR IGNORE skips the ones tickets_open refuses). Requests of unknown conversations have
    // no citizen to queue and are left out. The request id becomes the ticket id.
    db.exec(`INSERT OR IGNORE INTO tickets
        (id, conversation_id, citizen_key, channel, status, priority, reason, risk_category, message_id, team,
         raises, created_at, updated_at)
      SELECT h.id, h.conversation_id, c.channel || ':' || c.user_id, c.channel, 'waiting', h.priority, h.reason,
             h.risk_category, h.message_id, 'chung', h.raises, h.created_at, h.updated_at
        FROM handoff_requests h JOIN conversations c ON c.id = h.conversation_id
       WHERE h.status = 'open'
       ORDER BY h.priority, h.created_at, h.seq`);
  }
}

/**
 * The embedded store: one SQLite file in WAL mode. better-sqlite3 is synchronous, so the
 * async signatures only match Mongo's; the writes of one event-loop task are one
 * transaction (write-batch.ts), and `committed()` tells when they are on disk.
 */
export function openSqliteStore(dataDir: string, fileName = 'ctxh.sqlite'): Store {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, fileName));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // 32 MB of page cache (SQLite's default is 2 MB): a busy day's conversations stay in
  // memory, and each turn's reads and index updates stop going back to the file (under
  // 20 citizens in a closed loop, the message insert went from about 110 to 75 µs).
  db.pragma('cache_size = -32768');
  // Erased personal data is overwritten with zeros in the file, not left in free pages.
  db.pragma('secure_delete = ON');
  // IMMEDIATE: of several processes opening one old file at once, one migrates and the
  // others wait (busy_timeout) and then find it current.
  commitOpenGroups();
  db.transaction(() => migrate(db)).immediate();
  db.exec(SQLITE_SCHEMA);
  const checkpoints = backgroundCheckpoints(db, join(dataDir, fileName));
  const batch = groupWrites(db, setImmediate, checkpoints.afterCommit);

  const conversations: ConversationRepository = (() => {
    const byAddress = db.prepare(
      'SELECT * FROM conversations WHERE channel = ? AND chat_id = ? AND user_id = ?',
    );
    const insert = db.prepare(
      `INSERT INTO conversations (id, channel, user_id, chat_id, reference, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'bot', ?, ?)
       ON CONFLICT(channel, chat_id, user_id) DO UPDATE SET reference = excluded.reference, updated_at = excluded.updated_at
       RETURNING *`,
    );
    const byId = db.prepare('SELECT * FROM conversations WHERE id = ?');
    const byUser = db.prepare('SELECT * FROM conversations WHERE channel = ? AND user_id = ? ORDER BY created_at, id');
    const setStatus = db.prepare('UPDATE conversations SET status = ?, updated_at = ? WHERE id = ?');
    // The citizen wrote: they can be reached again, so an undeliverable mark goes.
    const touch = db.prepare(
      `UPDATE conversations SET last_inbound_at = ?, updated_at = ?, undeliverable_reason = NULL, undeliverable_at = NULL
        WHERE id = ?`,
    );
    const markUndeliverable = db.prepare('UPDATE conversations SET undeliverable_reason = ?, undeliverable_at = ? WHERE id = ?');
    // Compare-and-set on the current level: the WHERE clause lists the levels that may be
    // replaced (none, or lower ones), so one statement decides and the loser changes nothing.
    const raiseFrom = (below: RiskLevel[]) =>
      db.prepare(
        `UPDATE conversations
            SET risk_level = @level, risk_category = @category, risk_at = @at, risk_message_id = @messageId,
                updated_at = @now
          WHERE id = @id AND (risk_level IS NULL${below.map((l) => ` OR risk_level = '${l}'`).join('')})`,
      );
    const raise = {
      'check-in': raiseFrom(riskLevelsBelow('check-in')),
      urgent: raiseFrom(riskLevelsBelow('urgent')),
    } satisfies Record<RiskLevel, unknown>;
    const clearCheckIn = db.prepare(
      `UPDATE conversations
          SET risk_level = NULL, risk_category = NULL, risk_at = NULL, risk_message_id = NULL, updated_at = ?
        WHERE id = ? AND risk_level = 'check-in'`,
    );
    const checkInsDue = db.prepare(
      `SELECT * FROM conversations
        WHERE risk_level = 'check-in' AND risk_at <= ? AND status <> 'closed'
        ORDER BY risk_at, created_at, id LIMIT ?`,
    );
    // Newest first: conversations_recent read backwards (or conversations_status for one status).
    const recent = (statuses: readonly ConversationStatus[] | undefined, citizenWrote: boolean) => {
      const where = [
        ...(statuses ? [`status IN (${statuses.map(() => '?').join(', ')})`] : []),
        ...(citizenWrote ? ['last_inbound_at IS NOT NULL'] : []),
      ];
      return db.prepare(`SELECT * FROM conversations ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY updated_at DESC, id DESC LIMIT ?`);
    };
    const find = (a: ConversationAddress) => {
      const r = byAddress.get(a.channel, a.chatId, a.userId) as Row | undefined;
      return r ? rowToConversation(r) : null;
    };
    return {
      async upsert(a, reference, now) {
        // One statement: the row as inserted or updated comes back with it.
        return rowToConversation(insert.get(randomUUID(), a.channel, a.userId, a.chatId, JSON.stringify(reference), +now, +now) as Row);
      },
      async get(id) {
        const r = byId.get(id) as Row | undefined;
        return r ? rowToConversation(r) : null;
      },
      async findByAddress(a) {
        return find(a);
      },
      async listByUser(channel, userId) {
        return (byUser.all(channel, userId) as Row[]).map(rowToConversation);
      },
      async setStatus(id, status, now) {
        setStatus.run(status, +now, id);
      },
      async touchInbound(id, now) {
        touch.run(+now, +now, id);
      },
      async markUndeliverable(id, reason, at) {
        markUndeliverable.run(reason, +at, id);
      },
      async raiseRisk(id, risk, now) {
        const stmt = raise[risk.level];
        if (!stmt) throw new Error(`unknown risk level: ${String(risk.level)}`);
        const info = stmt.run({
          id,
          level: risk.level,
          category: risk.category,
          at: +risk.at,
          messageId: risk.messageId,
          now: +now,
        });
        return info.changes === 1;
      },
      async clearCheckIn(id, now) {
        return clearCheckIn.run(+now, id).changes === 1;
      },
      async listCheckInsDue(raisedBefore, limit = 100) {
        return (checkInsDue.all(+raisedBefore, limit) as Row[]).map(rowToConversation);
      },
      async listRecent(filter = {}) {
        const { statuses } = filter;
        if (statuses && statuses.length === 0) return [];
        return (recent(statuses, filter.citizenWrote ?? false).all(...(statuses ?? []), filter.limit ?? 100) as Row[]).map(rowToConversation);
      },
    };
  })();

  const messages = sqliteMessages(db);

  const botState = (() => {
    const get = db.prepare('SELECT etag, data FROM bot_state WHERE key = ?');
    const insert = db.prepare('INSERT INTO bot_state (key, etag, data) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
    const upsert = db.prepare('INSERT INTO bot_state (key, etag, data) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, data = excluded.data');
    const updateIf = db.prepare('UPDATE bot_state SET etag = ?, data = ? WHERE key = ? AND etag = ?');
    const del = db.prepare('DELETE FROM bot_state WHERE key = ?');
    // A write without an eTag (or '*', every turn's) is one upsert; a conditional one checks and creates in a transaction.
    const writeIfMatch = db.transaction((key: string, eTag: string, etag: string, data: string) => {
      if (updateIf.run(etag, data, key, eTag).changes === 1) return;
      // MemoryStorage semantics: an eTag on an item that does not exist yet is a create.
      if (get.get(key) === undefined && insert.run(key, etag, data).changes === 1) return;
      throw new ETagConflictError(key);
    });
    const writeOne = (key: string, item: Record<string, unknown>) => {
      const { eTag, ...rest } = item as { eTag?: string };
      const etag = newETag();
      const data = JSON.stringify(rest);
      if (!eTag || eTag === '*') upsert.run(key, etag, data);
      else writeIfMatch(key, eTag, etag, data);
    };
    return {
      async read(keys: string[]): Promise<StoreItems> {
        const out: StoreItems = {};
        for (const key of keys) {
          const r = get.get(key) as { etag: string; data: string } | undefined;
          if (r) out[key] = { ...JSON.parse(r.data), eTag: r.etag };
        }
        return out;
      },
      async write(changes: StoreItems): Promise<void> {
        for (const [key, item] of Object.entries(changes)) writeOne(key, item ?? {});
      },
      async delete(keys: string[]): Promise<void> {
        for (const key of keys) del.run(key);
      },
    };
  })();

  const audit: AuditRepository = (() => {
    const insert = db.prepare('INSERT INTO audit_events (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)');
    return {
      async append(e: AuditEvent) {
        insert.run(+e.at, e.actor, e.action, e.subject, e.detail ? JSON.stringify(e.detail) : null);
      },
      async list(filter = {}) {
        const where: string[] = [];
        const args: unknown[] = [];
        if (filter.subject) {
          where.push('subject = ?');
          args.push(filter.subject);
        }
        if (filter.action) {
          where.push('action = ?');
          args.push(filter.action);
        }
        const sql = `SELECT * FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
        return (db.prepare(sql).all(...args, filter.limit ?? 100) as Row[]).map((r) => ({
          at: toDate(r.at)!,
          actor: String(r.actor),
          action: String(r.action),
          subject: String(r.subject),
          ...(r.detail ? { detail: JSON.parse(String(r.detail)) } : {}),
        }));
      },
    };
  })();

  return {
    kind: 'sqlite',
    conversations,
    messages,
    botState,
    audit,
    consents: sqliteConsents(db),
    cases: sqliteCases(db),
    leases: sqliteLeases(db),
    channelTokens: sqliteChannelTokens(db),
    media: sqliteMedia(db),
    embeddings: sqliteEmbeddings(db),
    knowledgeVersions: sqliteVersions<KnowledgeEntry>(db, 'kb_versions'),
    policyVersions: sqliteVersions<PolicyValue>(db, 'policy_versions'),
    unanswered: sqliteUnanswered(db),
    tickets: sqliteTickets(db),
    staff: sqliteStaff(db),
    sessions: sqliteSessions(db),
    notes: sqliteNotes(db),
    committed: () => batch.committed(),
    async close() {
      batch.flush();
      db.close();
      // After the close: nothing else may write between the last commit and it.
      await checkpoints.close();
    },
  };
}
