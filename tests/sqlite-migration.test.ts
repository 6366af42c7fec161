import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { NewCase } from '../src/store/types.js';
import { FRESH_TICKET_FIELDS } from '../src/store/shared.js';

describe('embedded store upgrade', () => {
  it('opens a data file written before messages had positions and claims', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctxh-migrate-'));
    const old = new Database(join(dir, 'ctxh.sqlite'));
    old.exec(`CREATE TABLE messages (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, conversation_id TEXT NOT NULL,
      channel TEXT NOT NULL, direction TEXT NOT NULL, platform_message_id TEXT, text TEXT NOT NULL,
      activity TEXT NOT NULL, created_at INTEGER NOT NULL, handled_at INTEGER)`);
    const insert = old.prepare(
      "INSERT INTO messages (id, conversation_id, channel, direction, platform_message_id, text, activity, created_at) VALUES (?, ?, 'telegram', 'in', ?, ?, '{}', 0)",
    );
    insert.run('m1', 'a', 'p1', 'một');
    insert.run('m2', 'b', 'p2', 'khác');
    insert.run('m3', 'a', 'p3', 'hai');
    old.close();

    const store = openSqliteStore(dir);
    expect((await store.messages.listByConversation('a')).map((m) => [m.position, m.text])).toEqual([
      [1, 'một'],
      [2, 'hai'],
    ]);
    const { message: next } = await store.messages.recordOutbound({
      conversationId: 'a',
      channel: 'telegram',
      direction: 'out',
      platformMessageId: null,
      text: 'ba',
      activity: {},
      createdAt: new Date(),
      replyTo: 'm3',
      replyIndex: 0,
      delivery: 'queued',
    });
    expect(next.position).toBe(3);
    expect(await store.messages.claimInbound('m1', new Date(0), new Date(1000))).toBe(true);
    await store.close();
  });

  it('opens a data file written before the outbox, taking its outbound messages as sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctxh-migrate-'));
    // Messages and conversations as they were before delivery states, reply keys and undeliverable marks.
    const old = new Database(join(dir, 'ctxh.sqlite'));
    old.exec(`CREATE TABLE conversations (
        id TEXT PRIMARY KEY, channel TEXT NOT NULL, user_id TEXT NOT NULL, chat_id TEXT NOT NULL,
        reference TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'bot', created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL, last_inbound_at INTEGER,
        risk_level TEXT CHECK (risk_level IN ('check-in', 'urgent')), risk_category TEXT, risk_at INTEGER, risk_message_id TEXT);
      CREATE UNIQUE INDEX conversations_address ON conversations(channel, chat_id, user_id);
      CREATE TABLE messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, conversation_id TEXT NOT NULL,
        position INTEGER NOT NULL, channel TEXT NOT NULL, direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        platform_message_id TEXT, text TEXT NOT NULL, activity TEXT NOT NULL, created_at INTEGER NOT NULL,
        handled_at INTEGER, claimed_until INTEGER, redacted INTEGER NOT NULL DEFAULT 0);
      CREATE UNIQUE INDEX messages_platform_id
        ON messages(channel, direction, platform_message_id) WHERE platform_message_id IS NOT NULL;
      CREATE UNIQUE INDEX messages_position ON messages(conversation_id, position);`);
    old
      .prepare("INSERT INTO conversations (id, channel, user_id, chat_id, reference, created_at, updated_at) VALUES ('c1', 'telegram', 'u1', 'chat1', '{}', 0, 0)")
      .run();
    const message = old.prepare(
      `INSERT INTO messages (id, conversation_id, position, channel, direction, platform_message_id, text, activity, created_at, handled_at)
       VALUES (?, 'c1', ?, 'telegram', ?, ?, ?, '{}', ?, ?)`,
    );
    message.run('m1', 1, 'in', 'p1', 'xin chào', 1000, 1500);
    message.run('m2', 2, 'out', null, 'chào bạn', 1200, null);
    message.run('m3', 3, 'in', 'p2', 'cảm ơn', 2000, null);
    old.close();

    let store = openSqliteStore(dir);
    const [m1, m2, m3] = await store.messages.listByConversation('c1');
    expect(m1?.delivery).toBeNull();
    expect(m3?.delivery).toBeNull();
    // It went out inline when it was stored.
    expect(m2?.delivery).toEqual({ status: 'sent', attempts: 0, nextAttemptAt: null, error: null, sentAt: new Date(1200) });
    expect(await store.messages.nextOutbound('c1')).toBeNull();
    expect(await store.messages.listOutboxDue(new Date(5000))).toEqual([]);
    expect((await store.conversations.get('c1'))?.undeliverable).toBeNull();

    // The upgraded file keeps reply keys unique and queues what is new.
    const replyTo = (text: string) =>
      store.messages.recordOutbound({
        conversationId: 'c1',
        channel: 'telegram',
        direction: 'out',
        platformMessageId: null,
        text,
        activity: {},
        createdAt: new Date(3000),
        replyTo: 'm3',
        replyIndex: 0,
        delivery: 'queued',
      });
    const first = await replyTo('không có gì');
    expect(first).toMatchObject({ duplicate: false, message: { position: 4, delivery: { status: 'queued' } } });
    expect((await replyTo('lặp lại')).message.id).toBe(first.message.id);
    expect(await store.messages.listOutboxDue(new Date(5000))).toEqual(['c1']);
    await store.conversations.markUndeliverable('c1', 'blocked', new Date(4000));
    await store.close();

    // Opening it again changes nothing: the queued message stays queued, the mark stays.
    store = openSqliteStore(dir);
    expect((await store.messages.nextOutbound('c1'))?.id).toBe(first.message.id);
    expect((await store.messages.listByConversation('c1')).map((m) => m.delivery?.status ?? null)).toEqual([null, 'sent', null, 'queued']);
    expect((await store.conversations.get('c1'))?.undeliverable).toEqual({ reason: 'blocked', at: new Date(4000) });
    await store.close();
  });

  it('opens a data file written before conversations had risks and handoff requests existed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctxh-migrate-'));
    const old = new Database(join(dir, 'ctxh.sqlite'));
    old.exec(`CREATE TABLE conversations (
      id TEXT PRIMARY KEY, channel TEXT NOT NULL, user_id TEXT NOT NULL, chat_id TEXT NOT NULL,
      reference TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'bot', created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL, last_inbound_at INTEGER);
      CREATE UNIQUE INDEX conversations_address ON conversations(channel, chat_id, user_id);
      CREATE INDEX conversations_status ON conversations(status, updated_at);`);
    old
      .prepare("INSERT INTO conversations (id, channel, user_id, chat_id, reference, status, created_at, updated_at) VALUES (?, 'telegram', ?, ?, '{}', ?, 0, 0)")
      .run('c1', 'u1', 'chat1', 'bot');
    old.close();

    let store = openSqliteStore(dir);
    const c = await store.conversations.get('c1');
    expect(c).toMatchObject({ id: 'c1', status: 'bot', risk: null });
    const at = new Date(1000);
    expect(await store.conversations.raiseRisk('c1', { level: 'check-in', category: null, at, messageId: null }, at)).toBe(true);
    expect((await store.conversations.listCheckInsDue(at)).map((x) => x.id)).toEqual(['c1']);
    const { created } = await store.tickets.open({
      conversationId: 'c1',
      citizenKey: 'telegram:u1',
      channel: 'telegram',
      priority: 1,
      reason: 'risk',
      riskCategory: null,
      messageId: null,
      team: 'chung',
      provinceCode: null,
      communeCode: null,
      caseId: null,
      createdAt: at,
    });
    expect(created).toBe(true);
    await store.close();

    // Opening the upgraded file again changes nothing.
    store = openSqliteStore(dir);
    expect((await store.conversations.get('c1'))?.risk).toEqual({ level: 'check-in', category: null, at, messageId: null });
    expect((await store.tickets.findOpenByConversation('c1'))?.raises).toBe(1);
    await store.close();
  });

  it('opens a data file written before redaction, consents, cases and leases existed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctxh-migrate-'));
    // The store as it was before: messages without `redacted`, no consents, cases or leases.
    let store = openSqliteStore(dir);
    await store.close();
    const old = new Database(join(dir, 'ctxh.sqlite'));
    old.exec(`DROP TABLE consents; DROP TABLE cases; DROP TABLE case_counters; DROP TABLE leases;
      DROP INDEX conversations_user; ALTER TABLE messages DROP COLUMN redacted;`);
    old
      .prepare(
        "INSERT INTO messages (id, conversation_id, position, channel, direction, platform_message_id, text, activity, created_at) VALUES ('m1', 'a', 1, 'telegram', 'in', 'p1', 'bí mật', ?, 0)",
      )
      .run(JSON.stringify({ type: 'message', id: 'x', text: 'bí mật', from: { id: 'u', name: 'Tên' } }));
    old.close();

    store = openSqliteStore(dir);
    expect(await store.messages.redact(['m1'])).toBe(1);
    expect(await store.messages.listByConversation('a')).toMatchObject([
      { id: 'm1', text: '', activity: { type: 'message', id: 'x', from: { id: 'u' }, redacted: true } },
    ]);
    const at = new Date('2026-03-01T00:00:00Z');
    const newCase: NewCase = {
      citizenKey: 'telegram:u',
      conversationId: 'a',
      channel: 'telegram',
      who: 'self',
      group: 'nguoi-cao-tuoi',
      need: 'tro-cap-xa-hoi',
      provinceCode: '01',
      communeCode: '00004',
      age: 70,
      phone: null,
      description: null,
      riskLevel: null,
      riskCategory: null,
      consentIds: [],
      createdAt: at,
    };
    expect((await store.cases.create(newCase)).code).toBe('CTXH-2026-000001');
    await store.consents.record({
      citizenKey: 'telegram:u',
      conversationId: 'a',
      channel: 'telegram',
      purpose: 'intake',
      decision: 'granted',
      textVersion: '1',
      at,
    });
    expect(await store.leases.acquire('purge', 'me', at, new Date(at.getTime() + 60_000))).toBe(true);
    await store.close();

    // Opening the upgraded file again changes nothing, and the year's counter goes on.
    store = openSqliteStore(dir);
    expect(await store.messages.redact(['m1'])).toBe(0);
    expect(await store.consents.listByCitizen('telegram:u')).toHaveLength(1);
    expect((await store.cases.create(newCase)).code).toBe('CTXH-2026-000002');
    await store.close();
  });

  it('opens a data file written before tickets existed, queueing its open handoff requests as waiting tickets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctxh-migrate-'));
    // The store as it was before: handoff requests, and no tickets, staff, sessions or notes.
    let store = openSqliteStore(dir);
    await store.close();
    const old = new Database(join(dir, 'ctxh.sqlite'));
    old.exec(`DROP TABLE tickets; DROP TABLE staff; DROP TABLE staff_sessions; DROP TABLE notes;
      CREATE TABLE handoff_requests (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, conversation_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'closed')), priority INTEGER NOT NULL, reason TEXT NOT NULL,
        risk_category TEXT, message_id TEXT, raises INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
      CREATE UNIQUE INDEX handoff_requests_open ON handoff_requests(conversation_id) WHERE status = 'open';`);
    const conversation = old.prepare(
      "INSERT INTO conversations (id, channel, user_id, chat_id, reference, status, created_at, updated_at) VALUES (?, ?, ?, ?, '{}', 'queued', 0, 0)",
    );
    conversation.run('c-tg', 'telegram', 'u1', 'chat1');
    conversation.run('c-tg-group', 'telegram', 'u1', 'group1');
    conversation.run('c-zalo', 'zalo', 'z9', 'z9');
    conversation.run('c-closed', 'webchat', 'w1', 'w1');
    const request = old.prepare(
      `INSERT INTO handoff_requests (id, conversation_id, status, priority, reason, risk_category, message_id, raises, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    request.run('h-tg', 'c-tg', 'open', 2, 'citizen-asked', null, 'm-1', 1, 1000, 1000);
    // The same citizen in another chat, more urgent: theirs is the one ticket kept.
    request.run('h-tg-group', 'c-tg-group', 'open', 0, 'risk', 'tu-hai', 'm-2', 3, 2000, 2500);
    request.run('h-zalo', 'c-zalo', 'open', 1, 'risk', null, null, 2, 3000, 3500);
    request.run('h-closed', 'c-closed', 'closed', 2, 'intake', null, null, 1, 500, 600);
    // A request of a conversation the file no longer has: no citizen to queue.
    request.run('h-orphan', 'c-gone', 'open', 2, 'no-answer', null, null, 1, 4000, 4000);
    old.close();

    store = openSqliteStore(dir);
    const waiting = await store.tickets.list({ limit: -1 });
    expect(waiting).toEqual([
      {
        id: 'h-tg-group',
        conversationId: 'c-tg-group',
        citizenKey: 'telegram:u1',
        channel: 'telegram',
        status: 'waiting',
        priority: 0,
        reason: 'risk',
        riskCategory: 'tu-hai',
        messageId: 'm-2',
        team: 'chung',
        provinceCode: null,
        communeCode: null,
        caseId: null,
        raises: 3,
        createdAt: new Date(2000),
        updatedAt: new Date(2500),
        ...FRESH_TICKET_FIELDS,
      },
      expect.objectContaining({ id: 'h-zalo', citizenKey: 'zalo:z9', channel: 'zalo', status: 'waiting', priority: 1, raises: 2, team: 'chung' }),
    ]);
    expect(await store.tickets.listCreatedSince(new Date(0))).toHaveLength(2);
    // The migrated tickets behave like any other: one open per citizen, claimable.
    const again = await store.tickets.open({
      conversationId: 'c-tg',
      citizenKey: 'telegram:u1',
      channel: 'telegram',
      priority: 2,
      reason: 'citizen-asked',
      riskCategory: null,
      messageId: 'm-3',
      team: 'tam-ly',
      provinceCode: null,
      communeCode: null,
      caseId: null,
      createdAt: new Date(5000),
    });
    expect(again).toMatchObject({ created: false, ticket: { id: 'h-tg-group', raises: 4, priority: 0, team: 'chung' } });
    expect(await store.tickets.claim('h-zalo', 'staff-1', new Date(6000))).toMatchObject({ status: 'assigned', assigneeId: 'staff-1' });
    await store.close();

    // Opening the upgraded file again copies nothing twice: the tickets table exists now.
    store = openSqliteStore(dir);
    expect((await store.tickets.listCreatedSince(new Date(0))).map((t) => [t.id, t.status])).toEqual([
      ['h-tg-group', 'waiting'],
      ['h-zalo', 'assigned'],
    ]);
    expect(await store.staff.list()).toEqual([]);
    await store.close();
  });
});
