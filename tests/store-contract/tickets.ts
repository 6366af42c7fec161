/**
 * The ticket and note contract for every store: runs on SQLite always, and on MongoDB when
 * MONGODB_URI is set (the test setup starts jongodb for it when it is not). Ends with the
 * acceptance test of the queue: 20 concurrent claimers on 50 tickets, each assigned once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMongoStore } from '../../src/store/mongo/mongo-store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { HANDOFF_PRIORITY, type NewNote, type NewTicket, type Store, type Ticket } from '../../src/store/types.js';
import { newTicket } from '../support/builders.js';
import { mongoLaneUri, newTestDbName, openMongoTestStore, storeLanes } from '../support/mongo-lane.js';
import { FRESH_TICKET_FIELDS } from '../../src/store/shared.js';

const lanes = storeLanes('ctxh-tickets-');

const t0 = new Date('2026-11-22T08:00:00Z');
const later = (s: number) => new Date(t0.getTime() + s * 1000);

/** A request of citizen `who` (telegram:<who>) from conversation conv-<who>, at t0. */
const ticket = (who: string, over: Partial<NewTicket> = {}): NewTicket => newTicket(who, { createdAt: t0, ...over });

describe.each(lanes)('ticket contract: $name', ({ open }) => {
  let store: Store;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  const opened = async (who: string, over: Partial<NewTicket> = {}): Promise<Ticket> => (await store.tickets.open(ticket(who, over))).ticket;
  const claimed = async (who: string, counsellorId: string, over: Partial<NewTicket> = {}): Promise<Ticket> => {
    const t = await opened(who, over);
    const c = await store.tickets.claim(t.id, counsellorId, later(10));
    if (!c) throw new Error(`could not claim ${t.id}`);
    return c;
  };

  describe('open', () => {
    it('opens a waiting ticket and finds it by id, citizen and conversation', async () => {
      const { ticket: t, created } = await store.tickets.open(
        ticket('o-1', { messageId: 'm-1', team: 'tam-ly', provinceCode: '01', communeCode: '00004', caseId: 'case-1' }),
      );
      expect(created).toBe(true);
      expect(t).toEqual({
        id: t.id,
        conversationId: 'conv-o-1',
        citizenKey: 'telegram:o-1',
        channel: 'telegram',
        status: 'waiting',
        priority: HANDOFF_PRIORITY.normal,
        reason: 'citizen-asked',
        riskCategory: null,
        messageId: 'm-1',
        team: 'tam-ly',
        provinceCode: '01',
        communeCode: '00004',
        caseId: 'case-1',
        createdAt: t0,
        updatedAt: t0,
        raises: 1,
        ...FRESH_TICKET_FIELDS,
      });
      expect(typeof t.id).toBe('string');
      expect(t.createdAt).toBeInstanceOf(Date);
      expect(await store.tickets.get(t.id)).toEqual(t);
      expect(await store.tickets.findOpenByCitizen('telegram:o-1')).toEqual(t);
      expect(await store.tickets.findOpenByConversation('conv-o-1')).toEqual(t);
      expect(await store.tickets.get('no-such-ticket')).toBeNull();
      expect(await store.tickets.findOpenByCitizen('telegram:nobody')).toBeNull();
      expect(await store.tickets.findOpenByConversation('conv-nobody')).toBeNull();
    });

    it('keeps one open ticket per citizen: counts raises, only ever raises the priority, keeps team and createdAt', async () => {
      const first = await opened('o-2', { messageId: 'm-1' });
      // Another conversation of the same citizen, more urgent, for another team.
      const second = await store.tickets.open(
        ticket('o-2', {
          conversationId: 'conv-o-2-b',
          priority: HANDOFF_PRIORITY.checkIn,
          reason: 'risk',
          riskCategory: 'bao-luc',
          messageId: 'm-2',
          team: 'tam-ly',
          createdAt: later(5),
        }),
      );
      expect(second.created).toBe(false);
      expect(second.ticket).toEqual({
        ...first,
        priority: HANDOFF_PRIORITY.checkIn,
        reason: 'risk',
        riskCategory: 'bao-luc',
        messageId: 'm-2',
        raises: 2,
        updatedAt: later(5),
      });
      // Less urgent: counted, nothing else taken.
      const third = await store.tickets.open(ticket('o-2', { reason: 'no-answer', messageId: 'm-3', createdAt: later(6) }));
      expect(third).toEqual({ created: false, ticket: { ...second.ticket, raises: 3, updatedAt: later(6) } });
      // Equally urgent is not more urgent: the first category stays.
      const fourth = await store.tickets.open(
        ticket('o-2', { priority: HANDOFF_PRIORITY.checkIn, reason: 'risk', riskCategory: 'tu-hai', messageId: 'm-4', createdAt: later(7) }),
      );
      expect(fourth.ticket).toMatchObject({ id: first.id, priority: HANDOFF_PRIORITY.checkIn, riskCategory: 'bao-luc', messageId: 'm-2', raises: 4 });
      const fifth = await store.tickets.open(
        ticket('o-2', { priority: HANDOFF_PRIORITY.urgent, reason: 'risk', riskCategory: 'tu-hai', messageId: 'm-5', createdAt: later(8) }),
      );
      expect(fifth.ticket).toMatchObject({
        id: first.id,
        status: 'waiting',
        priority: HANDOFF_PRIORITY.urgent,
        reason: 'risk',
        riskCategory: 'tu-hai',
        messageId: 'm-5',
        raises: 5,
        team: 'chung',
        conversationId: 'conv-o-2',
        createdAt: t0,
      });
      expect(await store.tickets.get(first.id)).toEqual(fifth.ticket);
      expect((await store.tickets.list()).filter((t) => t.citizenKey === 'telegram:o-2')).toHaveLength(1);
    });

    it('fills caseId and the area where still null, never replacing them', async () => {
      const first = await opened('o-3', { provinceCode: '79' });
      const second = await store.tickets.open(
        ticket('o-3', { caseId: 'case-3', provinceCode: '01', communeCode: '26734', createdAt: later(1) }),
      );
      expect(second.ticket).toMatchObject({ id: first.id, caseId: 'case-3', provinceCode: '79', communeCode: '26734', raises: 2 });
      const third = await store.tickets.open(ticket('o-3', { caseId: 'case-other', communeCode: '00004', createdAt: later(2) }));
      expect(third.ticket).toMatchObject({ id: first.id, caseId: 'case-3', provinceCode: '79', communeCode: '26734', raises: 3 });
      expect(await store.tickets.get(first.id)).toEqual(third.ticket);
    });

    it('gives several simultaneous openers of one citizen one open ticket', async () => {
      const results = await Promise.all([
        store.tickets.open(ticket('o-4', { messageId: 'm-a' })),
        store.tickets.open(ticket('o-4', { conversationId: 'conv-o-4-b', messageId: 'm-b' })),
        store.tickets.open(ticket('o-4', { priority: HANDOFF_PRIORITY.urgent, reason: 'risk', riskCategory: 'cap-cuu', messageId: 'm-c' })),
        store.tickets.open(ticket('o-4', { caseId: 'case-4' })),
      ]);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.ticket.id)).size).toBe(1);
      // Whichever came first, the urgent one decides the priority and the case is filled.
      expect(await store.tickets.findOpenByCitizen('telegram:o-4')).toMatchObject({
        id: results[0].ticket.id,
        raises: 4,
        priority: HANDOFF_PRIORITY.urgent,
        riskCategory: 'cap-cuu',
        messageId: 'm-c',
        caseId: 'case-4',
      });
      expect((await store.tickets.list()).filter((t) => t.citizenKey === 'telegram:o-4')).toHaveLength(1);
    });

    it('opens a new ticket once the open one is closed', async () => {
      const first = await opened('o-5');
      await store.tickets.close(first.id, { by: 'system', outcome: 'resolved', note: null }, later(1));
      const next = await store.tickets.open(ticket('o-5', { createdAt: later(2) }));
      expect(next.created).toBe(true);
      expect(next.ticket.id).not.toBe(first.id);
      expect(next.ticket).toMatchObject({ status: 'waiting', raises: 1, createdAt: later(2) });
      expect((await store.tickets.findOpenByCitizen('telegram:o-5'))?.id).toBe(next.ticket.id);
      expect((await store.tickets.get(first.id))?.status).toBe('closed');
    });
  });

  describe('lists', () => {
    it('lists open tickets most urgent first, then oldest first, never newest first', async () => {
      const normalLater = (await opened('l-a', { createdAt: later(-50) })).id;
      const urgentLater = (await opened('l-b', { priority: HANDOFF_PRIORITY.urgent, reason: 'risk', riskCategory: 'tu-hai', createdAt: later(-30) })).id;
      const checkIn = (await opened('l-c', { priority: HANDOFF_PRIORITY.checkIn, reason: 'risk', createdAt: later(-40) })).id;
      const normalFirst = (await opened('l-d', { createdAt: later(-60) })).id;
      const closed = (await opened('l-e', { priority: HANDOFF_PRIORITY.urgent, createdAt: later(-70) })).id;
      await store.tickets.close(closed, { by: 'system', outcome: 'resolved', note: null }, later(-20));
      // Raised to urgent after it was opened: it keeps its createdAt, ahead of l-b.
      const raised = (await opened('l-f', { createdAt: later(-45) })).id;
      await opened('l-f', { priority: HANDOFF_PRIORITY.urgent, reason: 'risk', riskCategory: 'cap-cuu', createdAt: later(-10) });
      // Same priority and same moment: the one opened first comes first.
      const tieFirst = (await opened('l-g', { createdAt: later(-35) })).id;
      const tieSecond = (await opened('l-h', { createdAt: later(-35) })).id;
      const mine = new Set([normalLater, urgentLater, checkIn, normalFirst, closed, raised, tieFirst, tieSecond]);
      const listed = (await store.tickets.list({ limit: -1 })).filter((t) => mine.has(t.id));
      expect(listed.map((t) => t.id)).toEqual([raised, urgentLater, checkIn, normalFirst, normalLater, tieFirst, tieSecond]);

      const all = await store.tickets.list({ limit: -1 });
      expect(all.every((t) => ['waiting', 'assigned', 'on-hold'].includes(t.status))).toBe(true);
      for (let i = 1; i < all.length; i++) {
        const [prev, cur] = [all[i - 1]!, all[i]!];
        expect(prev.priority < cur.priority || (prev.priority === cur.priority && prev.createdAt <= cur.createdAt)).toBe(true);
      }
      expect(await store.tickets.list({ limit: 2 })).toEqual(all.slice(0, 2));
      expect(await store.tickets.list({ statuses: [] })).toEqual([]);
    });

    it('filters by status, assignee and team', async () => {
      const a = await claimed('f-a', 'filter-c1', { team: 'tre-em' });
      const b = await claimed('f-b', 'filter-c1', { team: 'tam-ly', createdAt: later(1) });
      await store.tickets.hold(b.id, 'filter-c1', later(11));
      const c = await claimed('f-c', 'filter-c2', { team: 'tre-em' });
      const d = await opened('f-d', { team: 'tre-em', createdAt: later(2) });
      const e = await claimed('f-e', 'filter-c1', { team: 'tre-em', createdAt: later(3) });
      await store.tickets.close(e.id, { by: 'filter-c1', outcome: 'resolved', note: null }, later(12));

      const ids = (ts: Ticket[]) => ts.map((t) => t.id);
      expect(ids(await store.tickets.list({ assigneeId: 'filter-c1' }))).toEqual([a.id, b.id]);
      expect(ids(await store.tickets.list({ assigneeId: 'filter-c1', statuses: ['on-hold'] }))).toEqual([b.id]);
      expect(ids(await store.tickets.list({ team: 'tre-em' }))).toEqual([a.id, c.id, d.id]);
      expect(ids(await store.tickets.list({ team: 'tre-em', statuses: ['waiting'] }))).toEqual([d.id]);
      expect(ids(await store.tickets.list({ team: 'tre-em', statuses: ['closed', 'assigned'] }))).toEqual([a.id, c.id, e.id]);
      expect(ids(await store.tickets.list({ team: 'tre-em', assigneeId: 'filter-c2' }))).toEqual([c.id]);
    });

    it('lists tickets created since a time, any status, oldest first', async () => {
      const base = 100_000;
      const a = await opened('s-a', { createdAt: later(base + 2) });
      const b = await claimed('s-b', 'since-c', { createdAt: later(base + 1), priority: HANDOFF_PRIORITY.urgent });
      const c = await opened('s-c', { createdAt: later(base + 3) });
      await store.tickets.close(c.id, { by: 'citizen', outcome: 'abandoned', note: null, status: 'abandoned' }, later(base + 4));
      await opened('s-d', { createdAt: later(base) });
      const since = await store.tickets.listCreatedSince(later(base + 1));
      expect(since.map((t) => t.id)).toEqual([b.id, a.id, c.id]);
      expect(since.map((t) => t.status)).toEqual(['assigned', 'waiting', 'abandoned']);
      expect((await store.tickets.listCreatedSince(later(base + 1), 2)).map((t) => t.id)).toEqual([b.id, a.id]);
      expect(await store.tickets.listCreatedSince(later(base + 5))).toEqual([]);
    });
  });

  describe('claims', () => {
    it('assigns a waiting ticket to exactly one of several simultaneous claimers', async () => {
      const t = await opened('c-1');
      const results = await Promise.all(['c1-a', 'c1-b', 'c1-c', 'c1-d', 'c1-e'].map((c) => store.tickets.claim(t.id, c, later(20))));
      const winners = results.filter((r): r is Ticket => r !== null);
      expect(winners).toHaveLength(1);
      const winner = winners[0]!;
      expect(winner).toEqual({
        ...t,
        status: 'assigned',
        assigneeId: winner.assigneeId,
        assignedAt: later(20),
        lastAssigneeId: winner.assigneeId,
        updatedAt: later(20),
      });
      expect(await store.tickets.get(t.id)).toEqual(winner);
      expect(await store.tickets.claim(t.id, 'c1-late', later(21))).toBeNull();
      expect(await store.tickets.claim('no-such-ticket', 'c1-late', later(21))).toBeNull();
    });

    it('refuses a claim when the counsellor already holds maxOpen open tickets', async () => {
      const one = await claimed('c-2a', 'cap-c');
      const two = await claimed('c-2b', 'cap-c');
      await store.tickets.hold(two.id, 'cap-c', later(11));
      const three = await opened('c-2c');
      // Assigned and on hold both count.
      expect(await store.tickets.claim(three.id, 'cap-c', later(12), { maxOpen: 2 })).toBeNull();
      expect((await store.tickets.get(three.id))?.status).toBe('waiting');
      // Closed tickets do not count.
      await store.tickets.close(one.id, { by: 'cap-c', outcome: 'resolved', note: null }, later(13));
      expect(await store.tickets.claim(three.id, 'cap-c', later(14), { maxOpen: 2 })).toMatchObject({ status: 'assigned', assigneeId: 'cap-c' });
      const four = await opened('c-2d');
      expect(await store.tickets.claim(four.id, 'cap-c', later(15), { maxOpen: 2 })).toBeNull();
      expect(await store.tickets.claim(four.id, 'cap-c', later(15), { maxOpen: 3 })).toMatchObject({ assigneeId: 'cap-c' });
      // Without a cap, no limit.
      const five = await opened('c-2e');
      expect(await store.tickets.claim(five.id, 'cap-c', later(16))).toMatchObject({ assigneeId: 'cap-c' });
    });

    it('counts open tickets (assigned or on hold) per assignee', async () => {
      await claimed('n-a', 'count-c1');
      const b = await claimed('n-b', 'count-c1');
      await store.tickets.hold(b.id, 'count-c1', later(11));
      const c = await claimed('n-c', 'count-c1');
      await store.tickets.close(c.id, { by: 'count-c1', outcome: 'resolved', note: null }, later(12));
      await claimed('n-d', 'count-c2');
      const e = await claimed('n-e', 'count-c3');
      await store.tickets.transfer(e.id, { team: 'chung' }, later(13));
      const counts = await store.tickets.countOpenByAssignee();
      expect(counts.get('count-c1')).toBe(2);
      expect(counts.get('count-c2')).toBe(1);
      expect(counts.has('count-c3')).toBe(false);
      const held = await store.tickets.list({ statuses: ['assigned', 'on-hold'], limit: -1 });
      expect([...counts.values()].reduce((a, n) => a + n, 0)).toBe(held.length);
    });
  });

  describe('transitions', () => {
    it('transfers an assigned or on-hold ticket to a colleague', async () => {
      const t = await claimed('t-1', 'tr-a');
      expect(await store.tickets.transfer(t.id, { counsellorId: 'tr-b' }, later(20), 'tr-x')).toBeNull();
      const moved = await store.tickets.transfer(t.id, { counsellorId: 'tr-b' }, later(20), 'tr-a');
      expect(moved).toEqual({ ...t, assigneeId: 'tr-b', assignedAt: later(20), lastAssigneeId: 'tr-b', updatedAt: later(20) });
      await store.tickets.hold(t.id, 'tr-b', later(21));
      const again = await store.tickets.transfer(t.id, { counsellorId: 'tr-c' }, later(22));
      expect(again).toMatchObject({ status: 'assigned', assigneeId: 'tr-c', assignedAt: later(22), lastAssigneeId: 'tr-c', team: 'chung' });
      // A waiting ticket is claimed, not transferred.
      const waiting = await opened('t-1b');
      expect(await store.tickets.transfer(waiting.id, { counsellorId: 'tr-c' }, later(23))).toBeNull();
      expect(await store.tickets.transfer('no-such-ticket', { counsellorId: 'tr-c' }, later(23))).toBeNull();
    });

    it('transfers a ticket back to a team queue, waiting with no assignee', async () => {
      const t = await claimed('t-2', 'tr-d', { team: 'chung' });
      await store.tickets.markFirstResponse(t.id, later(15));
      const moved = await store.tickets.transfer(t.id, { team: 'tam-ly' }, later(20), 'tr-d');
      expect(moved).toEqual({
        ...t,
        status: 'waiting',
        team: 'tam-ly',
        assigneeId: null,
        assignedAt: null,
        firstResponseAt: later(15),
        lastAssigneeId: 'tr-d',
        updatedAt: later(20),
      });
      expect(await store.tickets.transfer(t.id, { team: 'chung' }, later(21))).toBeNull();
      expect((await store.tickets.list({ team: 'tam-ly' })).map((x) => x.id)).toContain(t.id);
      // Anyone in the team can take it again.
      expect(await store.tickets.claim(t.id, 'tr-e', later(22))).toMatchObject({ assigneeId: 'tr-e', lastAssigneeId: 'tr-e', team: 'tam-ly' });
    });

    it('puts a ticket on hold and resumes it, only by the one holding it', async () => {
      const t = await claimed('t-3', 'hold-a');
      expect(await store.tickets.hold(t.id, 'hold-b', later(20))).toBeNull();
      const held = await store.tickets.hold(t.id, 'hold-a', later(20));
      expect(held).toEqual({ ...t, status: 'on-hold', updatedAt: later(20) });
      expect(await store.tickets.hold(t.id, 'hold-a', later(21))).toBeNull();
      expect(await store.tickets.resume(t.id, 'hold-b', later(22))).toBeNull();
      const resumed = await store.tickets.resume(t.id, 'hold-a', later(22));
      // The assignment time is kept: resuming is not a new assignment.
      expect(resumed).toEqual({ ...t, status: 'assigned', assignedAt: later(10), updatedAt: later(22) });
      expect(await store.tickets.resume(t.id, 'hold-a', later(23))).toBeNull();
      const waiting = await opened('t-3b');
      expect(await store.tickets.hold(waiting.id, 'hold-a', later(24))).toBeNull();
    });

    it('releases an assigned ticket nobody has answered back to waiting, only by its holder', async () => {
      const t = await claimed('t-4', 'rel-a');
      expect(await store.tickets.release(t.id, 'rel-b', later(20))).toBeNull();
      const released = await store.tickets.release(t.id, 'rel-a', later(20));
      expect(released).toEqual({ ...t, status: 'waiting', assigneeId: null, assignedAt: null, lastAssigneeId: 'rel-a', updatedAt: later(20) });
      expect(await store.tickets.release(t.id, 'rel-a', later(21))).toBeNull();
      // Answered: not released.
      await store.tickets.claim(t.id, 'rel-b', later(22));
      expect(await store.tickets.markFirstResponse(t.id, later(23))).toBe(true);
      expect(await store.tickets.release(t.id, 'rel-b', later(24))).toBeNull();
      // On hold: not released either.
      const h = await claimed('t-4b', 'rel-a');
      await store.tickets.hold(h.id, 'rel-a', later(25));
      expect(await store.tickets.release(h.id, 'rel-a', later(26))).toBeNull();
      expect((await store.tickets.get(t.id))?.assigneeId).toBe('rel-b');
    });

    it('closes an open ticket with who, outcome and note; the assignee becomes lastAssigneeId', async () => {
      const t = await claimed('t-5', 'close-a');
      expect(await store.tickets.close(t.id, { by: 'close-b', outcome: 'resolved', note: null, expectAssignee: 'close-b' }, later(20))).toBeNull();
      const closed = await store.tickets.close(
        t.id,
        { by: 'close-a', outcome: 'referred', note: 'Chuyển UBND xã', expectAssignee: 'close-a' },
        later(20),
      );
      expect(closed).toEqual({
        ...t,
        status: 'closed',
        assigneeId: null,
        lastAssigneeId: 'close-a',
        closedAt: later(20),
        closedBy: 'close-a',
        outcome: 'referred',
        closeNote: 'Chuyển UBND xã',
        updatedAt: later(20),
      });
      expect(await store.tickets.get(t.id)).toEqual(closed);
      expect(await store.tickets.close(t.id, { by: 'close-a', outcome: 'resolved', note: null }, later(21))).toBeNull();
      expect(await store.tickets.findOpenByCitizen('telegram:t-5')).toBeNull();
      expect(await store.tickets.findOpenByConversation('conv-t-5')).toBeNull();
      // On hold, and waiting (nobody held it), close too.
      const h = await claimed('t-5b', 'close-a');
      await store.tickets.hold(h.id, 'close-a', later(22));
      expect(await store.tickets.close(h.id, { by: 'close-sup', outcome: 'resolved', note: null }, later(23))).toMatchObject({
        status: 'closed',
        closedBy: 'close-sup',
        lastAssigneeId: 'close-a',
        assigneeId: null,
      });
      const w = await opened('t-5c');
      expect(await store.tickets.close(w.id, { by: 'system', outcome: 'duplicate', note: null }, later(24))).toMatchObject({
        status: 'closed',
        lastAssigneeId: null,
        closeNote: null,
      });
      expect(await store.tickets.close('no-such-ticket', { by: 'system', outcome: 'resolved', note: null }, later(24))).toBeNull();
    });

    it('abandons a ticket the citizen left before anyone came', async () => {
      const t = await opened('t-6');
      const abandoned = await store.tickets.close(t.id, { by: 'citizen', outcome: 'abandoned', note: null, status: 'abandoned' }, later(30));
      expect(abandoned).toEqual({
        ...t,
        status: 'abandoned',
        closedAt: later(30),
        closedBy: 'citizen',
        outcome: 'abandoned',
        updatedAt: later(30),
      });
      expect(await store.tickets.findOpenByCitizen('telegram:t-6')).toBeNull();
      // Not a closed ticket: neither offered for reopening nor reopened, nor rated.
      expect(await store.tickets.findRecentlyClosed('telegram:t-6', later(0))).toBeNull();
      expect(await store.tickets.reopen(t.id, later(31))).toBeNull();
      expect(await store.tickets.rate(t.id, 3, later(31))).toBe(false);
      expect((await store.tickets.open(ticket('t-6', { createdAt: later(32) }))).created).toBe(true);
    });

    it('finds the citizen’s most recently closed ticket within the reopen window', async () => {
      const a = await claimed('t-7', 'win-a');
      await store.tickets.close(a.id, { by: 'win-a', outcome: 'resolved', note: null }, later(100));
      const b = await claimed('t-7', 'win-b', { createdAt: later(150) });
      await store.tickets.close(b.id, { by: 'win-b', outcome: 'resolved', note: null }, later(200));
      expect((await store.tickets.findRecentlyClosed('telegram:t-7', later(50)))?.id).toBe(b.id);
      expect((await store.tickets.findRecentlyClosed('telegram:t-7', later(200)))?.id).toBe(b.id);
      expect(await store.tickets.findRecentlyClosed('telegram:t-7', later(201))).toBeNull();
      expect(await store.tickets.findRecentlyClosed('telegram:nobody', later(0))).toBeNull();
    });

    it('reopens a closed ticket as waiting, offered to its last counsellor', async () => {
      const t = await claimed('t-8', 're-a', { caseId: 'case-8' });
      await store.tickets.markFirstResponse(t.id, later(15));
      await store.tickets.markEscalated(t.id, later(16));
      const closed = (await store.tickets.close(t.id, { by: 're-a', outcome: 'resolved', note: 'xong' }, later(20)))!;
      const reopened = await store.tickets.reopen(t.id, later(30));
      expect(reopened).toEqual({
        ...closed,
        status: 'waiting',
        assigneeId: null,
        assignedAt: null,
        firstResponseAt: null,
        lastAssigneeId: 're-a',
        closedAt: null,
        closedBy: null,
        outcome: null,
        closeNote: null,
        escalatedAt: later(16),
        reopenedAt: later(30),
        updatedAt: later(30),
      });
      expect(reopened).toMatchObject({ id: t.id, createdAt: t0, caseId: 'case-8', raises: 1 });
      expect((await store.tickets.findOpenByCitizen('telegram:t-8'))?.id).toBe(t.id);
      // Open again: not reopened twice.
      expect(await store.tickets.reopen(t.id, later(31))).toBeNull();
      expect(await store.tickets.claim(t.id, 're-a', later(32))).toMatchObject({ status: 'assigned', assigneeId: 're-a' });
      expect(await store.tickets.reopen('no-such-ticket', later(33))).toBeNull();
    });

    it('refuses to reopen when the citizen already has another open ticket', async () => {
      const old = await opened('t-9');
      await store.tickets.close(old.id, { by: 'system', outcome: 'resolved', note: null }, later(10));
      const current = await opened('t-9', { createdAt: later(20) });
      expect(await store.tickets.reopen(old.id, later(30))).toBeNull();
      expect((await store.tickets.get(old.id))?.status).toBe('closed');
      expect(await store.tickets.findOpenByCitizen('telegram:t-9')).toEqual(current);
    });

    it('marks the first response and the escalation once', async () => {
      const t = await opened('t-10');
      expect(await store.tickets.markFirstResponse(t.id, later(5))).toBe(true);
      expect(await store.tickets.markFirstResponse(t.id, later(6))).toBe(false);
      const escalations = await Promise.all([1, 2, 3, 4, 5].map((i) => store.tickets.markEscalated(t.id, later(6 + i))));
      expect(escalations.filter(Boolean)).toHaveLength(1);
      expect(await store.tickets.markEscalated(t.id, later(20))).toBe(false);
      const got = await store.tickets.get(t.id);
      expect(got?.firstResponseAt).toEqual(later(5));
      expect(got?.escalatedAt).toEqual(later(6 + 1 + escalations.indexOf(true)));
      expect(await store.tickets.markFirstResponse('no-such-ticket', later(5))).toBe(false);
      expect(await store.tickets.markEscalated('no-such-ticket', later(5))).toBe(false);
    });

    it('takes the citizen’s rating once, after close', async () => {
      const t = await claimed('t-11', 'rate-a');
      expect(await store.tickets.rate(t.id, 3, later(15))).toBe(false);
      await store.tickets.close(t.id, { by: 'rate-a', outcome: 'resolved', note: null }, later(20));
      await expect(store.tickets.rate(t.id, 4, later(21))).rejects.toThrow(RangeError);
      await expect(store.tickets.rate(t.id, 0, later(21))).rejects.toThrow(RangeError);
      await expect(store.tickets.rate(t.id, 2.5, later(21))).rejects.toThrow(RangeError);
      const ratings = await Promise.all([store.tickets.rate(t.id, 2, later(22)), store.tickets.rate(t.id, 1, later(22))]);
      expect(ratings.filter(Boolean)).toHaveLength(1);
      expect(await store.tickets.rate(t.id, 3, later(23))).toBe(false);
      expect((await store.tickets.get(t.id))?.satisfaction).toBe(ratings[0] ? 2 : 1);
      expect(await store.tickets.rate('no-such-ticket', 3, later(23))).toBe(false);
    });

    it('attaches a case and area where still null', async () => {
      const t = await opened('t-12', { provinceCode: '79' });
      const attached = await store.tickets.attachCase(t.id, { caseId: 'case-12', provinceCode: '01', communeCode: '26734' }, later(5));
      expect(attached).toEqual({ ...t, caseId: 'case-12', provinceCode: '79', communeCode: '26734', updatedAt: later(5) });
      const again = await store.tickets.attachCase(t.id, { caseId: 'case-other', provinceCode: null, communeCode: null }, later(6));
      expect(again).toEqual(attached);
      expect(await store.tickets.get(t.id)).toEqual(attached);
      expect(await store.tickets.attachCase('no-such-ticket', { caseId: 'c', provinceCode: null, communeCode: null }, later(6))).toBeNull();
    });
  });

  describe('a citizen’s tickets, erasure and retention', () => {
    const ids = (ts: Ticket[]) => ts.map((t) => t.id);
    /** Long before t0, in a year no other test closes a ticket in: only these are before the cutoffs. */
    const old = (day: number) => new Date(Date.UTC(2019, 0, day));

    it('lists a citizen’s tickets of any status, newest first', async () => {
      const a = await claimed('h-1', 'hist-c', { createdAt: later(1) });
      await store.tickets.close(a.id, { by: 'hist-c', outcome: 'resolved', note: 'Đã hướng dẫn' }, later(2));
      const b = await opened('h-1', { createdAt: later(3), reason: 'no-answer' });
      await store.tickets.close(b.id, { by: 'system', outcome: 'abandoned', note: null, status: 'abandoned' }, later(4));
      const c = await opened('h-1', { createdAt: later(5), conversationId: 'conv-h-1-b' });
      await opened('h-2', { createdAt: later(6) });
      const listed = await store.tickets.listByCitizen('telegram:h-1');
      expect(ids(listed)).toEqual([c.id, b.id, a.id]);
      expect(listed.map((t) => t.status)).toEqual(['waiting', 'abandoned', 'closed']);
      expect(listed[2]).toEqual(await store.tickets.get(a.id));
      expect(await store.tickets.listByCitizen('telegram:h-1', 2)).toEqual(listed.slice(0, 2));
      expect(await store.tickets.listByCitizen('telegram:h-1', 0)).toEqual([]);
      expect(await store.tickets.listByCitizen('telegram:nobody')).toEqual([]);
      // Opened at the same moment: the one opened later comes first.
      await store.tickets.close(c.id, { by: 'system', outcome: 'resolved', note: null }, later(7));
      const d = await opened('h-1', { createdAt: later(5) });
      expect(ids(await store.tickets.listByCitizen('telegram:h-1'))).toEqual([d.id, c.id, b.id, a.id]);
    });

    it('anonymises a citizen’s closed and abandoned tickets and keeps the counts, leaving the open one and others alone', async () => {
      const key = 'telegram:an-1';
      const closed = await claimed('an-1', 'an-c', { priority: HANDOFF_PRIORITY.urgent, reason: 'risk', riskCategory: 'bao-luc', team: 'tam-ly', provinceCode: '48' });
      await store.tickets.markFirstResponse(closed.id, later(15));
      await store.tickets.close(closed.id, { by: 'an-c', outcome: 'referred', note: 'Đã gọi lại số 0905123456, chuyển công an xã' }, later(20));
      await store.tickets.rate(closed.id, 3, later(21));
      const abandoned = await opened('an-1', { createdAt: later(22) });
      await store.tickets.close(abandoned.id, { by: 'system', outcome: 'abandoned', note: null, status: 'abandoned' }, later(23));
      const open = await opened('an-1', { createdAt: later(24) });
      const other = await claimed('an-2', 'an-c');
      await store.tickets.close(other.id, { by: 'an-c', outcome: 'resolved', note: 'Của người khác' }, later(25));
      const before = { closed: (await store.tickets.get(closed.id))!, abandoned: (await store.tickets.get(abandoned.id))!, other: (await store.tickets.get(other.id))! };

      expect(await store.tickets.anonymiseCitizen(key)).toBe(2);
      // Only the citizen and the note go: status, reason, team, risk, area, outcome, rating and dates stay as counts.
      expect(await store.tickets.get(closed.id)).toEqual({ ...before.closed, citizenKey: '', closeNote: null });
      expect(await store.tickets.get(closed.id)).toMatchObject({
        status: 'closed', reason: 'risk', riskCategory: 'bao-luc', team: 'tam-ly', provinceCode: '48', outcome: 'referred',
        satisfaction: 3, closedAt: later(20), firstResponseAt: later(15), lastAssigneeId: 'an-c', updatedAt: later(21),
      });
      expect(await store.tickets.get(abandoned.id)).toEqual({ ...before.abandoned, citizenKey: '' });
      // The open ticket is still being served: it keeps its key (one open ticket per citizen needs it).
      expect(await store.tickets.get(open.id)).toEqual(open);
      expect(await store.tickets.listByCitizen(key)).toEqual([open]);
      expect(await store.tickets.findOpenByCitizen(key)).toEqual(open);
      expect(await store.tickets.get(other.id)).toEqual(before.other);
      // Nobody's: not the citizen's history, not offered for reopening, not anonymised again.
      expect(await store.tickets.findRecentlyClosed(key, later(0))).toBeNull();
      expect(await store.tickets.findRecentlyClosed('', later(0))).toBeNull();
      expect(await store.tickets.listByCitizen('')).toEqual([]);
      expect(await store.tickets.anonymiseCitizen(key)).toBe(0);
      expect(await store.tickets.anonymiseCitizen('')).toBe(0);

      // Once over, the open one is anonymised by the next erasure; the citizen can still open a new ticket.
      await store.tickets.close(open.id, { by: 'system', outcome: 'resolved', note: 'Xong' }, later(26));
      expect(await store.tickets.anonymiseCitizen(key)).toBe(1);
      expect(await store.tickets.listByCitizen(key)).toEqual([]);
      expect((await store.tickets.open(ticket('an-1', { createdAt: later(27) }))).created).toBe(true);
    });

    it('gives several erased citizens’ tickets the same empty key without a clash', async () => {
      for (const who of ['an-3', 'an-4']) {
        const t = await opened(who);
        await store.tickets.close(t.id, { by: 'system', outcome: 'resolved', note: null }, later(5));
        expect(await store.tickets.anonymiseCitizen(`telegram:${who}`)).toBe(1);
        expect((await store.tickets.get(t.id))?.citizenKey).toBe('');
      }
    });

    it('anonymises tickets closed or abandoned before a cutoff, never open ones', async () => {
      const closedEarly = await opened('ab-1', { createdAt: old(1) });
      await store.tickets.close(closedEarly.id, { by: 'system', outcome: 'resolved', note: 'Ghi chú cũ' }, old(2));
      const abandonedEarly = await opened('ab-2', { createdAt: old(1) });
      await store.tickets.close(abandonedEarly.id, { by: 'system', outcome: 'abandoned', note: null, status: 'abandoned' }, old(3));
      const atCutoff = await opened('ab-3', { createdAt: old(1) });
      await store.tickets.close(atCutoff.id, { by: 'system', outcome: 'resolved', note: 'Đúng hạn' }, old(4));
      const stillOpen = await opened('ab-4', { createdAt: old(1) });
      const erased = await opened('ab-5', { createdAt: old(1) });
      await store.tickets.close(erased.id, { by: 'system', outcome: 'resolved', note: 'Đã xóa' }, old(2));
      expect(await store.tickets.anonymiseCitizen('telegram:ab-5')).toBe(1);
      const kept = { atCutoff: await store.tickets.get(atCutoff.id), stillOpen: await store.tickets.get(stillOpen.id) };

      expect(await store.tickets.anonymiseBefore(old(4))).toBe(2);
      expect(await store.tickets.get(closedEarly.id)).toMatchObject({ citizenKey: '', closeNote: null, status: 'closed', outcome: 'resolved', closedAt: old(2) });
      expect(await store.tickets.get(abandonedEarly.id)).toMatchObject({ citizenKey: '', status: 'abandoned', closedAt: old(3) });
      expect(await store.tickets.get(atCutoff.id)).toEqual(kept.atCutoff);
      expect(await store.tickets.get(stillOpen.id)).toEqual(kept.stillOpen);
      expect(await store.tickets.anonymiseBefore(old(4))).toBe(0);
      expect(await store.tickets.listByCitizen('telegram:ab-1')).toEqual([]);
    });
  });

  describe('notes', () => {
    const note = (conversationId: string, text: string, createdAt: Date, over: Partial<NewNote> = {}): NewNote => ({
      conversationId,
      ticketId: null,
      authorId: 'staff-n',
      text,
      createdAt,
      ...over,
    });

    it('adds notes and lists those of some conversations, oldest first', async () => {
      const b = await store.notes.add(note('note-conv-1', 'hai', later(2), { ticketId: 'ticket-1' }));
      const a = await store.notes.add(note('note-conv-1', 'một', later(1)));
      const c = await store.notes.add(note('note-conv-2', 'ba', later(3), { authorId: 'staff-m' }));
      const sameMoment = await store.notes.add(note('note-conv-2', 'bốn', later(3)));
      await store.notes.add(note('note-conv-3', 'khác', later(0)));
      expect(b).toEqual({ id: b.id, conversationId: 'note-conv-1', ticketId: 'ticket-1', authorId: 'staff-n', text: 'hai', createdAt: later(2) });
      expect(typeof b.id).toBe('string');
      expect(await store.notes.listByConversations(['note-conv-1', 'note-conv-2'])).toEqual([a, b, c, sameMoment]);
      expect(await store.notes.listByConversations(['note-conv-2'])).toEqual([c, sameMoment]);
      expect(await store.notes.listByConversations([])).toEqual([]);
      expect(await store.notes.listByConversations(['note-conv-none'])).toEqual([]);
    });

    it('deletes the notes of some conversations and no others', async () => {
      await store.notes.add(note('note-del-1', 'x', later(1)));
      await store.notes.add(note('note-del-1', 'y', later(2)));
      await store.notes.add(note('note-del-2', 'z', later(3)));
      const kept = await store.notes.add(note('note-keep', 'giữ', later(4)));
      expect(await store.notes.deleteByConversations(['note-del-1', 'note-del-2'])).toBe(3);
      expect(await store.notes.listByConversations(['note-del-1', 'note-del-2'])).toEqual([]);
      expect(await store.notes.listByConversations(['note-keep'])).toEqual([kept]);
      expect(await store.notes.deleteByConversations(['note-del-1'])).toBe(0);
      expect(await store.notes.deleteByConversations([])).toBe(0);
    });

    it('deletes the notes written before a cutoff', async () => {
      // Long before t0: the other tests write notes from t0 on.
      const old = (day: number) => new Date(Date.UTC(2019, 0, day));
      await store.notes.add(note('note-old-1', 'cũ', old(1)));
      await store.notes.add(note('note-old-2', 'cũ hơn', old(2), { ticketId: 'ticket-old' }));
      const atCutoff = await store.notes.add(note('note-old-1', 'đúng hạn', old(3)));
      const recent = await store.notes.add(note('note-old-1', 'mới', later(1)));
      expect(await store.notes.deleteBefore(old(3))).toBe(2);
      expect(await store.notes.listByConversations(['note-old-1', 'note-old-2'])).toEqual([atCutoff, recent]);
      expect(await store.notes.deleteBefore(old(3))).toBe(0);
    });
  });
});

