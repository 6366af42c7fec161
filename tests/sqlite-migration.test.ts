import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';

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
});
