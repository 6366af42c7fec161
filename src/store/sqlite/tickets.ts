import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { Channel, RiskCategory, Ticket, TicketReason, TicketRepository, TicketStatus } from '../types.js';
import { toDate, type Row } from './rows.js';

const toText = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function rowToTicket(r: Row): Ticket {
  return {
    id: String(r.id),
    conversationId: String(r.conversation_id),
    citizenKey: String(r.citizen_key),
    channel: r.channel as Channel,
    status: r.status as TicketStatus,
    priority: Number(r.priority),
    reason: r.reason as TicketReason,
    riskCategory: (r.risk_category as RiskCategory | null) ?? null,
    messageId: toText(r.message_id),
    team: String(r.team),
    provinceCode: toText(r.province_code),
    communeCode: toText(r.commune_code),
    caseId: toText(r.case_id),
    raises: Number(r.raises),
    assigneeId: toText(r.assignee_id),
    assignedAt: toDate(r.assigned_at),
    firstResponseAt: toDate(r.first_response_at),
    lastAssigneeId: toText(r.last_assignee_id),
    closedAt: toDate(r.closed_at),
    closedBy: toText(r.closed_by),
    outcome: toText(r.outcome),
    closeNote: toText(r.close_note),
    escalatedAt: toDate(r.escalated_at),
    reopenedAt: toDate(r.reopened_at),
    satisfaction: r.satisfaction === null || r.satisfaction === undefined ? null : Number(r.satisfaction),
    createdAt: toDate(r.created_at)!,
    updatedAt: toDate(r.updated_at)!,
  };
}

/** The open statuses, as SQL: the same text as the WHERE of the partial index tickets_open. */
const OPEN = "('waiting', 'assigned', 'on-hold')";
/** The statuses in which a counsellor holds a ticket. */
const HELD = "('assigned', 'on-hold')";
/** The statuses of a ticket that is over: erasure and retention anonymise these only. */
const ENDED = "('closed', 'abandoned')";

const isUniqueViolation = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';

/** Throws on a rating outside 1–3, which the CHECK constraint would refuse less clearly. */
function assertSatisfaction(satisfaction: number): void {
  if (!Number.isInteger(satisfaction) || satisfaction < 1 || satisfaction > 3) {
    throw new RangeError(`satisfaction must be 1, 2 or 3, got ${satisfaction}`);
  }
}

/**
 * Handoff tickets in the embedded store (table tickets, see schema.ts). The partial unique
 * index tickets_open keeps one open ticket per citizen: open() is one INSERT … ON CONFLICT
 * DO UPDATE on it, and reopen() cannot make a second one. Every transition is one
 * conditional UPDATE … RETURNING * whose WHERE names the state it leaves, so of several
 * processes on one file exactly one makes each change and the others get null; claim()
 * with `maxOpen` counts the counsellor's tickets and claims in one IMMEDIATE transaction.
 *
 * Whoever is assigned a ticket is also written to last_assignee_id, so it always names the
 * last holder, and close() keeps it once assignee_id is emptied. A reopened ticket waits
 * anew: its assignee and first response are cleared (escalatedAt and a rating are kept).
 *
 * Erasure and retention anonymise tickets that are over (closed, abandoned): citizen_key
 * becomes '' and close_note NULL, the rest stays as counts. '' is nobody's key: the
 * lookups by citizen return nothing for it.
 */