/** Small seeded PRNG (mulberry32): the claim orders are random but the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface ClaimLane {
  name: string;
  /** One store to seed and read back, and one store per claimer (the same one where connections must not be concurrent). */
  open: (claimers: number) => Promise<{ seed: Store; claimers: Store[]; close: () => Promise<void> }>;
}

const CLAIMERS = 20;
const TICKETS = 50;

const claimLanes: ClaimLane[] = [
  {
    // Separate connections to one file, as several processes would have.
    name: 'sqlite, 20 connections to one file',
    open: async (n) => {
      const dir = mkdtempSync(join(tmpdir(), 'ctxh-claims-'));
      const seed = openSqliteStore(dir);
      const claimers = Array.from({ length: n }, () => openSqliteStore(dir));
      return { seed, claimers, close: async () => void (await Promise.all([seed, ...claimers].map((s) => s.close()))) };
    },
  },
];
const mongoUri = mongoLaneUri();
if (mongoUri) {
  // jongodb hands the same document to several claimers on concurrent connections (see
  // shared/field-notes.md), so there all claimers share one connection; a real
  // mongod gets one connection pool per claimer.
  const jongodb = process.env.CTXH_MONGO_LANE === 'jongodb';
  claimLanes.push({
    name: jongodb ? 'mongo on jongodb, one shared connection' : 'mongo, one connection pool per claimer',
    open: async (n) => {
      const dbName = newTestDbName();
      const seed = await openMongoTestStore(dbName);
      const own = jongodb ? [] : await Promise.all(Array.from({ length: n }, () => openMongoStore(mongoUri, { dbName })));
      const claimers = jongodb ? Array.from({ length: n }, () => seed) : own;
      return { seed, claimers, close: async () => void (await Promise.all([seed, ...own].map((s) => s.close()))) };
    },
  });
}

