import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { NewCase } from '../src/store/types.js';

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
    const next = await store.messages.recordOutbound({
      conversationId: 'a',
      channel: 'telegram',
      direction: 'out',
      platformMessageId: null,
      text: 'ba',
      activity: {},
      createdAt: new Date(),
    });
    expect(next.position).toBe(3);
    expect(await store.messages.claimInbound('m1', new Date(0), new Date(1000))).toBe(true);
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
    const { created } = await store.handoffRequests.open({
      conversationId: 'c1',
      priority: 1,
      reason: 'risk',
      riskCategory: null,
      messageId: null,
      createdAt: at,
    });
    expect(created).toBe(true);
    await store.close();

    // Opening the upgraded file again changes nothing.
    store = openSqliteStore(dir);
    expect((await store.conversations.get('c1'))?.risk).toEqual({ level: 'check-in', category: null, at, messageId: null });
    expect((await store.handoffRequests.findOpen('c1'))?.raises).toBe(1);
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
});
