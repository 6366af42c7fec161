/**
 * The embedded store commits the writes of one event-loop task together
 * (src/store/sqlite/write-batch.ts), and nothing is acknowledged before its commit
 * (src/server/commit-barrier.ts). Checked on the real SQLite file with a second,
 * independent connection, as another process would read it, and over real HTTP.
 */
import Database from 'better-sqlite3';
import express from 'express';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { answerAfterCommit } from '../src/server/commit-barrier.js';
import type { Store } from '../src/store/types.js';
import { listen, waitFor } from './support/http.js';

const opened: Array<{ close: () => unknown }> = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

function storeIn(dir: string): Store {
  const store = openSqliteStore(dir);
  opened.push(store);
  return store;
}

/** Another connection to the same file, as a second process (or `npm run data:export`) reads it. */
function reader(dir: string) {
  const db = new Database(join(dir, 'ctxh.sqlite'), { readonly: true });
  opened.push(db);
  return {
    conversations: () => (db.prepare('SELECT COUNT(*) AS n FROM conversations').get() as { n: number }).n,
    audit: () => (db.prepare('SELECT COUNT(*) AS n FROM audit_events').get() as { n: number }).n,
  };
}

const at = new Date('2026-12-01T08:00:00Z');
const event = (action: string) => ({ at, actor: 'system', action, subject: 'x' });

describe('the embedded store commits a task’s writes together', () => {
  it('keeps a task’s writes from other connections until committed() resolves, then shows all of them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctxh-group-'));
    const store = storeIn(dir);
    const other = reader(dir);
    const audit0 = other.audit();
    const writes = Promise.all([
      store.conversations.upsert({ channel: 'webchat', userId: 'dl_a', chatId: 'c1' }, {}, at),
      store.audit.append(event('one')),
      store.audit.append(event('two')),
    ]);
    await writes;
    // Resolved promises are not a commit: the other connection still sees nothing.
    expect([other.conversations(), other.audit()]).toEqual([0, audit0]);
    await store.committed();
    expect([other.conversations(), other.audit()]).toEqual([1, audit0 + 2]);
  });

  it('reads its own pending writes on the same connection', async () => {
    const store = storeIn(mkdtempSync(join(tmpdir(), 'ctxh-group-')));
    const made = await store.conversations.upsert({ channel: 'webchat', userId: 'dl_b', chatId: 'c2' }, {}, at);
    expect((await store.conversations.get(made.id))?.userId).toBe('dl_b');
  });

  it('stores a redelivered message once within a group, and commits the rest of the task', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctxh-group-'));
    const store = storeIn(dir);
    const other = reader(dir);
    const conversation = await store.conversations.upsert({ channel: 'telegram', userId: '7', chatId: '7' }, {}, at);
    const first = await store.messages.recordInbound({ conversationId: conversation.id, channel: 'telegram', direction: 'in', platformMessageId: 'p1', text: 'a', activity: {}, createdAt: at });
    const again = await store.messages.recordInbound({ conversationId: conversation.id, channel: 'telegram', direction: 'in', platformMessageId: 'p1', text: 'a', activity: {}, createdAt: at });
    expect([first.duplicate, again.duplicate]).toEqual([false, true]);
    await store.committed();
    expect(other.conversations()).toBe(1);
  });

  it('opens a second store on the same file in the same process while a task’s writes are pending', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctxh-group-'));
    const first = storeIn(dir);
    await first.audit.append(event('pending'));
    // Without committing the first connection's group, this would wait on its lock for good.
    const second = storeIn(dir);
    await second.audit.append(event('from the second'));
    await Promise.all([first.committed(), second.committed()]);
    expect((await second.audit.list({ subject: 'x' })).map((e) => e.action).sort()).toEqual(['from the second', 'pending']);
  });

  it('commits what is pending when the store closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctxh-group-'));
    const store = openSqliteStore(dir);
    await store.conversations.upsert({ channel: 'webchat', userId: 'dl_c', chatId: 'c3' }, {}, at);
    await store.close();
    expect(reader(dir).conversations()).toBe(1);
  });
});

describe('answerAfterCommit', () => {
  /** `ended`: whether the response had ended one task after the handler answered. */
  async function serverWith(committed: () => Promise<void>, seen: { ended?: boolean } = {}) {
    const app = express();
    app.use(answerAfterCommit(committed));
    app.post('/kept', (_req, res) => {
      res.json({ id: 'm1' });
      setImmediate(() => (seen.ended = res.writableEnded));
    });
    const http = await listen(app);
    opened.push(http);
    return http.url;
  }

  it('sends a response only once the writes are committed', async () => {
    let commit!: () => void;
    const gate = new Promise<void>((resolve) => (commit = resolve));
    const seen: { ended?: boolean } = {};
    const url = await serverWith(() => gate, seen);
    const response = fetch(`${url}/kept`, { method: 'POST' });
    await waitFor(() => seen.ended !== undefined, 'the handler to answer');
    expect(seen.ended).toBe(false);
    commit();
    const r = await response;
    expect([r.status, await r.json()]).toEqual([200, { id: 'm1' }]);
  });

  it('turns a response about writes that were lost into a 503 to retry', async () => {
    const url = await serverWith(() => Promise.reject(new Error('disk I/O error')));
    const r = await fetch(`${url}/kept`, { method: 'POST' });
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('ServiceUnavailable');
  });
});
