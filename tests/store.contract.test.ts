/**
 * One contract for every store: runs on SQLite always, and on MongoDB when
 * MONGODB_URI is set (the test setup starts jongodb for it when it is not).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KnowledgeEntry } from '../src/kb/entry.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { ETagConflictError, type NewMessage, type Store } from '../src/store/types.js';
import { pino } from 'pino';
import { createAssistant } from '../src/server/assistant.js';
import { loadConfig } from '../src/server/config.js';
import { listen } from './support/http.js';
import { mongoLaneUri, openMongoTestStore } from './support/mongo-lane.js';

interface Lane {
  name: string;
  open: () => Promise<Store>;
}

const lanes: Lane[] = [
  { name: 'sqlite', open: async () => openSqliteStore(mkdtempSync(join(tmpdir(), 'ctxh-store-'))) },
];
if (mongoLaneUri()) lanes.push({ name: 'mongo', open: () => openMongoTestStore() });

const t0 = new Date('2026-11-22T08:00:00Z');
const later = (s: number) => new Date(t0.getTime() + s * 1000);

function entry(id: string, body = 'Nội dung'): KnowledgeEntry {
  return {
    id,
    topic: 'lien-he',
    questions: ['Câu hỏi?'],
    source: 'Cấu hình của trung tâm',
    effective: '2026-01-01',
    reviewed: '2026-11-22',
    body,
    file: `lien-he/${id}.md`,
  };
}

describe.each(lanes)('store contract: $name', ({ open }) => {
  let store: Store;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

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
      const b = await store.messages.recordOutbound(msg('conv-b', { platformMessageId: null, text: 'hai', direction: 'out' }));
      await store.messages.recordInbound(msg('conv-x', { platformMessageId: 'x1' }));
      const c = await store.messages.recordOutbound(msg('conv-b', { platformMessageId: 'o-3', text: 'ba', direction: 'out' }));
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

    it('does not use up a position for a redelivered message', async () => {
      await store.messages.recordInbound(msg('conv-y', { platformMessageId: 'y1' }));
      await store.messages.recordInbound(msg('conv-y', { platformMessageId: 'y1' }));
      const next = await store.messages.recordOutbound(msg('conv-y', { platformMessageId: null, direction: 'out' }));
      expect(next.position).toBe(2);
      const listed = await store.messages.listByConversation('conv-y');
      expect(listed).toHaveLength(2);
    });

    it('keeps outbound messages without a platform id apart', async () => {
      await store.messages.recordOutbound(msg('conv-c', { platformMessageId: null, direction: 'out', text: 'x' }));
      await store.messages.recordOutbound(msg('conv-c', { platformMessageId: null, direction: 'out', text: 'y' }));
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
      const out = await store.messages.recordOutbound({ ...inbound('claim-3'), direction: 'out', platformMessageId: null });
      expect(await store.messages.claimInbound(out.id, t0, later(60))).toBe(false);
      expect(await store.messages.claimInbound('no-such-id', t0, later(60))).toBe(false);
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

  describe('knowledge', () => {
    it('adds, versions changed entries and retires removed ones', async () => {
      expect(await store.knowledge.sync([entry('a'), entry('b')], t0)).toEqual({ added: 2, changed: 0, retired: 0 });
      expect(await store.knowledge.sync([entry('a'), entry('b')], later(1))).toEqual({ added: 0, changed: 0, retired: 0 });
      expect(await store.knowledge.sync([entry('a', 'Nội dung mới')], later(2))).toEqual({
        added: 0,
        changed: 1,
        retired: 1,
      });
      const list = await store.knowledge.list();
      expect(list.map((e) => e.id)).toEqual(['a']);
      expect(list[0]).toMatchObject({ version: 2, body: 'Nội dung mới', topic: 'lien-he' });
      expect(await store.knowledge.get('b')).toBeNull();
      const versions = await store.knowledge.versions('a');
      expect(versions.map((v) => [v.version, v.body])).toEqual([
        [1, 'Nội dung'],
        [2, 'Nội dung mới'],
      ]);
    });

    it('re-activates an unchanged retired entry without a new version', async () => {
      await store.knowledge.sync([entry('a'), entry('c')], t0);
      const before = (await store.knowledge.versions('c')).length;
      expect(await store.knowledge.sync([entry('a')], later(1))).toMatchObject({ retired: 1 });
      expect(await store.knowledge.get('c')).toBeNull();
      expect(await store.knowledge.sync([entry('a'), entry('c')], later(2))).toEqual({
        added: 0,
        changed: 0,
        retired: 0,
      });
      expect(await store.knowledge.get('c')).toMatchObject({ id: 'c', body: 'Nội dung', file: 'lien-he/c.md' });
      expect((await store.knowledge.versions('c')).length).toBe(before);
      expect((await store.knowledge.list()).map((e) => e.id)).toEqual(['a', 'c']);
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
      expect((await store.knowledge.list()).length).toBeGreaterThanOrEqual(120);
      expect(await store.messages.listUnhandledInbound()).toEqual([]);
    } finally {
      await http.close();
      await assistant.close();
    }
  });
});