describe.each(claimLanes)('the queue on $name', ({ open }) => {
  let lane: Awaited<ReturnType<ClaimLane['open']>>;
  beforeAll(async () => {
    lane = await open(CLAIMERS);
  });
  afterAll(async () => {
    await lane?.close();
  });

  /** Opens `TICKETS` tickets of distinct citizens; returns their ids. */
  const openTickets = async (prefix: string): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < TICKETS; i++) {
      ids.push((await lane.seed.tickets.open(ticket(`${prefix}-${i}`, { createdAt: later(i) }))).ticket.id);
    }
    return ids;
  };

  /** Every claimer tries every ticket once, in its own random order, all at once. Returns what each got. */
  const claimAll = (ids: string[], prefix: string, maxOpen?: number): Promise<string[][]> =>
    Promise.all(
      lane.claimers.map(async (store, c) => {
        const won: string[] = [];
        for (const id of shuffled(ids, rng(c + 1))) {
          const t = await store.tickets.claim(id, `${prefix}-${c}`, later(1000 + c), maxOpen === undefined ? undefined : { maxOpen });
          if (t) {
            expect(t).toMatchObject({ id, status: 'assigned', assigneeId: `${prefix}-${c}` });
            won.push(id);
          }
        }
        return won;
      }),
    );

  it('20 concurrent claimers on 50 tickets: each ticket assigned exactly once', async () => {
    const ids = await openTickets('race');
    const won = await claimAll(ids, 'racer');

    // From the claim results: one success per ticket.
    const claimsPerTicket = new Map(ids.map((id) => [id, 0]));
    won.flat().forEach((id) => claimsPerTicket.set(id, claimsPerTicket.get(id)! + 1));
    expect([...claimsPerTicket.values()].every((n) => n === 1)).toBe(true);
    expect(won.flat()).toHaveLength(TICKETS);

    // From the stored tickets: each assigned, to the one claimer whose claim succeeded.
    const winnerOf = new Map(won.flatMap((ids, c) => ids.map((id) => [id, `racer-${c}`] as const)));
    const stored = await Promise.all(ids.map((id) => lane.seed.tickets.get(id)));
    const assignedPerTicket = new Map(ids.map((id) => [id, 0]));
    for (const t of stored) {
      expect(t).toMatchObject({ status: 'assigned', assigneeId: winnerOf.get(t!.id), lastAssigneeId: winnerOf.get(t!.id) });
      if (t?.status === 'assigned' && t.assigneeId) assignedPerTicket.set(t.id, assignedPerTicket.get(t.id)! + 1);
    }
    expect([...assignedPerTicket.values()].every((n) => n === 1)).toBe(true);
    const counts = await lane.seed.tickets.countOpenByAssignee();
    won.forEach((ids, c) => expect(counts.get(`racer-${c}`) ?? 0).toBe(ids.length));
    expect(await lane.seed.tickets.list({ statuses: ['waiting'], limit: -1 })).toEqual([]);
  });

  it('20 concurrent claimers with maxOpen 2 on 50 tickets: each ticket at most once, nobody above the cap', async () => {
    const ids = await openTickets('capped');
    const won = await claimAll(ids, 'capper', 2);
    expect(won.every((ids) => ids.length === 2)).toBe(true);
    expect(new Set(won.flat()).size).toBe(CLAIMERS * 2);
    const stored = await Promise.all(ids.map((id) => lane.seed.tickets.get(id)));
    expect(stored.filter((t) => t?.status === 'assigned')).toHaveLength(CLAIMERS * 2);
    expect(stored.filter((t) => t?.status === 'waiting')).toHaveLength(TICKETS - CLAIMERS * 2);
    const counts = await lane.seed.tickets.countOpenByAssignee();
    for (let c = 0; c < CLAIMERS; c++) expect(counts.get(`capper-${c}`)).toBe(2);
  });
});
