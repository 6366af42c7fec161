/**
 * One contract for every store: runs on SQLite always, and on MongoDB when
 * MONGODB_URI is set (the test setup starts jongodb for it when it is not).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ETagConflictError,
  citizenKeyOf,
  type ConversationRisk,
  type NewCase,
  type NewConsent,
  type NewMessage,
  type NewOutbound,
  type Store,
} from '../src/store/types.js';
import { pino } from 'pino';
import { createAssistant } from '../src/server/assistant.js';
import { loadConfig } from '../src/server/config.js';
import WebSocket from 'ws';
import { listen, waitFor } from './support/http.js';
import { askWebChat } from './support/web-ask.js';
import { mongoLaneUri, newTestDbName, openMongoTestStore, storeLanes } from './support/mongo-lane.js';
import { runDeclinedConsent, runIntakeAndErasure } from './support/intake-scenarios.js';
import { mongoDump } from './support/raw-dump.js';
import { runUrgentScenarios } from './support/urgent-scenarios.js';

const lanes = storeLanes('ctxh-store-');

const t0 = new Date('2026-11-22T08:00:00Z');
const later = (s: number) => new Date(t0.getTime() + s * 1000);

describe.each(lanes)('store contract: $name', ({ open }) => {
  let store: Store;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });
  /** Stores an outbound message written outside a turn (no reply key), queued unless told, and gives it back. */
  const recordOut = async (m: NewMessage, over: Partial<NewOutbound> = {}) =>
    (await store.messages.recordOutbound({ replyTo: null, replyIndex: 0, delivery: 'queued', ...m, direction: 'out', ...over })).message;

  describe('conversations', () => {
    it('finds the same conversation again by address and keeps its id', async () => {
      const address = { channel: 'telegram' as const, userId: 'u1', chatId: 'c1' };
      const a = await store.conversations.upsert(address, { v: 1 }, t0);
      const b = await store.conversations.upsert(address, { v: 2 }, later(5));
      expect(b.id).toBe(a.id);
      expect(b.reference).toEqual({ v: 2 });
      expect(b.status).toBe('bot');
      expect(b.createdAt.getTime()).toBe(t0.getTime());
      expect((await store.conversations.findByAddress(address))?.id).toBe(a.id);
      expect(await store.conversations.findByAddress({ ...address, chatId: 'other' })).toBeNull();
    });

    it('keeps status and last inbound time', async () => {
      const c = await store.conversations.upsert({ channel: 'webchat', userId: 'u2', chatId: 'c2' }, {}, t0);
      await store.conversations.setStatus(c.id, 'queued', later(1));
      await store.conversations.touchInbound(c.id, later(2));
      const got = await store.conversations.get(c.id);
      expect(got?.status).toBe('queued');
      expect(got?.lastInboundAt?.getTime()).toBe(later(2).getTime());
      expect(await store.conversations.get('missing')).toBeNull();
    });

    it('starts a conversation with the bot, no inbound time, and refreshes updatedAt', async () => {
      const address = { channel: 'zalo' as const, userId: 'u3', chatId: 'c3' };
      const a = await store.conversations.upsert(address, { v: 1 }, t0);
      expect(a).toMatchObject({ ...address, status: 'bot', lastInboundAt: null, reference: { v: 1 } });
      expect(a.createdAt).toBeInstanceOf(Date);
      await store.conversations.setStatus(a.id, 'assigned', later(1));
      const b = await store.conversations.upsert(address, { v: 2 }, later(9));
      expect(b.status).toBe('assigned');
      expect(b.createdAt.getTime()).toBe(t0.getTime());
      expect(b.updatedAt.getTime()).toBe(later(9).getTime());
    });

    it('lists recent conversations, most recently updated first, optionally of some statuses', async () => {
      // Years ahead of every other test: these are the newest conversations in the store.
      const ahead = (s: number) => new Date(Date.UTC(2040, 0, 1) + s * 1000);
      const up = (userId: string, at: Date) => store.conversations.upsert({ channel: 'webchat', userId, chatId: `chat-${userId}` }, { v: userId }, at);
      const a = await up('recent-a', ahead(1));
      const b = await up('recent-b', ahead(2));
      await store.conversations.setStatus(b.id, 'queued', ahead(3));
      const c = await up('recent-c', ahead(4));
      // A message from the citizen counts as an update: a, created first, is now newer than c.
      await store.conversations.touchInbound(a.id, ahead(5));
      const d = await up('recent-d', ahead(6));
      await store.conversations.setStatus(d.id, 'closed', ahead(6));
      const get = async (id: string) => (await store.conversations.get(id))!;
      const [ga, gb, gc, gd] = [await get(a.id), await get(b.id), await get(c.id), await get(d.id)];

      expect(await store.conversations.listRecent({ limit: 4 })).toEqual([gd, ga, gc, gb]);
      expect(await store.conversations.listRecent({ statuses: ['bot'], limit: 2 })).toEqual([ga, gc]);
      expect(await store.conversations.listRecent({ statuses: ['queued', 'closed'], limit: 2 })).toEqual([gd, gb]);
      expect(await store.conversations.listRecent({ statuses: [] })).toEqual([]);
      expect(await store.conversations.listRecent({ limit: 0 })).toEqual([]);
      // Only where the citizen wrote: a web chat opened and left after the greeting is not listed.
      const wrote = (await store.conversations.listRecent({ limit: 10, citizenWrote: true })).map((x) => x.id);
      expect(wrote[0]).toBe(a.id);
      expect(wrote).not.toEqual(expect.arrayContaining([b.id]));
      expect(wrote.filter((id) => [b.id, c.id, d.id].includes(id))).toEqual([]);
      expect((await store.conversations.listRecent({ statuses: ['queued'], citizenWrote: true })).map((x) => x.id)).not.toContain(b.id);

      // Updated at the same moment: by id, descending, on every store.
      const e = await up('recent-e', ahead(5));
      const tied = (await store.conversations.listRecent({ statuses: ['bot'], limit: 3 })).map((x) => x.id);
      expect(tied).toEqual([...[a.id, e.id].sort().reverse(), c.id]);

      // Without a limit: every conversation, never an older one before a newer one.
      const all = await store.conversations.listRecent({ limit: -1 });
      expect(all.length).toBeGreaterThan(5);
      for (let i = 1; i < all.length; i++) expect(all[i - 1]!.updatedAt.getTime()).toBeGreaterThanOrEqual(all[i]!.updatedAt.getTime());
      expect((await store.conversations.listRecent()).length).toBe(Math.min(100, all.length));
      expect(all.filter((x) => x.status === 'bot').map((x) => x.id)).toEqual(
        (await store.conversations.listRecent({ statuses: ['bot'], limit: -1 })).map((x) => x.id),
      );
    });

    it('marks a conversation undeliverable until the citizen writes again', async () => {
      const address = { channel: 'messenger' as const, userId: 'undeliv-u', chatId: 'undeliv-c' };
      const c = await store.conversations.upsert(address, {}, t0);
      expect(c.undeliverable).toBeNull();
      await store.conversations.markUndeliverable(c.id, 'blocked', later(5));
      const marked = await store.conversations.get(c.id);
      expect(marked?.undeliverable).toEqual({ reason: 'blocked', at: later(5) });
      expect(marked?.undeliverable?.at).toBeInstanceOf(Date);
      expect((await store.conversations.findByAddress(address))?.undeliverable).toEqual({ reason: 'blocked', at: later(5) });
      // Refreshing the reference (a webhook of the same address) is not the citizen writing: the mark stays.
      expect((await store.conversations.upsert(address, { v: 2 }, later(6))).undeliverable).toEqual({ reason: 'blocked', at: later(5) });
      // A later refusal replaces the reason.
      await store.conversations.markUndeliverable(c.id, 'window-closed', later(7));
      expect((await store.conversations.get(c.id))?.undeliverable).toEqual({ reason: 'window-closed', at: later(7) });
      await store.conversations.touchInbound(c.id, later(8));
      const cleared = await store.conversations.get(c.id);
      expect(cleared?.undeliverable).toBeNull();
      expect(cleared?.lastInboundAt).toEqual(later(8));
      await store.conversations.markUndeliverable('no-such-conversation', 'blocked', later(9));
      expect(await store.conversations.get('no-such-conversation')).toBeNull();
    });
  });

  describe('conversation risk', () => {
    const checkIn = (at: Date, messageId: string | null = null): ConversationRisk => ({
      level: 'check-in',
      category: null,
      at,
      messageId,
    });
    const urgent = (category: ConversationRisk['category'], at: Date, messageId: string | null = null): ConversationRisk => ({
      level: 'urgent',
      category,
      at,
      messageId,
    });
    const conversation = (userId: string) =>
      store.conversations.upsert({ channel: 'telegram', userId, chatId: `chat-${userId}` }, {}, t0);

    it('starts with no risk and raises it from none to check-in to urgent', async () => {
      const address = { channel: 'telegram' as const, userId: 'risk-1', chatId: 'chat-risk-1' };
      const c = await store.conversations.upsert(address, {}, t0);
      expect(c.risk).toBeNull();
      expect(await store.conversations.raiseRisk(c.id, checkIn(later(1), 'm-1'), later(1))).toBe(true);
      let got = await store.conversations.get(c.id);
      expect(got?.risk).toEqual({ level: 'check-in', category: null, at: later(1), messageId: 'm-1' });
      expect(got?.updatedAt.getTime()).toBe(later(1).getTime());
      // The same level again changes nothing, not even updatedAt.
      expect(await store.conversations.raiseRisk(c.id, checkIn(later(2), 'm-2'), later(2))).toBe(false);
      got = await store.conversations.get(c.id);
      expect(got?.risk).toEqual({ level: 'check-in', category: null, at: later(1), messageId: 'm-1' });
      expect(got?.updatedAt.getTime()).toBe(later(1).getTime());
      expect(await store.conversations.raiseRisk(c.id, urgent('tu-hai', later(3)), later(3))).toBe(true);
      got = await store.conversations.get(c.id);
      expect(got?.risk).toEqual({ level: 'urgent', category: 'tu-hai', at: later(3), messageId: null });
      expect(got?.updatedAt.getTime()).toBe(later(3).getTime());
      // Finding the conversation again keeps its risk.
      const again = await store.conversations.upsert(address, { v: 2 }, later(4));
      expect(again.risk).toEqual({ level: 'urgent', category: 'tu-hai', at: later(3), messageId: null });
      expect((await store.conversations.findByAddress(address))?.risk?.level).toBe('urgent');
    });

    it('never replaces an urgent risk, by a check-in or by another urgent category', async () => {
      const c = await conversation('risk-2');
      expect(await store.conversations.raiseRisk(c.id, urgent('bao-luc', later(1), 'm-1'), later(1))).toBe(true);
      expect(await store.conversations.raiseRisk(c.id, checkIn(later(2)), later(2))).toBe(false);
      expect(await store.conversations.raiseRisk(c.id, urgent('cap-cuu', later(3), 'm-3'), later(3))).toBe(false);
      const got = await store.conversations.get(c.id);
      expect(got?.risk).toEqual({ level: 'urgent', category: 'bao-luc', at: later(1), messageId: 'm-1' });
      expect(got?.updatedAt.getTime()).toBe(later(1).getTime());
      expect(await store.conversations.raiseRisk('no-such-conversation', checkIn(later(1)), later(1))).toBe(false);
    });

    it('lets exactly one of two simultaneous raisers win each level change', async () => {
      const c = await conversation('risk-3');
      const checkIns = await Promise.all([
        store.conversations.raiseRisk(c.id, checkIn(later(1), 'a'), later(1)),
        store.conversations.raiseRisk(c.id, checkIn(later(1), 'b'), later(1)),
      ]);
      expect(checkIns.filter(Boolean)).toHaveLength(1);
      const urgents = await Promise.all([
        store.conversations.raiseRisk(c.id, urgent('mua-ban-nguoi', later(2)), later(2)),
        store.conversations.raiseRisk(c.id, urgent('xam-hai-tre-em', later(2)), later(2)),
      ]);
      expect(urgents.filter(Boolean)).toHaveLength(1);
      const winner = urgents[0] ? 'mua-ban-nguoi' : 'xam-hai-tre-em';
      expect((await store.conversations.get(c.id))?.risk).toMatchObject({ level: 'urgent', category: winner });
    });

    it('clears a check-in when the citizen is safe, never an urgent risk', async () => {
      const c = await conversation('risk-4');
      expect(await store.conversations.clearCheckIn(c.id, later(1))).toBe(false);
      expect(await store.conversations.raiseRisk(c.id, checkIn(later(2)), later(2))).toBe(true);
      expect(await store.conversations.clearCheckIn(c.id, later(3))).toBe(true);
      let got = await store.conversations.get(c.id);
      expect(got?.risk).toBeNull();
      expect(got?.updatedAt.getTime()).toBe(later(3).getTime());
      expect(await store.conversations.clearCheckIn(c.id, later(4))).toBe(false);
      // Cleared, it can be raised again.
      expect(await store.conversations.raiseRisk(c.id, checkIn(later(5)), later(5))).toBe(true);
      expect(await store.conversations.raiseRisk(c.id, urgent('bo-roi', later(6)), later(6))).toBe(true);
      expect(await store.conversations.clearCheckIn(c.id, later(7))).toBe(false);
      got = await store.conversations.get(c.id);
      expect(got?.risk).toMatchObject({ level: 'urgent', category: 'bo-roi' });
      expect(got?.updatedAt.getTime()).toBe(later(6).getTime());
      expect(await store.conversations.clearCheckIn('no-such-conversation', later(8))).toBe(false);
    });

    it('lists check-ins due, oldest first, leaving out closed conversations and urgent risks', async () => {
      // Raised before t0: the other tests raise risks from t0 on, so these are the only ones due.
      const early = (s: number) => later(s - 3600);
      const [a, b, closed, urgentOne, notYet, atCutoff] = [
        await conversation('due-a'),
        await conversation('due-b'),
        await conversation('due-closed'),
        await conversation('due-urgent'),
        await conversation('due-not-yet'),
        await conversation('due-cutoff'),
      ];
      await store.conversations.raiseRisk(a.id, checkIn(early(20)), early(20));
      await store.conversations.raiseRisk(b.id, checkIn(early(10)), early(10));
      await store.conversations.raiseRisk(closed.id, checkIn(early(5)), early(5));
      await store.conversations.setStatus(closed.id, 'closed', early(6));
      await store.conversations.raiseRisk(urgentOne.id, checkIn(early(1)), early(1));
      await store.conversations.raiseRisk(urgentOne.id, urgent('tu-hai', early(2)), early(2));
      await store.conversations.raiseRisk(notYet.id, checkIn(early(40)), early(40));
      await store.conversations.raiseRisk(atCutoff.id, checkIn(early(30)), early(30));
      const due = await store.conversations.listCheckInsDue(early(30));
      expect(due.map((c) => c.id)).toEqual([b.id, a.id, atCutoff.id]);
      expect(due[0]?.risk).toEqual({ level: 'check-in', category: null, at: early(10), messageId: null });
      expect((await store.conversations.listCheckInsDue(early(30), 2)).map((c) => c.id)).toEqual([b.id, a.id]);
      expect(await store.conversations.listCheckInsDue(early(9))).toEqual([]);
      // A conversation back in the queue (not closed) is due again.
      await store.conversations.setStatus(closed.id, 'queued', early(7));
      expect((await store.conversations.listCheckInsDue(early(9))).map((c) => c.id)).toEqual([closed.id]);
    });
  });

  describe('messages', () => {
    const msg = (conversationId: string, over: Partial<NewMessage> = {}): NewMessage => ({
      conversationId,
      channel: 'telegram',
      direction: 'in',
      platformMessageId: 'p1',
      text: 'tro cap nguoi gia',
      activity: { type: 'message', text: 'tro cap nguoi gia' },
      createdAt: t0,
      ...over,
    });

    it('stores an inbound message once per (channel, platform id)', async () => {
      const first = await store.messages.recordInbound(msg('conv-a', { platformMessageId: 'dup-1' }));
      const again = await store.messages.recordInbound(msg('conv-a', { platformMessageId: 'dup-1', text: 'changed' }));
      expect(first.duplicate).toBe(false);
      expect(again.duplicate).toBe(true);
      expect(again.message.id).toBe(first.message.id);
      expect(again.message.text).toBe('tro cap nguoi gia');
      const other = await store.messages.recordInbound(msg('conv-a', { platformMessageId: 'dup-1', channel: 'zalo' }));
      expect(other.duplicate).toBe(false);
      const listed = await store.messages.listByConversation('conv-a');
      expect(listed.filter((m) => m.platformMessageId === 'dup-1')).toHaveLength(2);
    });

    it('numbers the messages of a conversation 1, 2, 3 and lists them after a position', async () => {
      const a = await store.messages.recordInbound(msg('conv-b', { platformMessageId: 'b1', text: 'một' }));
      const b = await recordOut(msg('conv-b', { platformMessageId: null, text: 'hai', direction: 'out' }));
      await store.messages.recordInbound(msg('conv-x', { platformMessageId: 'x1' }));
      const c = await recordOut(msg('conv-b', { platformMessageId: 'o-3', text: 'ba', direction: 'out' }));
      expect([a.message.position, b.position, c.position]).toEqual([1, 2, 3]);
      expect(b.seq).toBeGreaterThan(a.message.seq);
      expect(c.seq).toBeGreaterThan(b.seq);
      const all = await store.messages.listByConversation('conv-b');
      expect(all.map((m) => m.text)).toEqual(['một', 'hai', 'ba']);
      expect(all.map((m) => m.direction)).toEqual(['in', 'out', 'out']);
      expect(all[1]?.activity).toEqual({ type: 'message', text: 'tro cap nguoi gia' });
      const after = await store.messages.listByConversation('conv-b', a.message.position);
      expect(after.map((m) => m.text)).toEqual(['hai', 'ba']);
      expect(await store.messages.listByConversation('conv-b', c.position)).toEqual([]);
      expect((await store.messages.listByConversation('conv-x')).map((m) => m.position)).toEqual([1]);
    });

    it('tells the highest seq stored so far, in or out, so a server can see any instance wrote', async () => {
      const before = await store.messages.lastSeq();
      const a = await store.messages.recordInbound(msg('conv-seq', { platformMessageId: 'seq-1' }));
      expect(await store.messages.lastSeq()).toBe(a.message.seq);
      expect(a.message.seq).toBeGreaterThan(before);
      const b = await recordOut(msg('conv-seq', { platformMessageId: null, direction: 'out' }));
      expect(await store.messages.lastSeq()).toBe(b.seq);
    });

    it('does not use up a position for a redelivered message', async () => {
      await store.messages.recordInbound(msg('conv-y', { platformMessageId: 'y1' }));
      await store.messages.recordInbound(msg('conv-y', { platformMessageId: 'y1' }));
      const next = await recordOut(msg('conv-y', { platformMessageId: null, direction: 'out' }));
      expect(next.position).toBe(2);
      const listed = await store.messages.listByConversation('conv-y');
      expect(listed).toHaveLength(2);
    });

    it('keeps outbound messages without a platform id apart', async () => {
      await recordOut(msg('conv-c', { platformMessageId: null, direction: 'out', text: 'x' }));
      await recordOut(msg('conv-c', { platformMessageId: null, direction: 'out', text: 'y' }));
      expect(await store.messages.listByConversation('conv-c')).toHaveLength(2);
    });

    it('keeps inbound messages without a platform id apart, with dates as Date', async () => {
      const a = await store.messages.recordInbound(msg('conv-e', { platformMessageId: null, createdAt: later(4) }));
      const b = await store.messages.recordInbound(msg('conv-e', { platformMessageId: null }));
      expect([a.duplicate, b.duplicate]).toEqual([false, false]);
      expect(b.message.id).not.toBe(a.message.id);
      const [first] = await store.messages.listByConversation('conv-e');
      expect(first?.createdAt).toBeInstanceOf(Date);
      expect(first?.createdAt.getTime()).toBe(later(4).getTime());
      expect(first?.handledAt).toBeNull();
      expect(first?.platformMessageId).toBeNull();
    });

    it('limits listings', async () => {
      for (const p of ['f1', 'f2', 'f3']) await store.messages.recordInbound(msg('conv-f', { platformMessageId: p }));
      const two = await store.messages.listByConversation('conv-f', 0, 2);
      expect(two.map((m) => m.platformMessageId)).toEqual(['f1', 'f2']);
    });

    it('reads the citizen’s texts between two positions, newest first chosen, oldest first given', async () => {
      const at = (n: number) => later(n);
      await store.messages.recordInbound(msg('conv-texts', { platformMessageId: 't1', text: 'một', createdAt: at(1) }));
      await recordOut(msg('conv-texts', { platformMessageId: null, direction: 'out', text: 'bot' }));
      await store.messages.recordInbound(msg('conv-texts', { platformMessageId: 't3', text: 'ba', createdAt: at(3) }));
      await store.messages.recordInbound(msg('conv-other-texts', { platformMessageId: 't-x', text: 'khác' }));
      await store.messages.recordInbound(msg('conv-texts', { platformMessageId: 't4', text: 'bốn', createdAt: at(4) }));
      const current = await store.messages.recordInbound(msg('conv-texts', { platformMessageId: 't5', text: 'năm' }));
      const before = await store.messages.inboundTexts('conv-texts', 0, current.message.position, 10);
      expect(before).toEqual([
        { position: 1, text: 'một', createdAt: at(1) },
        { position: 3, text: 'ba', createdAt: at(3) },
        { position: 4, text: 'bốn', createdAt: at(4) },
      ]);
      expect((await store.messages.inboundTexts('conv-texts', 0, current.message.position, 2)).map((m) => m.text)).toEqual(['ba', 'bốn']);
      expect((await store.messages.inboundTexts('conv-texts', 1, 4, 10)).map((m) => m.text)).toEqual(['ba']);
      expect(await store.messages.inboundTexts('conv-texts', 0, 5, 0)).toEqual([]);
      expect(await store.messages.inboundTexts('conv-none', 0, 99, 5)).toEqual([]);
    });

    it('gives the citizen’s last message in a conversation, redacted or not', async () => {
      expect(await store.messages.lastInbound('conv-last')).toBeNull();
      await recordOut(msg('conv-last', { platformMessageId: null, direction: 'out', text: 'xin chào' }));
      expect(await store.messages.lastInbound('conv-last')).toBeNull();
      const first = await store.messages.recordInbound(msg('conv-last', { platformMessageId: 'last-1', text: 'một' }));
      await recordOut(msg('conv-last', { platformMessageId: null, direction: 'out', text: 'hai' }));
      expect(await store.messages.lastInbound('conv-last')).toEqual(first.message);
      // Written earlier but stored later: the position decides, as in the transcript.
      const second = await store.messages.recordInbound(msg('conv-last', { platformMessageId: 'last-2', text: 'ba', createdAt: later(-60) }));
      await store.messages.recordInbound(msg('conv-last-other', { platformMessageId: 'last-3', text: 'khác' }));
      await recordOut(msg('conv-last', { platformMessageId: null, direction: 'out', text: 'bốn' }));
      expect(await store.messages.lastInbound('conv-last')).toEqual(second.message);
      await store.messages.redact([second.message.id]);
      expect(await store.messages.lastInbound('conv-last')).toMatchObject({ id: second.message.id, text: '', activity: { redacted: true } });
    });

    it('lists inbound messages not yet handled until they are marked', async () => {
      const { message } = await store.messages.recordInbound(msg('conv-d', { platformMessageId: 'd1' }));
      let pending = await store.messages.listUnhandledInbound();
      expect(pending.map((m) => m.id)).toContain(message.id);
      await store.messages.markHandled(message.id, later(3));
      pending = await store.messages.listUnhandledInbound();
      expect(pending.map((m) => m.id)).not.toContain(message.id);
      const [stored] = await store.messages.listByConversation('conv-d');
      expect(stored?.handledAt?.getTime()).toBe(later(3).getTime());
    });

    describe('outbound delivery (the outbox)', () => {
      /** A turn's reply: the inbound message it answers and its index in the turn. */
      const reply = (conversationId: string, replyTo: string | null, replyIndex: number, over: Partial<NewOutbound> = {}): NewOutbound => ({
        conversationId,
        channel: 'telegram',
        direction: 'out',
        platformMessageId: null,
        text: `trả lời ${replyIndex}`,
        activity: { type: 'message', text: `trả lời ${replyIndex}` },
        createdAt: t0,
        replyTo,
        replyIndex,
        delivery: 'queued',
        ...over,
      });
      const status = async (id: string, conversationId: string) =>
        (await store.messages.listByConversation(conversationId, 0, -1)).find((m) => m.id === id)?.delivery;

      it('stores a turn’s message once per (replyTo, replyIndex), using no position for the duplicate', async () => {
        const { message: asked } = await store.messages.recordInbound(msg('ob-dup', { platformMessageId: 'ob-dup-1' }));
        const first = await store.messages.recordOutbound(reply('ob-dup', asked.id, 0));
        const second = await store.messages.recordOutbound(reply('ob-dup', asked.id, 1));
        expect([first.duplicate, second.duplicate]).toEqual([false, false]);
        expect([first.message.position, second.message.position]).toEqual([2, 3]);
        // The turn runs again after a crash and writes the same keys (its text may differ).
        const again = await store.messages.recordOutbound(reply('ob-dup', asked.id, 0, { text: 'khác', createdAt: later(30) }));
        expect(again.duplicate).toBe(true);
        expect(again.message).toEqual(first.message);
        expect((await store.messages.recordOutbound(reply('ob-dup', asked.id, 1))).message.id).toBe(second.message.id);
        // Nothing was numbered for the duplicates: the next message takes position 4.
        const next = await store.messages.recordOutbound(reply('ob-dup', null, 0));
        expect(next).toMatchObject({ duplicate: false, message: { position: 4 } });
        expect((await store.messages.listByConversation('ob-dup')).map((m) => m.position)).toEqual([1, 2, 3, 4]);
        // Another turn's index 0 is another message.
        const other = await store.messages.recordOutbound(reply('ob-dup', 'another-inbound', 0));
        expect(other.duplicate).toBe(false);
        expect(other.message.position).toBe(5);
      });

      it('stores one message when the same reply is recorded twice at once', async () => {
        const { message: asked } = await store.messages.recordInbound(msg('ob-race', { platformMessageId: 'ob-race-1' }));
        const results = await Promise.all([
          store.messages.recordOutbound(reply('ob-race', asked.id, 0)),
          store.messages.recordOutbound(reply('ob-race', asked.id, 0)),
        ]);
        expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
        expect(results[0]!.message.id).toBe(results[1]!.message.id);
        const stored = await store.messages.listByConversation('ob-race');
        expect(stored.filter((m) => m.direction === 'out')).toHaveLength(1);
      });

      it('never takes outbound messages without a replyTo for duplicates', async () => {
        const a = await store.messages.recordOutbound(reply('ob-free', null, 0, { text: 'cùng một câu' }));
        const b = await store.messages.recordOutbound(reply('ob-free', null, 0, { text: 'cùng một câu' }));
        expect([a.duplicate, b.duplicate]).toEqual([false, false]);
        expect(b.message.id).not.toBe(a.message.id);
        expect(b.message.position).toBe(a.message.position + 1);
      });

      it('marks web chat messages sent when stored, queues the others, and gives inbound messages no delivery', async () => {
        const { message: asked } = await store.messages.recordInbound(msg('ob-web', { platformMessageId: 'ob-web-1', channel: 'webchat' }));
        expect(asked.delivery).toBeNull();
        const web = await store.messages.recordOutbound(reply('ob-web', asked.id, 0, { channel: 'webchat', delivery: 'sent', createdAt: later(2) }));
        expect(web.message.delivery).toEqual({ status: 'sent', attempts: 0, nextAttemptAt: null, error: null, sentAt: later(2) });
        expect(web.message.delivery?.sentAt).toBeInstanceOf(Date);
        const queued = await store.messages.recordOutbound(reply('ob-web', asked.id, 1));
        expect(queued.message.delivery).toEqual({ status: 'queued', attempts: 0, nextAttemptAt: null, error: null, sentAt: null });
        const listed = await store.messages.listByConversation('ob-web');
        expect(listed.map((m) => m.delivery?.status ?? null)).toEqual([null, 'sent', 'queued']);
        expect(listed[1]).toEqual(web.message);
        // A sent message is never in the outbox.
        expect((await store.messages.nextOutbound('ob-web'))?.id).toBe(queued.message.id);
      });

      it('gives a conversation’s next message to send, by position', async () => {
        expect(await store.messages.nextOutbound('ob-next')).toBeNull();
        await store.messages.recordInbound(msg('ob-next', { platformMessageId: 'ob-next-1' }));
        await store.messages.recordOutbound(reply('ob-next', null, 0, { delivery: 'sent' }));
        expect(await store.messages.nextOutbound('ob-next')).toBeNull();
        const a = (await store.messages.recordOutbound(reply('ob-next', null, 0, { text: 'a' }))).message;
        const b = (await store.messages.recordOutbound(reply('ob-next', null, 0, { text: 'b' }))).message;
        const c = (await store.messages.recordOutbound(reply('ob-next', null, 0, { text: 'c' }))).message;
        await store.messages.recordOutbound(reply('ob-next-other', null, 0));
        expect(await store.messages.nextOutbound('ob-next')).toEqual(a);
        // Sending is not yet sent: still the next one.
        expect(await store.messages.setDelivery(a.id, { status: 'sending', at: later(1) })).toBe(true);
        expect((await store.messages.nextOutbound('ob-next'))?.id).toBe(a.id);
        // A retry later stays at the head: sends go in order.
        expect(await store.messages.setDelivery(a.id, { status: 'queued', nextAttemptAt: later(60), error: 'http-502' })).toBe(true);
        expect(await store.messages.nextOutbound('ob-next')).toMatchObject({ id: a.id, delivery: { status: 'queued', nextAttemptAt: later(60) } });
        expect(await store.messages.setDelivery(a.id, { status: 'sending', at: later(61) })).toBe(true);
        expect(await store.messages.setDelivery(a.id, { status: 'sent', at: later(62), platformMessageId: 'tg-a' })).toBe(true);
        expect((await store.messages.nextOutbound('ob-next'))?.id).toBe(b.id);
        expect(await store.messages.setDelivery(b.id, { status: 'failed', error: 'blocked', at: later(63) })).toBe(true);
        expect((await store.messages.nextOutbound('ob-next'))?.id).toBe(c.id);
        expect(await store.messages.setDelivery(c.id, { status: 'unconfirmed', at: later(64) })).toBe(true);
        expect(await store.messages.nextOutbound('ob-next')).toBeNull();
      });

      it('lists conversations due for sending, oldest first, by the head of each one’s outbox', async () => {
        // A store of its own: the due list spans the whole store.
        const own = await open();
        try {
          const m = own.messages;
          const conv = async (userId: string) => (await own.conversations.upsert({ channel: 'telegram', userId, chatId: userId }, {}, t0)).id;
          const [a, b, c, d] = [await conv('due-a'), await conv('due-b'), await conv('due-c'), await conv('due-d')];
          const put = async (conversationId: string, delivery: 'queued' | 'sent' = 'queued') =>
            (await m.recordOutbound(reply(conversationId, null, 0, { delivery }))).message;
          const a1 = await put(a);
          const b1 = await put(b);
          const c1 = await put(c);
          await put(d, 'sent');
          const b2 = await put(b);
          const a2 = await put(a);
          const c2 = await put(c);
          const now = later(10);
          expect(await m.listOutboxDue(now)).toEqual([a, b, c]);
          expect(await m.listOutboxDue(now, 2)).toEqual([a, b]);
          expect(await m.listOutboxDue(now, 0)).toEqual([]);
          // Conversations marked undeliverable are still listed: the worker fails their messages.
          await own.conversations.markUndeliverable(a, 'blocked', now);
          expect(await m.listOutboxDue(now)).toEqual([a, b, c]);

          // b's head waits for a retry: b is not due, though b2 behind it is queued for now.
          expect(await m.setDelivery(b1.id, { status: 'sending', at: now })).toBe(true);
          expect(await m.setDelivery(b1.id, { status: 'queued', nextAttemptAt: later(600), error: 'rate-limited' })).toBe(true);
          expect(await m.listOutboxDue(now)).toEqual([a, c]);
          expect(await m.listOutboxDue(later(599))).toEqual([a, c]);
          expect(await m.listOutboxDue(later(600))).toEqual([a, b, c]);
          // A limit counts due conversations only, not the one waiting before them.
          expect(await m.listOutboxDue(now, 2)).toEqual([a, c]);

          // A head in 'sending' (its worker died) is due at once.
          expect(await m.setDelivery(c1.id, { status: 'sending', at: now })).toBe(true);
          expect(await m.listOutboxDue(now)).toEqual([a, c]);

          // A failed head uncovers the next message: a's head is now a2, stored after c1 (and b2).
          expect(await m.setDelivery(a1.id, { status: 'failed', error: 'blocked', at: now })).toBe(true);
          expect(await m.listOutboxDue(now)).toEqual([c, a]);
          expect(await m.listOutboxDue(later(600))).toEqual([b, c, a]);

          // A sent head does the same: c's head is now c2, the newest.
          expect(await m.setDelivery(c1.id, { status: 'sent', at: now, platformMessageId: null })).toBe(true);
          expect(await m.listOutboxDue(later(600))).toEqual([b, a, c]);

          // Once everything is sent, failed or unconfirmed, nothing is due.
          for (const x of [a2, c2]) expect(await m.setDelivery(x.id, { status: 'unconfirmed', at: now })).toBe(true);
          expect(await m.setDelivery(b1.id, { status: 'failed', error: 'blocked', at: now })).toBe(true);
          expect(await m.listOutboxDue(later(600))).toEqual([b]);
          expect(await m.setDelivery(b2.id, { status: 'sending', at: now })).toBe(true);
          expect(await m.setDelivery(b2.id, { status: 'sent', at: now, platformMessageId: null })).toBe(true);
          expect(await m.listOutboxDue(later(600))).toEqual([]);
        } finally {
          await own.close();
        }
      });

      it('moves a delivery only along the allowed steps', async () => {
        const put = async () => (await store.messages.recordOutbound(reply('ob-steps', null, 0))).message.id;
        const all = (at: Date) =>
          [
            { status: 'sending', at },
            { status: 'sent', at, platformMessageId: 'x' },
            { status: 'queued', nextAttemptAt: at, error: 'http-502' },
            { status: 'failed', error: 'blocked', at },
            { status: 'unconfirmed', at },
          ] as const;
        const refusedAll = async (id: string) => {
          for (const change of all(later(99))) expect(await store.messages.setDelivery(id, change), change.status).toBe(false);
        };

        // queued: only sending, failed or unconfirmed.
        const m = await put();
        expect(await store.messages.setDelivery(m, { status: 'sent', at: later(1), platformMessageId: 'x' })).toBe(false);
        expect(await store.messages.setDelivery(m, { status: 'queued', nextAttemptAt: later(1), error: 'x' })).toBe(false);
        expect(await status(m, 'ob-steps')).toEqual({ status: 'queued', attempts: 0, nextAttemptAt: null, error: null, sentAt: null });
        expect(await store.messages.setDelivery(m, { status: 'sending', at: later(1) })).toBe(true);
        expect(await status(m, 'ob-steps')).toMatchObject({ status: 'sending', attempts: 1 });
        // sending: not sending again; back to queued for a retry, with when and why.
        expect(await store.messages.setDelivery(m, { status: 'sending', at: later(1) })).toBe(false);
        expect(await store.messages.setDelivery(m, { status: 'queued', nextAttemptAt: later(30), error: 'rate-limited' })).toBe(true);
        expect(await status(m, 'ob-steps')).toEqual({ status: 'queued', attempts: 1, nextAttemptAt: later(30), error: 'rate-limited', sentAt: null });
        expect(await store.messages.setDelivery(m, { status: 'sending', at: later(31) })).toBe(true);
        expect(await status(m, 'ob-steps')).toMatchObject({ status: 'sending', attempts: 2, nextAttemptAt: null });
        // sending → sent, with the platform's id; the last failure is kept.
        expect(await store.messages.setDelivery(m, { status: 'sent', at: later(32), platformMessageId: 'tg:ob-steps:7' })).toBe(true);
        expect(await status(m, 'ob-steps')).toEqual({ status: 'sent', attempts: 2, nextAttemptAt: null, error: 'rate-limited', sentAt: later(32) });
        expect((await store.messages.listByConversation('ob-steps')).find((x) => x.id === m)?.platformMessageId).toBe('tg:ob-steps:7');
        await refusedAll(m);

        // sent without a platform id leaves it null.
        const s = await put();
        expect(await store.messages.setDelivery(s, { status: 'sending', at: later(1) })).toBe(true);
        expect(await store.messages.setDelivery(s, { status: 'sent', at: later(2), platformMessageId: null })).toBe(true);
        expect((await store.messages.listByConversation('ob-steps')).find((x) => x.id === s)).toMatchObject({
          platformMessageId: null,
          delivery: { status: 'sent', attempts: 1, error: null, sentAt: later(2) },
        });

        // queued → failed (the channel is closed) and sending → failed; failed is final.
        const f1 = await put();
        expect(await store.messages.setDelivery(f1, { status: 'failed', error: 'window-closed', at: later(3) })).toBe(true);
        expect(await status(f1, 'ob-steps')).toEqual({ status: 'failed', attempts: 0, nextAttemptAt: null, error: 'window-closed', sentAt: null });
        await refusedAll(f1);
        const f2 = await put();
        expect(await store.messages.setDelivery(f2, { status: 'sending', at: later(3) })).toBe(true);
        expect(await store.messages.setDelivery(f2, { status: 'failed', error: 'blocked', at: later(4) })).toBe(true);
        expect(await status(f2, 'ob-steps')).toMatchObject({ status: 'failed', attempts: 1, error: 'blocked' });
        await refusedAll(f2);

        // sending → unconfirmed (it may have arrived) and queued → unconfirmed; unconfirmed is final.
        const u1 = await put();
        expect(await store.messages.setDelivery(u1, { status: 'sending', at: later(5) })).toBe(true);
        expect(await store.messages.setDelivery(u1, { status: 'unconfirmed', at: later(6) })).toBe(true);
        expect(await status(u1, 'ob-steps')).toEqual({ status: 'unconfirmed', attempts: 1, nextAttemptAt: null, error: null, sentAt: null });
        await refusedAll(u1);
        const u2 = await put();
        expect(await store.messages.setDelivery(u2, { status: 'unconfirmed', at: later(6) })).toBe(true);
        await refusedAll(u2);

        // A web chat message, sent when stored, an inbound message and an unknown id take no step.
        await refusedAll((await store.messages.recordOutbound(reply('ob-steps', null, 0, { delivery: 'sent' }))).message.id);
        await refusedAll((await store.messages.recordInbound(msg('ob-steps', { platformMessageId: 'ob-steps-in' }))).message.id);
        await refusedAll('no-such-message');
      });

      it('lets exactly one of two simultaneous senders take a message', async () => {
        const { message } = await store.messages.recordOutbound(reply('ob-claim', null, 0));
        const results = await Promise.all([
          store.messages.setDelivery(message.id, { status: 'sending', at: later(1) }),
          store.messages.setDelivery(message.id, { status: 'sending', at: later(1) }),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await store.messages.nextOutbound('ob-claim'))?.delivery).toMatchObject({ status: 'sending', attempts: 1 });
      });
    });
  });

  describe('claims on inbound messages', () => {
    const inbound = (platformMessageId: string): NewMessage => ({
      conversationId: 'conv-claim',
      channel: 'telegram',
      direction: 'in',
      platformMessageId,
      text: 'x',
      activity: {},
      createdAt: t0,
    });

    it('gives a message to one claimer at a time until the claim ends', async () => {
      const { message } = await store.messages.recordInbound(inbound('claim-1'));
      expect(await store.messages.claimInbound(message.id, t0, later(60))).toBe(true);
      expect(await store.messages.claimInbound(message.id, later(10), later(70))).toBe(false);
      // The claim ended at later(60): a recovery at later(61) may take it.
      expect(await store.messages.claimInbound(message.id, later(61), later(121))).toBe(true);
      await store.messages.markHandled(message.id, later(62));
      expect(await store.messages.claimInbound(message.id, later(200), later(260))).toBe(false);
    });

    it('lets exactly one of two simultaneous claimers win', async () => {
      const { message } = await store.messages.recordInbound(inbound('claim-2'));
      const results = await Promise.all([
        store.messages.claimInbound(message.id, t0, later(60)),
        store.messages.claimInbound(message.id, t0, later(60)),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('never claims an outbound message or an unknown id', async () => {
      const out = await recordOut({ ...inbound('claim-3'), direction: 'out', platformMessageId: null });
      expect(await store.messages.claimInbound(out.id, t0, later(60))).toBe(false);
      expect(await store.messages.claimInbound('no-such-id', t0, later(60))).toBe(false);
    });

    it('extends only a claimed inbound message not yet handled', async () => {
      const { message } = await store.messages.recordInbound(inbound('claim-4'));
      // Nobody holds it: nothing to extend.
      expect(await store.messages.extendClaim(message.id, later(60))).toBe(false);
      expect(await store.messages.claimInbound(message.id, t0, later(60))).toBe(true);
      expect(await store.messages.extendClaim(message.id, later(120))).toBe(true);
      // The claim now runs to later(120): another instance cannot take it at later(61).
      expect(await store.messages.claimInbound(message.id, later(61), later(121))).toBe(false);
      expect(await store.messages.claimInbound(message.id, later(120), later(180))).toBe(true);
      await store.messages.markHandled(message.id, later(130));
      expect(await store.messages.extendClaim(message.id, later(240))).toBe(false);
      const out = await recordOut({ ...inbound('claim-5'), direction: 'out', platformMessageId: null });
      expect(await store.messages.extendClaim(out.id, later(60))).toBe(false);
      expect(await store.messages.extendClaim('no-such-id', later(60))).toBe(false);
    });
  });

  describe('bot state (botbuilder Storage)', () => {
    it('reads what was written, with an eTag', async () => {
      await store.botState.write({ 'k/1': { count: 1, nested: { a: 'ă' } } });
      const read = await store.botState.read(['k/1', 'k/missing']);
      expect(read['k/1']).toMatchObject({ count: 1, nested: { a: 'ă' } });
      expect(typeof read['k/1']?.eTag).toBe('string');
      expect(read['k/missing']).toBeUndefined();
    });

    it('rejects a write with a stale eTag and keeps the newer value', async () => {
      await store.botState.write({ 'k/2': { v: 'first' } });
      const seenByA = (await store.botState.read(['k/2']))['k/2']!;
      const seenByB = (await store.botState.read(['k/2']))['k/2']!;
      await store.botState.write({ 'k/2': { ...seenByA, v: 'from A' } });
      await expect(store.botState.write({ 'k/2': { ...seenByB, v: 'from B' } })).rejects.toBeInstanceOf(
        ETagConflictError,
      );
      expect((await store.botState.read(['k/2']))['k/2']).toMatchObject({ v: 'from A' });
    });

    it('lets eTag "*" and a missing eTag overwrite', async () => {
      await store.botState.write({ 'k/3': { v: 1 } });
      await store.botState.write({ 'k/3': { v: 2, eTag: '*' } });
      await store.botState.write({ 'k/3': { v: 3 } });
      expect((await store.botState.read(['k/3']))['k/3']).toMatchObject({ v: 3 });
    });

    it('lets exactly one of two writers with the same eTag win', async () => {
      await store.botState.write({ 'k/4': { v: 0 } });
      const seen = (await store.botState.read(['k/4']))['k/4']!;
      const results = await Promise.allSettled([
        store.botState.write({ 'k/4': { ...seen, v: 'a' } }),
        store.botState.write({ 'k/4': { ...seen, v: 'b' } }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });

    it('deletes', async () => {
      await store.botState.write({ 'k/5': { v: 1 } });
      await store.botState.delete(['k/5']);
      expect(await store.botState.read(['k/5'])).toEqual({});
    });

    it('treats an eTag on an item that does not exist as a create', async () => {
      await store.botState.write({ 'k/6': { v: 1, eTag: 'never-issued' } });
      const read = (await store.botState.read(['k/6']))['k/6'];
      expect(read).toMatchObject({ v: 1 });
      expect(read?.eTag).not.toBe('never-issued');
      await expect(store.botState.write({ 'k/6': { v: 2, eTag: 'never-issued' } })).rejects.toBeInstanceOf(
        ETagConflictError,
      );
    });

    it('keeps keys and fields with dots and dollar signs', async () => {
      const key = 'telegram/conversations/a.b$c/users/$x.y';
      const value = { 'a.b': 1, $set: { 'c.d': [1, 'ă'] }, plain: null };
      await store.botState.write({ [key]: value });
      expect((await store.botState.read([key]))[key]).toMatchObject(value);
      await store.botState.delete([key]);
      expect(await store.botState.read([key])).toEqual({});
    });
  });

  describe('audit', () => {
    it('appends and lists newest first, filtered', async () => {
      await store.audit.append({ at: t0, actor: 'system', action: 'kb.sync', subject: 'kb', detail: { added: 2 } });
      await store.audit.append({ at: later(1), actor: 'bot', action: 'faq.answer', subject: 'conv-1' });
      await store.audit.append({ at: later(2), actor: 'bot', action: 'faq.decline', subject: 'conv-1' });
      const forConv = await store.audit.list({ subject: 'conv-1' });
      expect(forConv.map((e) => e.action)).toEqual(['faq.decline', 'faq.answer']);
      const syncs = await store.audit.list({ action: 'kb.sync' });
      expect(syncs[0]).toMatchObject({ actor: 'system', detail: { added: 2 } });
      expect(syncs[0]?.at.getTime()).toBe(t0.getTime());
    });

    it('limits the list and omits a missing detail', async () => {
      await store.audit.append({ at: later(3), actor: 'bot', action: 'x.one', subject: 'conv-9' });
      await store.audit.append({ at: later(4), actor: 'bot', action: 'x.two', subject: 'conv-9' });
      const newest = await store.audit.list({ subject: 'conv-9', limit: 1 });
      expect(newest).toHaveLength(1);
      expect(newest[0]).toEqual({ at: later(4), actor: 'bot', action: 'x.two', subject: 'conv-9' });
    });
  });

  describe('conversations of a citizen (listByUser)', () => {
    it('lists every conversation of one account on one channel, and no other', async () => {
      const a = await store.conversations.upsert({ channel: 'telegram', userId: 'lbu-1', chatId: 'lbu-chat-a' }, {}, t0);
      const b = await store.conversations.upsert({ channel: 'telegram', userId: 'lbu-1', chatId: 'lbu-chat-b' }, {}, later(1));
      await store.conversations.upsert({ channel: 'telegram', userId: 'lbu-2', chatId: 'lbu-chat-a' }, {}, t0);
      await store.conversations.upsert({ channel: 'zalo', userId: 'lbu-1', chatId: 'lbu-chat-a' }, {}, t0);
      const listed = await store.conversations.listByUser('telegram', 'lbu-1');
      expect(listed.map((c) => c.id).sort()).toEqual([a.id, b.id].sort());
      expect(listed.every((c) => c.channel === 'telegram' && c.userId === 'lbu-1')).toBe(true);
      expect(listed.find((c) => c.id === b.id)).toEqual(await store.conversations.get(b.id));
      expect(await store.conversations.listByUser('telegram', 'lbu-none')).toEqual([]);
      expect(await store.conversations.listByUser('messenger', 'lbu-1')).toEqual([]);
    });
  });

  describe('message redaction', () => {
    const rich = (conversationId: string, platformMessageId: string | null, text: string, createdAt = t0): NewMessage => ({
      conversationId,
      channel: 'telegram',
      direction: 'in',
      platformMessageId,
      text,
      activity: {
        type: 'message',
        id: `act-${platformMessageId ?? text}`,
        timestamp: createdAt.toISOString(),
        channelId: 'telegram',
        conversation: { id: `tg-${conversationId}`, name: 'Nguyễn Văn A' },
        from: { id: 'tg-user-1', name: 'Nguyễn Văn A', role: 'user' },
        recipient: { id: 'bot', name: 'Trợ lý' },
        text,
        channelData: { phone: '0912345678' },
        attachments: [{ contentType: 'image/jpeg', contentUrl: 'https://example.invalid/cccd.jpg' }],
      },
      createdAt,
    });

    it('empties the text and keeps only type, ids and timestamp of the activity, in place', async () => {
      const { message: secret } = await store.messages.recordInbound(rich('red-a', 'red-p1', 'sdt 0912345678, CCCD 001099000123'));
      const { message: kept } = await store.messages.recordInbound(rich('red-a', 'red-p2', 'tro cap nguoi gia'));
      await store.messages.markHandled(secret.id, later(1));
      expect(await store.messages.redact([secret.id, 'no-such-message'])).toBe(1);
      const [first, second] = await store.messages.listByConversation('red-a');
      expect(first).toEqual({
        ...secret,
        handledAt: later(1),
        text: '',
        activity: {
          type: 'message',
          id: 'act-red-p1',
          timestamp: t0.toISOString(),
          channelId: 'telegram',
          conversation: { id: 'tg-red-a' },
          from: { id: 'tg-user-1' },
          redacted: true,
        },
      });
      expect(second).toEqual(kept);
      // Once redacted it does not count again; an empty list changes nothing.
      expect(await store.messages.redact([secret.id])).toBe(0);
      expect(await store.messages.redact([])).toBe(0);
      // A redelivery of the redacted message is still recognised, and not stored again.
      const again = await store.messages.recordInbound(rich('red-a', 'red-p1', 'sdt 0912345678, CCCD 001099000123'));
      expect(again.duplicate).toBe(true);
      expect(again.message).toMatchObject({ id: secret.id, text: '' });
      expect(await store.messages.listByConversation('red-a')).toHaveLength(2);
    });

    it('keeps only the fields the activity has, and marks it redacted', async () => {
      const m = await recordOut({ ...rich('red-b', null, 'x'), direction: 'out', activity: { type: 'message', text: 'x' } });
      expect(await store.messages.redact([m.id])).toBe(1);
      const [stored] = await store.messages.listByConversation('red-b');
      expect(stored).toMatchObject({ id: m.id, position: m.position, direction: 'out', text: '' });
      expect(stored?.activity).toEqual({ type: 'message', redacted: true });
    });

    it('redacts whole conversations, or only what was created before a time', async () => {
      const stored = async (conversationId: string, n: number, createdAt: Date) =>
        (await store.messages.recordInbound(rich(conversationId, `${conversationId}-${n}`, `tin ${n}`, createdAt))).message;
      await stored('red-c', 1, later(1));
      await stored('red-c', 2, later(10));
      await stored('red-d', 1, later(5));
      const out = await recordOut({ ...rich('red-d', null, 'tra loi', later(20)), direction: 'out' });
      const other = await stored('red-e', 1, later(1));
      // Created strictly before later(10).
      expect(await store.messages.redactConversations(['red-c', 'red-d'], later(10))).toBe(2);
      const texts = async (conversationId: string) => (await store.messages.listByConversation(conversationId)).map((m) => m.text);
      expect(await texts('red-c')).toEqual(['', 'tin 2']);
      expect(await texts('red-d')).toEqual(['', 'tra loi']);
      expect(await store.messages.redactConversations(['red-c', 'red-d'])).toBe(2);
      expect(await texts('red-c')).toEqual(['', '']);
      expect((await store.messages.listByConversation('red-d')).find((m) => m.id === out.id)?.activity).toMatchObject({ redacted: true });
      expect(await store.messages.redactConversations(['red-c', 'red-d'])).toBe(0);
      expect(await store.messages.redactConversations([])).toBe(0);
      expect((await store.messages.listByConversation('red-e'))[0]).toEqual(other);
    });

    it('redacts what is past retention, oldest first, a batch at a time', async () => {
      const old = (n: number, createdAt: Date) => store.messages.recordInbound(rich('red-old', `red-old-${n}`, `tin cu ${n}`, createdAt));
      await old(1, new Date('2001-01-01T00:00:00Z'));
      await old(2, new Date('2001-01-03T00:00:00Z'));
      await old(3, new Date('2001-01-05T00:00:00Z'));
      const texts = async () => (await store.messages.listByConversation('red-old')).map((m) => m.text);
      expect(await store.messages.redactBefore(new Date('2001-01-04T00:00:00Z'), 1)).toBe(1);
      expect(await texts()).toEqual(['', 'tin cu 2', 'tin cu 3']);
      expect(await store.messages.redactBefore(new Date('2001-01-04T00:00:00Z'), 1)).toBe(1);
      expect(await store.messages.redactBefore(new Date('2001-01-04T00:00:00Z'), 1)).toBe(0);
      expect(await texts()).toEqual(['', '', 'tin cu 3']);
    });
  });

  describe('consents', () => {
    const consent = (citizenKey: string, over: Partial<NewConsent> = {}): NewConsent => ({
      citizenKey,
      conversationId: `conv-${citizenKey}`,
      channel: 'telegram',
      purpose: 'intake',
      decision: 'granted',
      textVersion: '2026-11',
      at: t0,
      ...over,
    });

    it('records consents and lists a citizen’s newest first', async () => {
      const key = citizenKeyOf({ channel: 'telegram', userId: 'cs-1' });
      expect(key).toBe('telegram:cs-1');
      const intake = await store.consents.record(consent(key, { at: later(1) }));
      expect(intake).toEqual({ ...consent(key, { at: later(1) }), id: intake.id, withdrawnAt: null });
      expect(typeof intake.id).toBe('string');
      const callback = await store.consents.record(consent(key, { purpose: 'callback', decision: 'declined', at: later(2) }));
      const guardian = await store.consents.record(consent(key, { purpose: 'guardian', at: later(3) }));
      await store.consents.record(consent('telegram:cs-other'));
      expect(await store.consents.listByCitizen(key)).toEqual([guardian, callback, intake]);
      expect(await store.consents.listByCitizen('telegram:cs-none')).toEqual([]);
    });

    it('withdraws the granted records of one purpose, then all', async () => {
      const key = 'zalo:cs-2';
      const intake1 = await store.consents.record(consent(key, { at: later(1) }));
      const intake2 = await store.consents.record(consent(key, { at: later(2), textVersion: '2026-12' }));
      const callback = await store.consents.record(consent(key, { purpose: 'callback', at: later(3) }));
      const declined = await store.consents.record(consent(key, { purpose: 'guardian', decision: 'declined', at: later(4) }));
      const other = await store.consents.record(consent('zalo:cs-2b'));
      expect(await store.consents.withdraw(key, later(10), 'intake')).toBe(2);
      expect(await store.consents.withdraw(key, later(11), 'intake')).toBe(0);
      let listed = await store.consents.listByCitizen(key);
      expect(listed).toEqual([
        declined,
        callback,
        { ...intake2, withdrawnAt: later(10) },
        { ...intake1, withdrawnAt: later(10) },
      ]);
      // All purposes: only what is still granted and not withdrawn; a declined record is left alone.
      expect(await store.consents.withdraw(key, later(12))).toBe(1);
      listed = await store.consents.listByCitizen(key);
      expect(listed.map((c) => c.withdrawnAt?.getTime() ?? null)).toEqual([null, later(12).getTime(), later(10).getTime(), later(10).getTime()]);
      expect(await store.consents.withdraw(key, later(13))).toBe(0);
      expect(await store.consents.listByCitizen('zalo:cs-2b')).toEqual([other]);
    });

    it('anonymises a citizen’s records, leaving other citizens’ alone', async () => {
      const key = 'webchat:cs-3';
      await store.consents.record(consent(key, { at: later(1) }));
      await store.consents.record(consent(key, { purpose: 'callback', at: later(2) }));
      const other = await store.consents.record(consent('webchat:cs-3b'));
      expect(await store.consents.anonymiseCitizen(key)).toBe(2);
      expect(await store.consents.listByCitizen(key)).toEqual([]);
      expect(await store.consents.anonymiseCitizen(key)).toBe(0);
      expect(await store.consents.listByCitizen('webchat:cs-3b')).toEqual([other]);
      // The emptied key belongs to nobody: nothing to list, withdraw or anonymise.
      expect(await store.consents.listByCitizen('')).toEqual([]);
      expect(await store.consents.withdraw('', later(3))).toBe(0);
      expect(await store.consents.anonymiseCitizen('')).toBe(0);
    });

    it('anonymises every record made before a cutoff', async () => {
      // Long before t0: the other tests record consents from t0 on.
      const old = (day: number) => new Date(Date.UTC(2019, 0, day));
      await store.consents.record(consent('telegram:cs-4', { at: old(1) }));
      await store.consents.record(consent('telegram:cs-5', { at: old(2) }));
      const atCutoff = await store.consents.record(consent('telegram:cs-4', { purpose: 'callback', at: old(3) }));
      expect(await store.consents.anonymiseBefore(old(3))).toBe(2);
      expect(await store.consents.listByCitizen('telegram:cs-4')).toEqual([atCutoff]);
      expect(await store.consents.listByCitizen('telegram:cs-5')).toEqual([]);
      expect(await store.consents.anonymiseBefore(old(3))).toBe(0);
    });
  });

  describe('cases', () => {
    const newCase = (citizenKey: string, createdAt: Date, over: Partial<NewCase> = {}): NewCase => ({
      citizenKey,
      conversationId: `conv-${citizenKey}`,
      channel: 'telegram',
      who: 'self',
      group: 'nguoi-cao-tuoi',
      need: 'tro-cap-xa-hoi',
      provinceCode: '79',
      communeCode: '26734',
      age: 81,
      phone: '+84912345678',
      description: 'Bà sống một mình, chưa nhận trợ cấp',
      riskLevel: null,
      riskCategory: null,
      consentIds: ['consent-1', 'consent-2'],
      createdAt,
      ...over,
    });

    it('creates cases under sequential codes per year of Vietnam time', async () => {
      // Years no other test uses, so the numbers are known.
      const a = await store.cases.create(newCase('telegram:case-1', new Date('2031-03-01T02:00:00Z')));
      expect(a).toEqual({
        ...newCase('telegram:case-1', new Date('2031-03-01T02:00:00Z')),
        id: a.id,
        code: 'CTXH-2031-000001',
        status: 'received',
        updatedAt: new Date('2031-03-01T02:00:00Z'),
        erasedAt: null,
      });
      expect(typeof a.id).toBe('string');
      // 23:59 on 31 December in Vietnam: still 2031.
      const b = await store.cases.create(newCase('telegram:case-1', new Date('2031-12-31T16:59:00Z')));
      // 00:30 on 1 January in Vietnam, 31 December in UTC: 2032.
      const c = await store.cases.create(newCase('telegram:case-2', new Date('2031-12-31T17:30:00Z')));
      const d = await store.cases.create(newCase('telegram:case-2', new Date('2032-05-01T00:00:00Z')));
      expect([b.code, c.code, d.code]).toEqual(['CTXH-2031-000002', 'CTXH-2032-000001', 'CTXH-2032-000002']);
      expect(await store.cases.get(a.id)).toEqual(a);
      expect(await store.cases.get('no-such-case')).toBeNull();
    });

    it('gives ten simultaneous creates ten distinct codes', async () => {
      const created = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.cases.create(newCase(`webchat:case-c${i}`, new Date(`2033-06-01T0${i}:00:00Z`)))),
      );
      const codes = created.map((c) => c.code);
      expect(new Set(codes).size).toBe(10);
      expect(codes.every((code) => /^CTXH-2033-\d{6}$/.test(code))).toBe(true);
      for (const c of created) expect((await store.cases.getByCode(c.code))?.id).toBe(c.id);
    });

    it('finds a case by its code in any case', async () => {
      const c = await store.cases.create(newCase('zalo:case-3', new Date('2034-01-10T00:00:00Z')));
      expect(c.code).toBe('CTXH-2034-000001');
      for (const asked of ['CTXH-2034-000001', 'ctxh-2034-000001', 'Ctxh-2034-000001', ' ctxh-2034-000001 ']) {
        expect(await store.cases.getByCode(asked)).toEqual(c);
      }
      expect(await store.cases.getByCode('ctxh-2034-000002')).toBeNull();
    });

    it('lists the cases of a citizen and sets their status', async () => {
      const first = await store.cases.create(newCase('telegram:case-4', later(1)));
      const second = await store.cases.create(newCase('telegram:case-4', later(2), { who: 'relative', age: null, phone: null }));
      await store.cases.create(newCase('telegram:case-4b', later(3)));
      expect(await store.cases.listByCitizen('telegram:case-4')).toEqual([first, second]);
      expect(await store.cases.listByCitizen('telegram:case-none')).toEqual([]);
      expect(await store.cases.setStatus(first.id, 'in-progress', later(5))).toBe(true);
      expect(await store.cases.get(first.id)).toEqual({ ...first, status: 'in-progress', updatedAt: later(5) });
      expect(await store.cases.setStatus('no-such-case', 'closed', later(6))).toBe(false);
    });

    it('erases a citizen’s personal fields and keeps the counts', async () => {
      const key = 'messenger:case-5';
      const a = await store.cases.create(newCase(key, later(1), { riskLevel: 'urgent', riskCategory: 'bao-luc' }));
      await store.cases.setStatus(a.id, 'closed', later(2));
      const b = await store.cases.create(newCase(key, later(3)));
      const other = await store.cases.create(newCase('messenger:case-5b', later(4)));
      expect(await store.cases.eraseCitizen(key, later(9))).toBe(2);
      const erased = {
        citizenKey: null,
        conversationId: null,
        communeCode: null,
        age: null,
        phone: null,
        description: null,
        consentIds: [],
        erasedAt: later(9),
      };
      expect(await store.cases.get(a.id)).toEqual({ ...a, ...erased, status: 'closed', updatedAt: later(2) });
      expect(await store.cases.getByCode(b.code)).toEqual({ ...b, ...erased });
      expect(await store.cases.get(a.id)).toMatchObject({
        code: a.code,
        group: 'nguoi-cao-tuoi',
        need: 'tro-cap-xa-hoi',
        provinceCode: '79',
        channel: 'telegram',
        riskLevel: 'urgent',
        riskCategory: 'bao-luc',
        createdAt: later(1),
      });
      expect(await store.cases.listByCitizen(key)).toEqual([]);
      expect(await store.cases.eraseCitizen(key, later(10))).toBe(0);
      expect(await store.cases.get(other.id)).toEqual(other);
      expect(await store.cases.listByCitizen('messenger:case-5b')).toEqual([other]);
    });

    it('erases cases created before a cutoff that are not erased yet', async () => {
      // Years no other test uses: only these are before the cutoff.
      const early = await store.cases.create(newCase('telegram:case-6', new Date('2020-01-05T00:00:00Z')));
      const alreadyErased = await store.cases.create(newCase('telegram:case-7', new Date('2020-01-06T00:00:00Z')));
      const atCutoff = await store.cases.create(newCase('telegram:case-6', new Date('2020-02-01T00:00:00Z')));
      expect(await store.cases.eraseCitizen('telegram:case-7', later(1))).toBe(1);
      expect(await store.cases.eraseBefore(new Date('2020-02-01T00:00:00Z'), later(2))).toBe(1);
      expect(await store.cases.get(early.id)).toMatchObject({ code: early.code, citizenKey: null, phone: null, erasedAt: later(2) });
      expect((await store.cases.get(alreadyErased.id))?.erasedAt).toEqual(later(1));
      expect(await store.cases.get(atCutoff.id)).toEqual(atCutoff);
      expect(await store.cases.eraseBefore(new Date('2020-02-01T00:00:00Z'), later(3))).toBe(0);
    });
  });

  describe('leases', () => {
    it('lets exactly one of two simultaneous holders take a lease', async () => {
      const results = await Promise.all([
        store.leases.acquire('purge-1', 'instance-a', t0, later(60)),
        store.leases.acquire('purge-1', 'instance-b', t0, later(60)),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const [winner, loser] = results[0] ? ['instance-a', 'instance-b'] : ['instance-b', 'instance-a'];
      expect(await store.leases.acquire('purge-1', loser, later(30), later(90))).toBe(false);
      // The winner renews its own lease before it runs out.
      expect(await store.leases.acquire('purge-1', winner, later(30), later(90))).toBe(true);
      expect(await store.leases.acquire('purge-1', loser, later(60), later(120))).toBe(false);
    });

    it('lets another holder take a lease once it ran out', async () => {
      expect(await store.leases.acquire('purge-2', 'instance-a', t0, later(60))).toBe(true);
      expect(await store.leases.acquire('purge-2', 'instance-b', later(59), later(119))).toBe(false);
      expect(await store.leases.acquire('purge-2', 'instance-b', later(60), later(120))).toBe(true);
      // Its former holder now waits like anyone else.
      expect(await store.leases.acquire('purge-2', 'instance-a', later(61), later(121))).toBe(false);
      // Another name is another lease.
      expect(await store.leases.acquire('purge-3', 'instance-a', later(61), later(121))).toBe(true);
    });

    it('frees a lease on release by its holder only', async () => {
      expect(await store.leases.acquire('purge-4', 'instance-a', t0, later(60))).toBe(true);
      await store.leases.release('purge-4', 'instance-b');
      expect(await store.leases.acquire('purge-4', 'instance-b', later(1), later(61))).toBe(false);
      await store.leases.release('purge-4', 'instance-a');
      expect(await store.leases.acquire('purge-4', 'instance-b', later(2), later(62))).toBe(true);
      await store.leases.release('purge-none', 'instance-a');
    });
  });
});

// The whole assistant on the Mongo lane, in this file so that only one test file at a
// time talks to jongodb.
describe.runIf(mongoLaneUri())('the assistant end to end on MongoDB', () => {
  it('answers a web chat message and keeps the conversation in MongoDB', async () => {
    const store = await openMongoTestStore();
    const config = loadConfig({ LOG_LEVEL: 'silent', DIRECTLINE_TOKEN_SECRET: 'x'.repeat(40) });
    const assistant = await createAssistant(config, { store, log: pino({ level: 'silent' }) });
    const http = await listen(assistant.app);
    try {
      const t = await (await fetch(`${http.url}/v3/directline/tokens/generate`, { method: 'POST' })).json();
      const headers = { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' };
      const url = `${http.url}/v3/directline/conversations/${t.conversationId}/activities`;
      expect((await fetch(url, { method: 'POST', headers, body: JSON.stringify({ type: 'message', text: 'tro cap nguoi khuyet tat bao nhieu' }) })).status).toBe(200);
      const listed = await (await fetch(url, { headers })).json();
      expect(listed.activities.map((a: { from: { role: string } }) => a.from.role)).toEqual(['user', 'bot']);
      expect(listed.activities[1].text).toMatch(/Nguồn: /);
      // The first start imported the knowledge folder: the store holds the live knowledge.
      expect((await store.knowledgeVersions.listApproved()).length).toBeGreaterThanOrEqual(120);
      expect(await store.messages.listUnhandledInbound()).toEqual([]);
    } finally {
      await http.close();
      await assistant.close();
    }
  });

  it('brings a message stored by one instance to a web chat socket open on another', async () => {
    // Two app instances, each with its own connection to one database, as in a province.
    const dbName = newTestDbName();
    const config = loadConfig({ LOG_LEVEL: 'silent', DIRECTLINE_TOKEN_SECRET: 'test-secret-test-secret-test-secret-0123' });
    const instances = [];
    for (let i = 0; i < 2; i++) {
      const assistant = await createAssistant(config, { store: await openMongoTestStore(dbName), log: pino({ level: 'silent' }) });
      const http = await listen(assistant.app);
      assistant.attach(http.server);
      instances.push({ assistant, http });
    }
    const [first, second] = instances as [(typeof instances)[0], (typeof instances)[0]];
    const received: any[] = [];
    let socket: WebSocket | undefined;
    try {
      const t = await (await fetch(`${first.http.url}/v3/directline/tokens/generate`, { method: 'POST' })).json();
      const started = await (await fetch(`${first.http.url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${t.token}` } })).json();
      socket = new WebSocket(started.streamUrl.replace(new URL(first.http.url).host, new URL(second.http.url).host));
      socket.on('message', (data) => String(data) && received.push(...JSON.parse(String(data)).activities));
      await waitFor(() => received.some((a) => /Xin chào/.test(a.text)), 'greeting through the second instance');
      const post = await fetch(`${first.http.url}/v3/directline/conversations/${t.conversationId}/activities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', text: 'tro cap nguoi khuyet tat bao nhieu' }),
      });
      expect(post.status).toBe(200);
      await waitFor(() => received.filter((a) => a.type === 'message').length >= 3, 'question and answer written by the first instance');
      expect(received.filter((a) => a.type === 'message').map((a) => a.from.role)).toEqual(['bot', 'user', 'bot']);
      expect(received.at(-1).text).toMatch(/Nguồn: /);
    } finally {
      socket?.close();
      for (const { assistant, http } of instances) {
        await http.close();
        await assistant.close();
      }
    }
  });

  it('answers from a knowledge version and a policy value approved on another instance within its poll, with no restart', async () => {
    const dbName = newTestDbName();
    const config = loadConfig({ LOG_LEVEL: 'silent', DIRECTLINE_TOKEN_SECRET: 'test-secret-test-secret-test-secret-0123', KNOWLEDGE_POLL_SECONDS: '1', DIRECTLINE_TOKENS_PER_MINUTE: '1000' });
    const instances = [];
    for (let i = 0; i < 2; i++) {
      const assistant = await createAssistant(config, { store: await openMongoTestStore(dbName), log: pino({ level: 'silent' }) });
      instances.push({ assistant, http: await listen(assistant.app) });
    }
    const [first, second] = instances as [(typeof instances)[0], (typeof instances)[0]];
    const ask = (url: string, text = 'tro cap nguoi khuyet tat nang bao nhieu') => askWebChat(url, text);
    try {
      // The folder was imported once, by the first instance to start.
      const approved = await first.assistant.store.knowledgeVersions.listApproved();
      const entry = approved.find((v) => v.entryId === 'nkt-muc-tro-cap-hang-thang')!.entry!;
      expect(approved.filter((v) => v.entryId === entry.id)).toHaveLength(1);
      expect(await ask(second.http.url)).toMatch(/750\.000 đồng/);
      const draft = await first.assistant.store.knowledgeVersions.addDraft({
        entryId: entry.id,
        entry: { ...entry, body: entry.body.replace('750.000', '810.000') },
        author: 'editor',
        note: null,
        basedOn: 1,
        createdAt: new Date(),
      });
      await first.assistant.store.knowledgeVersions.review(entry.id, draft.version, { status: 'approved', reviewer: 'supervisor', at: new Date(), publishAt: new Date() });
      await waitFor(async () => /810\.000 đồng/.test(await ask(second.http.url)), 'the other instance answering from the approved version', 15_000);

      // A policy value many entries share, changed the same way: every entry using it follows.
      const values = await first.assistant.store.policyVersions.listApproved();
      const muc = values.find((v) => v.entryId === 'muc-chuan-tro-giup-xa-hoi')!;
      expect(await ask(second.http.url, 'muc chuan tro giup xa hoi hien nay bao nhieu')).toMatch(/500\.000 đồng/);
      const valueDraft = await first.assistant.store.policyVersions.addDraft({
        entryId: muc.entryId,
        entry: { ...muc.entry!, values: [{ value: '520.000 đồng', from: '2020-01-01', source: 'Nghị định thử' }] },
        author: 'editor',
        note: null,
        basedOn: muc.version,
        createdAt: new Date(),
      });
      await first.assistant.store.policyVersions.review(muc.entryId, valueDraft.version, { status: 'approved', reviewer: 'supervisor', at: new Date(), publishAt: new Date() });
      await waitFor(async () => /520\.000 đồng/.test(await ask(second.http.url, 'muc chuan tro giup xa hoi hien nay bao nhieu')), 'the other instance answering from the approved policy value', 15_000);
    } finally {
      for (const { assistant, http } of instances) {
        await http.close();
        await assistant.close();
      }
    }
  });

  it('gives urgent messages the safety reply first and queues them first on the Mongo lane', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent', DIRECTLINE_TOKEN_SECRET: 'test-secret-test-secret-test-secret-0123' });
    const store = await openMongoTestStore();
    const assistant = await createAssistant(config, { store, log: pino({ level: 'silent' }) });
    const http = await listen(assistant.app);
    try {
      await runUrgentScenarios(http.url, store);
    } finally {
      await http.close();
      await assistant.close();
    }
  });
});

describe.runIf(mongoLaneUri())('guided intake over Direct Line on the Mongo lane', () => {
  // Each scenario on a database of its own, so a raw read sees only its citizen's data.
  async function withAssistant(run: (url: string, store: Store, dump: () => Promise<string>) => Promise<void>) {
    const config = loadConfig({ LOG_LEVEL: 'silent', DIRECTLINE_TOKEN_SECRET: 'test-secret-test-secret-test-secret-0123' });
    const dbName = newTestDbName();
    const store = await openMongoTestStore(dbName);
    const assistant = await createAssistant(config, { store, log: pino({ level: 'silent' }) });
    const http = await listen(assistant.app);
    try {
      await run(http.url, store, mongoDump(mongoLaneUri()!, dbName));
    } finally {
      await http.close();
      await assistant.close();
    }
  }

  it('completes an intake typed without diacritics with an old province name, then erases it', async () => {
    await withAssistant(runIntakeAndErasure);
  });

  it('keeps nothing personal after a declined consent', async () => {
    await withAssistant(runDeclinedConsent);
  });
});

// The staff, session, ticket and note contracts run in this file too, so that only one
// test file talks to the Mongo lane at a time (jongodb is unsafe under concurrent connections).
await import('./store-contract/staff.js');
await import('./store-contract/tickets.js');
await import('./store-contract/channel-tokens.js');
await import('./store-contract/outbox.js');
await import('./store-contract/media.js');
await import('./store-contract/embeddings.js');
await import('./store-contract/kb-versions.js');
await import('./store-contract/unanswered.js');
