/**
 * Handoff tickets in MongoDB (collection tickets). The unique index tickets_open (see
 * models.ts), partial on the boolean `open` that every write keeps in step with the status,
 * keeps one open ticket per citizen. Every transition is one findOneAndUpdate whose filter
 * names the state it leaves (compare-and-set), so of several instances exactly one makes
 * each change and the others get null. open() follows mongoHandoffRequests:
 *   1. the open ticket, if it is less urgent than the new one: take the new values;
 *   2. else the open ticket, if it is as urgent or more: count the raise only;
 *   3. else none is open: insert one; a duplicate key means another instance inserted it
 *      first, and the next round raises theirs.
 * Filling caseId and the area where still null is one conditional update per field.
 *
 * Whoever is assigned a ticket is also written to lastAssigneeId, so it always names the
 * last holder and close() only has to empty assigneeId (no read of the old value). A
 * reopened ticket waits anew: its assignee and first response are cleared (escalatedAt and
 * a rating are kept).
 *
 * Erasure and retention anonymise tickets that are over (closed, abandoned) with one
 * updateMany: citizenKey becomes '' and closeNote null, the rest stays as counts.
 */
import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import { OPEN_TICKET_STATUSES, type NewTicket, type Ticket, type TicketRepository, type TicketStatus } from '../types.js';
import { applyLimit, isDuplicateKey } from './helpers.js';
import type { TicketDoc } from './models.js';
import { FRESH_TICKET_FIELDS } from '../shared.js';

/** A few rounds are enough: each one lost means another instance's write went through. */
const MAX_ATTEMPTS = 5;
/** The statuses in which a counsellor holds a ticket. */
const HELD: TicketStatus[] = ['assigned', 'on-hold'];
/** The statuses of a ticket that is over: erasure and retention anonymise these only. */
const ENDED: TicketStatus[] = ['closed', 'abandoned'];
/** An anonymised ticket: nobody's ('' is no citizen's key), no close note; updatedAt is left alone. */
const ANONYMISED = { citizenKey: '', closeNote: null } as const;
/** What open() and attachCase() fill in where the ticket has none yet. */
const FILLABLE = ['caseId', 'provinceCode', 'communeCode'] as const;

function docToTicket(d: TicketDoc): Ticket {
  const date = (v: Date | null | undefined) => (v ? new Date(v) : null);
  return {
    id: d.id,
    conversationId: d.conversationId,
    citizenKey: d.citizenKey,
    channel: d.channel,
    status: d.status,
    priority: d.priority,
    reason: d.reason,
    riskCategory: d.riskCategory ?? null,
    messageId: d.messageId ?? null,
    team: d.team,
    provinceCode: d.provinceCode ?? null,
    communeCode: d.communeCode ?? null,
    caseId: d.caseId ?? null,
    raises: d.raises,
    assigneeId: d.assigneeId ?? null,
    assignedAt: date(d.assignedAt),
    firstResponseAt: date(d.firstResponseAt),
    lastAssigneeId: d.lastAssigneeId ?? null,
    closedAt: date(d.closedAt),
    closedBy: d.closedBy ?? null,
    outcome: d.outcome ?? null,
    closeNote: d.closeNote ?? null,
    escalatedAt: date(d.escalatedAt),
    reopenedAt: date(d.reopenedAt),
    satisfaction: d.satisfaction ?? null,
    createdAt: new Date(d.createdAt),
    updatedAt: new Date(d.updatedAt),
  };
}

function assertSatisfaction(satisfaction: number): void {
  if (!Number.isInteger(satisfaction) || satisfaction < 1 || satisfaction > 3) {
    throw new RangeError(`satisfaction must be 1, 2 or 3, got ${satisfaction}`);
  }
}