export function sqliteTickets(db: Database.Database): TicketRepository {
  // In DO UPDATE, bare column names are the stored row before the update (every SET
  // expression sees the same old row) and excluded.* the values of the refused insert.
  const open = db.prepare(
    `INSERT INTO tickets
       (id, conversation_id, citizen_key, channel, status, priority, reason, risk_category, message_id, team,
        province_code, commune_code, case_id, raises, created_at, updated_at)
     VALUES (@id, @conversationId, @citizenKey, @channel, 'waiting', @priority, @reason, @riskCategory, @messageId, @team,
             @provinceCode, @communeCode, @caseId, 1, @createdAt, @createdAt)
     ON CONFLICT (citizen_key) WHERE status IN ${OPEN} DO UPDATE SET
       priority = CASE WHEN excluded.priority < priority THEN excluded.priority ELSE priority END,
       reason = CASE WHEN excluded.priority < priority THEN excluded.reason ELSE reason END,
       risk_category = CASE WHEN excluded.priority < priority THEN excluded.risk_category ELSE risk_category END,
       message_id = CASE WHEN excluded.priority < priority THEN excluded.message_id ELSE message_id END,
       case_id = COALESCE(case_id, excluded.case_id),
       province_code = COALESCE(province_code, excluded.province_code),
       commune_code = COALESCE(commune_code, excluded.commune_code),
       raises = raises + 1,
       updated_at = excluded.updated_at
     RETURNING *`,
  );
  const byId = db.prepare('SELECT * FROM tickets WHERE id = ?');
  const openOfCitizen = db.prepare(`SELECT * FROM tickets WHERE citizen_key = ? AND status IN ${OPEN}`);
  const openOfConversation = db.prepare(
    `SELECT * FROM tickets WHERE conversation_id = ? AND status IN ${OPEN} ORDER BY created_at, seq LIMIT 1`,
  );
  const recentlyClosed = db.prepare(
    `SELECT * FROM tickets WHERE citizen_key = ? AND status = 'closed' AND closed_at >= ?
      ORDER BY closed_at DESC, seq DESC LIMIT 1`,
  );
  const createdSince = db.prepare('SELECT * FROM tickets WHERE created_at >= ? ORDER BY created_at, seq LIMIT ?');
  const countOpen = db.prepare(
    `SELECT assignee_id, COUNT(*) AS n FROM tickets WHERE assignee_id IS NOT NULL AND status IN ${HELD} GROUP BY assignee_id`,
  );
  const countOpenOf = db.prepare(`SELECT COUNT(*) AS n FROM tickets WHERE assignee_id = ? AND status IN ${HELD}`);
  const claim = db.prepare(
    `UPDATE tickets SET status = 'assigned', assignee_id = @counsellorId, assigned_at = @now,
            last_assignee_id = @counsellorId, updated_at = @now
      WHERE id = @id AND status = 'waiting'
      RETURNING *`,
  );
  // IMMEDIATE: the write lock is taken before the count, so no other process claims for
  // this counsellor between the count and the update.
  const claimCapped = db.transaction((args: { id: string; counsellorId: string; now: number; maxOpen: number }) => {
    const { n } = countOpenOf.get(args.counsellorId) as { n: number };
    if (n >= args.maxOpen) return undefined;
    return claim.get({ id: args.id, counsellorId: args.counsellorId, now: args.now }) as Row | undefined;
  });
  const expecting = '(@expectAssignee IS NULL OR assignee_id = @expectAssignee)';
  const transferToCounsellor = db.prepare(
    `UPDATE tickets SET status = 'assigned', assignee_id = @to, assigned_at = @now, last_assignee_id = @to, updated_at = @now
      WHERE id = @id AND status IN ${HELD} AND ${expecting}
      RETURNING *`,
  );
  const transferToTeam = db.prepare(
    `UPDATE tickets SET status = 'waiting', assignee_id = NULL, assigned_at = NULL, team = @to, updated_at = @now
      WHERE id = @id AND status IN ${HELD} AND ${expecting}
      RETURNING *`,
  );
  const hold = db.prepare(
    `UPDATE tickets SET status = 'on-hold', updated_at = @now
      WHERE id = @id AND status = 'assigned' AND assignee_id = @counsellorId RETURNING *`,
  );
  const resume = db.prepare(
    `UPDATE tickets SET status = 'assigned', updated_at = @now
      WHERE id = @id AND status = 'on-hold' AND assignee_id = @counsellorId RETURNING *`,
  );
  const release = db.prepare(
    `UPDATE tickets SET status = 'waiting', assignee_id = NULL, assigned_at = NULL, updated_at = @now
      WHERE id = @id AND status = 'assigned' AND assignee_id = @counsellorId AND first_response_at IS NULL
      RETURNING *`,
  );
  const close = db.prepare(
    `UPDATE tickets SET status = @status, closed_at = @now, closed_by = @by, outcome = @outcome, close_note = @note,
            last_assignee_id = COALESCE(assignee_id, last_assignee_id), assignee_id = NULL, updated_at = @now
      WHERE id = @id AND status IN ${OPEN} AND ${expecting}
      RETURNING *`,
  );
  // NOT EXISTS answers the usual case; the unique index still refuses a race with open().
  const reopen = db.prepare(
    `UPDATE tickets SET status = 'waiting', assignee_id = NULL, assigned_at = NULL, first_response_at = NULL,
            closed_at = NULL, closed_by = NULL, outcome = NULL, close_note = NULL, reopened_at = @now, updated_at = @now
      WHERE id = @id AND status = 'closed'
        AND NOT EXISTS (SELECT 1 FROM tickets o WHERE o.citizen_key = tickets.citizen_key AND o.status IN ${OPEN})
      RETURNING *`,
  );
  const markFirstResponse = db.prepare(
    'UPDATE tickets SET first_response_at = @now, updated_at = @now WHERE id = @id AND first_response_at IS NULL',
  );
  const markEscalated = db.prepare('UPDATE tickets SET escalated_at = @now, updated_at = @now WHERE id = @id AND escalated_at IS NULL');
  const attachCase = db.prepare(
    `UPDATE tickets SET case_id = COALESCE(case_id, @caseId), province_code = COALESCE(province_code, @provinceCode),
            commune_code = COALESCE(commune_code, @communeCode), updated_at = @now
      WHERE id = @id AND ((case_id IS NULL AND @caseId IS NOT NULL)
        OR (province_code IS NULL AND @provinceCode IS NOT NULL) OR (commune_code IS NULL AND @communeCode IS NOT NULL))
      RETURNING *`,
  );
  const rate = db.prepare(
    "UPDATE tickets SET satisfaction = @satisfaction, updated_at = @now WHERE id = @id AND status = 'closed' AND satisfaction IS NULL",
  );
  const ofCitizen = db.prepare('SELECT * FROM tickets WHERE citizen_key = ? ORDER BY created_at DESC, seq DESC LIMIT ?');
  // Anonymising keeps the row as a count; updated_at is left alone (nothing happened to the request).
  const anonymiseCitizen = db.prepare(
    `UPDATE tickets SET citizen_key = '', close_note = NULL WHERE citizen_key = ? AND status IN ${ENDED}`,
  );
  // citizen_key <> '' first: the same term as tickets_retention's WHERE, so that index serves it.
  const anonymiseBefore = db.prepare(
    `UPDATE tickets SET citizen_key = '', close_note = NULL WHERE citizen_key <> '' AND status IN ${ENDED} AND closed_at < ?`,
  );

  const one = (r: unknown): Ticket | null => (r ? rowToTicket(r as Row) : null);
  const get = async (id: string): Promise<Ticket | null> => one(byId.get(id));

  return {
    async open(t) {
      const id = randomUUID();
      const stored = rowToTicket(open.get({ ...t, id, createdAt: +t.createdAt }) as Row);
      return { ticket: stored, created: stored.id === id };
    },
    get,
    async findOpenByCitizen(citizenKey) {
      return one(openOfCitizen.get(citizenKey));
    },
    async findOpenByConversation(conversationId) {
      return one(openOfConversation.get(conversationId));
    },
    async findRecentlyClosed(citizenKey, closedSince) {
      // '' is the key of anonymised tickets: nobody's, so never offered for reopening.
      if (citizenKey === '') return null;
      return one(recentlyClosed.get(citizenKey, +closedSince));
    },
    async list(filter = {}) {
      const statuses = filter.statuses ?? ['waiting', 'assigned', 'on-hold'];
      if (statuses.length === 0) return [];
      const where = [`status IN (${statuses.map(() => '?').join(', ')})`];
      const args: unknown[] = [...statuses];
      if (filter.assigneeId !== undefined) {
        where.push('assignee_id = ?');
        args.push(filter.assigneeId);
      }
      if (filter.team !== undefined) {
        where.push('team = ?');
        args.push(filter.team);
      }
      const sql = `SELECT * FROM tickets WHERE ${where.join(' AND ')} ORDER BY priority, created_at, seq LIMIT ?`;
      return (db.prepare(sql).all(...args, filter.limit ?? 100) as Row[]).map(rowToTicket);
    },
    async listCreatedSince(since, limit = 1000) {
      return (createdSince.all(+since, limit) as Row[]).map(rowToTicket);
    },
    async countOpenByAssignee() {
      const rows = countOpen.all() as Array<{ assignee_id: string; n: number }>;
      return new Map(rows.map((r) => [String(r.assignee_id), Number(r.n)]));
    },
    async claim(id, counsellorId, now, options = {}) {
      if (options.maxOpen === undefined) return one(claim.get({ id, counsellorId, now: +now }));
      return one(claimCapped.immediate({ id, counsellorId, now: +now, maxOpen: options.maxOpen }));
    },
    async transfer(id, to, now, expectAssignee) {
      const args = { id, now: +now, expectAssignee: expectAssignee ?? null };
      if ('counsellorId' in to) return one(transferToCounsellor.get({ ...args, to: to.counsellorId }));
      return one(transferToTeam.get({ ...args, to: to.team }));
    },
    async hold(id, counsellorId, now) {
      return one(hold.get({ id, counsellorId, now: +now }));
    },
    async resume(id, counsellorId, now) {
      return one(resume.get({ id, counsellorId, now: +now }));
    },
    async release(id, counsellorId, now) {
      return one(release.get({ id, counsellorId, now: +now }));
    },
    async close(id, c, now) {
      const status = c.status ?? 'closed';
      if (status !== 'closed' && status !== 'abandoned') throw new RangeError(`a ticket closes as closed or abandoned, not ${String(status)}`);
      return one(
        close.get({ id, status, by: c.by, outcome: c.outcome, note: c.note, now: +now, expectAssignee: c.expectAssignee ?? null }),
      );
    },
    async reopen(id, now) {
      try {
        return one(reopen.get({ id, now: +now }));
      } catch (err) {
        if (isUniqueViolation(err)) return null;
        throw err;
      }
    },
    async markFirstResponse(id, now) {
      return markFirstResponse.run({ id, now: +now }).changes === 1;
    },
    async markEscalated(id, now) {
      return markEscalated.run({ id, now: +now }).changes === 1;
    },
    async attachCase(id, details, now) {
      const filled = attachCase.get({
        id,
        caseId: details.caseId,
        provinceCode: details.provinceCode,
        communeCode: details.communeCode,
        now: +now,
      });
      // Nothing left to fill (or no such ticket): the ticket as it is.
      return filled ? rowToTicket(filled as Row) : get(id);
    },
    async rate(id, satisfaction, now) {
      assertSatisfaction(satisfaction);
      return rate.run({ id, satisfaction, now: +now }).changes === 1;
    },
    async listByCitizen(citizenKey, limit = 20) {
      if (citizenKey === '') return [];
      return (ofCitizen.all(citizenKey, limit) as Row[]).map(rowToTicket);
    },
    async anonymiseCitizen(citizenKey) {
      if (citizenKey === '') return 0;
      return anonymiseCitizen.run(citizenKey).changes;
    },
    async anonymiseBefore(cutoff) {
      return anonymiseBefore.run(+cutoff).changes;
    },
  };
}