/** The TicketRepository on MongoDB: see the file comment for the compare-and-set writes it is made of. */
export function mongoTickets(M: Model<TicketDoc>): TicketRepository {
  const after = { returnDocument: 'after' } as const;
  const one = (d: TicketDoc | null): Ticket | null => (d ? docToTicket(d) : null);
  const get = async (id: string): Promise<Ticket | null> => one(await M.findOne({ id }).lean<TicketDoc>());
  /** Compare-and-set: `filter` names the state the ticket must be in; null when it is not. */
  const transition = async (filter: Record<string, unknown>, $set: Partial<TicketDoc>): Promise<Ticket | null> =>
    one(await M.findOneAndUpdate(filter, { $set }, after).lean<TicketDoc>());
  const expecting = (assigneeId: string | undefined) => (assigneeId === undefined ? {} : { assigneeId });

  /** Sets each given field where it is still null; true when any was set. */
  const fill = async (id: string, values: Pick<NewTicket, (typeof FILLABLE)[number]>, now: Date): Promise<boolean> => {
    let changed = false;
    for (const field of FILLABLE) {
      const value = values[field];
      if (value === null || value === undefined) continue;
      const res = await M.updateOne({ id, [field]: null }, { $set: { [field]: value, updatedAt: now } });
      if (res.modifiedCount === 1) changed = true;
    }
    return changed;
  };

  const raiseOpen = async (t: NewTicket): Promise<TicketDoc | null> => {
    const moreUrgent = await M.findOneAndUpdate(
      { citizenKey: t.citizenKey, open: true, priority: { $gt: t.priority } },
      {
        $set: { priority: t.priority, reason: t.reason, riskCategory: t.riskCategory, messageId: t.messageId, updatedAt: t.createdAt },
        $inc: { raises: 1 },
      },
      after,
    ).lean<TicketDoc>();
    if (moreUrgent) return moreUrgent;
    return M.findOneAndUpdate(
      { citizenKey: t.citizenKey, open: true, priority: { $lte: t.priority } },
      { $set: { updatedAt: t.createdAt }, $inc: { raises: 1 } },
      after,
    ).lean<TicketDoc>();
  };

  return {
    async open(t) {
      for (let attempt = 1; ; attempt++) {
        const raised = await raiseOpen(t);
        if (raised) {
          const missing = FILLABLE.some((f) => t[f] !== null && t[f] !== undefined && (raised[f] ?? null) === null);
          if (missing && (await fill(raised.id, t, t.createdAt))) {
            return { ticket: (await get(raised.id)) ?? docToTicket(raised), created: false };
          }
          return { ticket: docToTicket(raised), created: false };
        }
        const doc: TicketDoc = {
          id: randomUUID(),
          conversationId: t.conversationId,
          citizenKey: t.citizenKey,
          channel: t.channel,
          status: 'waiting',
          open: true,
          priority: t.priority,
          reason: t.reason,
          riskCategory: t.riskCategory,
          messageId: t.messageId,
          team: t.team,
          provinceCode: t.provinceCode,
          communeCode: t.communeCode,
          caseId: t.caseId,
          raises: 1,
          ...FRESH_TICKET_FIELDS,
          createdAt: t.createdAt,
          updatedAt: t.createdAt,
        };
        try {
          await M.create(doc);
          return { ticket: docToTicket(doc), created: true };
        } catch (err) {
          if (!isDuplicateKey(err) || attempt >= MAX_ATTEMPTS) throw err;
        }
      }
    },
    get,
    async findOpenByCitizen(citizenKey) {
      return one(await M.findOne({ citizenKey, open: true }).lean<TicketDoc>());
    },
    async findOpenByConversation(conversationId) {
      return one(await M.findOne({ conversationId, open: true }).sort({ createdAt: 1, _id: 1 }).lean<TicketDoc>());
    },
    async findRecentlyClosed(citizenKey, closedSince) {
      // '' is the key of anonymised tickets: nobody's, so never offered for reopening.
      if (citizenKey === '') return null;
      const doc = await M.findOne({ citizenKey, status: 'closed', closedAt: { $gte: closedSince } })
        .sort({ closedAt: -1, _id: -1 })
        .lean<TicketDoc>();
      return one(doc);
    },
    async list(filter = {}) {
      const statuses = filter.statuses ?? OPEN_TICKET_STATUSES;
      if (statuses.length === 0) return [];
      const where: Record<string, unknown> = { status: { $in: [...statuses] } };
      if (filter.assigneeId !== undefined) where.assigneeId = filter.assigneeId;
      if (filter.team !== undefined) where.team = filter.team;
      // _id last: ObjectIds grow with insertion, the nearest thing to SQLite's seq.
      const q = applyLimit(M.find(where).sort({ priority: 1, createdAt: 1, _id: 1 }), filter.limit ?? 100);
      return q ? (await q.lean<TicketDoc[]>()).map(docToTicket) : [];
    },
    async listCreatedSince(since, limit = 1000) {
      const q = applyLimit(M.find({ createdAt: { $gte: since } }).sort({ createdAt: 1, _id: 1 }), limit);
      return q ? (await q.lean<TicketDoc[]>()).map(docToTicket) : [];
    },
    async countOpenByAssignee() {
      const rows = await M.aggregate<{ _id: string; n: number }>([
        { $match: { status: { $in: HELD }, assigneeId: { $type: 'string' } } },
        { $group: { _id: '$assigneeId', n: { $sum: 1 } } },
      ]);
      return new Map(rows.map((r) => [r._id, r.n]));
    },
    async claim(id, counsellorId, now, options = {}) {
      // Checked just before the claim, not with it: a race can exceed the cap by one.
      if (options.maxOpen !== undefined) {
        const held = await M.countDocuments({ assigneeId: counsellorId, status: { $in: HELD } });
        if (held >= options.maxOpen) return null;
      }
      return transition(
        { id, status: 'waiting' },
        { status: 'assigned', assigneeId: counsellorId, assignedAt: now, lastAssigneeId: counsellorId, updatedAt: now },
      );
    },
    async transfer(id, to, now, expectAssignee) {
      const filter = { id, status: { $in: HELD }, ...expecting(expectAssignee) };
      if ('counsellorId' in to) {
        return transition(filter, {
          status: 'assigned',
          assigneeId: to.counsellorId,
          assignedAt: now,
          lastAssigneeId: to.counsellorId,
          updatedAt: now,
        });
      }
      return transition(filter, { status: 'waiting', assigneeId: null, assignedAt: null, team: to.team, updatedAt: now });
    },
    async hold(id, counsellorId, now) {
      return transition({ id, status: 'assigned', assigneeId: counsellorId }, { status: 'on-hold', updatedAt: now });
    },
    async resume(id, counsellorId, now) {
      return transition({ id, status: 'on-hold', assigneeId: counsellorId }, { status: 'assigned', updatedAt: now });
    },
    async release(id, counsellorId, now) {
      return transition(
        { id, status: 'assigned', assigneeId: counsellorId, firstResponseAt: null },
        { status: 'waiting', assigneeId: null, assignedAt: null, updatedAt: now },
      );
    },
    async close(id, c, now) {
      const status = c.status ?? 'closed';
      if (status !== 'closed' && status !== 'abandoned') throw new RangeError(`a ticket closes as closed or abandoned, not ${String(status)}`);
      return transition(
        { id, open: true, ...expecting(c.expectAssignee) },
        { status, open: false, closedAt: now, closedBy: c.by, outcome: c.outcome, closeNote: c.note, assigneeId: null, updatedAt: now },
      );
    },
    async reopen(id, now) {
      try {
        return await transition(
          { id, status: 'closed' },
          {
            status: 'waiting',
            open: true,
            assigneeId: null,
            assignedAt: null,
            firstResponseAt: null,
            closedAt: null,
            closedBy: null,
            outcome: null,
            closeNote: null,
            reopenedAt: now,
            updatedAt: now,
          },
        );
      } catch (err) {
        // The citizen already has an open ticket: tickets_open refused a second one.
        if (isDuplicateKey(err)) return null;
        throw err;
      }
    },
    async markFirstResponse(id, now) {
      const res = await M.updateOne({ id, firstResponseAt: null }, { $set: { firstResponseAt: now, updatedAt: now } });
      return res.modifiedCount === 1;
    },
    async markEscalated(id, now) {
      const res = await M.updateOne({ id, escalatedAt: null }, { $set: { escalatedAt: now, updatedAt: now } });
      return res.modifiedCount === 1;
    },
    async attachCase(id, details, now) {
      await fill(id, details, now);
      return get(id);
    },
    async rate(id, satisfaction, now) {
      assertSatisfaction(satisfaction);
      const res = await M.updateOne({ id, status: 'closed', satisfaction: null }, { $set: { satisfaction, updatedAt: now } });
      return res.modifiedCount === 1;
    },
    async listByCitizen(citizenKey, limit = 20) {
      if (citizenKey === '') return [];
      const q = applyLimit(M.find({ citizenKey }).sort({ createdAt: -1, _id: -1 }), limit);
      return q ? (await q.lean<TicketDoc[]>()).map(docToTicket) : [];
    },
    async anonymiseCitizen(citizenKey) {
      if (citizenKey === '') return 0;
      const res = await M.updateMany({ citizenKey, status: { $in: ENDED } }, { $set: ANONYMISED });
      return res.modifiedCount;
    },
    async anonymiseBefore(cutoff) {
      const res = await M.updateMany({ status: { $in: ENDED }, closedAt: { $lt: cutoff }, citizenKey: { $ne: '' } }, { $set: ANONYMISED });
      return res.modifiedCount;
    },
  };
}
