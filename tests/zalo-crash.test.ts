/**
 * The Zalo channel killed with SIGKILL (a real child process on the embedded store, the
 * fake Zalo in this process), then started again on the same data directory:
 *
 * - after webhooks were acknowledged and before the replies were sent (Zalo refused the
 *   first attempts with -32, so each reply waits in the outbox): every citizen gets their
 *   reply exactly once after the restart;
 * - between Zalo's answer to a token refresh and the rotation's write: after the restart
 *   the new pair is in use, and the spent refresh token is never presented again (Zalo
 *   would refuse it, and the OA would need an admin's consent again).
 *
 * For the second, the child runs with a preload (NODE_OPTIONS --import, written to a
 * temporary file here) that blocks the process for good when it is about to run the
 * rotation's UPDATE; the test then finds Zalo's answer already stored as pending, and
 * kills the child.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { freePort, healthy, startChildServer } from './support/child-server.js';
import { escapedJson, startFakeZalo, textEvent, zaloSignature, type FakeZalo, zaloEnv } from './support/fake-zalo.js';
import { waitFor } from './support/http.js';

const APP_ID = '4318500000000000002';
const APP_SECRET = 'zalo-app-secret-for-crash-tests';
const OA_SECRET = 'zalo-oa-secret-key-for-crash-tests';
const OA_ID = '5790100000000000002';
const KEY = `zalo:${APP_ID}`;

function crashEnv(fake: FakeZalo, seed: { accessToken: string; refreshToken: string }): Record<string, string> {
  return {
    ...zaloEnv(fake, { appId: APP_ID, appSecret: APP_SECRET, oaSecret: OA_SECRET, oaId: OA_ID, tokenKey: 'channel-token-key-for-crash-tests-0123456789' }, seed),
    INBOUND_RETRY_SECONDS: '2',
  };
}

async function postText(url: string, userId: string, msgId: string, text: string): Promise<number> {
  const event = textEvent({ appId: APP_ID, oaId: OA_ID, userId }, msgId, text);
  const raw = escapedJson(event);
  const res = await fetch(`${url}/zalo/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-zevent-signature': zaloSignature(APP_ID, raw, String(event.timestamp), OA_SECRET) },
    body: raw,
  });
  return res.status;
}

describe('the Zalo channel survives SIGKILL', () => {
  const children: ChildProcess[] = [];
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    while (closers.length) await closers.pop()!();
  });

  const kill = async (child: ChildProcess) => {
    child.kill('SIGKILL');
    await waitFor(() => child.exitCode !== null || child.signalCode !== null, 'child killed');
  };

  it('answers every acknowledged message exactly once when killed before the replies were sent', async () => {
    const fake = await startFakeZalo({ appId: APP_ID, appSecret: APP_SECRET });
    closers.push(fake.close);
    const env = crashEnv(fake, fake.issuePair());
    const dataDir = mkdtempSync(join(tmpdir(), 'ctxh-zalo-crash-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let server = startChildServer(dataDir, port, env);
    children.push(server);
    await waitFor(() => healthy(url), 'server up', 30_000);
    await waitFor(() => fake.refreshCalls().length === 1, 'the first refresh', 10_000);

    // Zalo refuses the first attempt of every reply (-32, rate limit): each reply is stored,
    // acknowledged, and waiting in the outbox for its retry when the process is killed.
    const users = Array.from({ length: 8 }, (_, i) => `83000000000000${String(i).padStart(5, '0')}`);
    fake.failSends(...users.map(() => -32));
    for (const [i, user] of users.entries()) expect(await postText(url, user, `crash-msg-${i}`, 'muc chuan tro giup xa hoi la bao nhieu')).toBe(200);
    {
      const store = openSqliteStore(dataDir);
      try {
        await waitFor(
          async () => {
            for (const user of users) {
              const conversation = await store.conversations.findByAddress({ channel: 'zalo', userId: user, chatId: user });
              const out = conversation ? (await store.messages.listByConversation(conversation.id)).filter((m) => m.direction === 'out') : [];
              if (out.length !== 1 || out[0]!.delivery?.status !== 'queued' || out[0]!.delivery.attempts !== 1) return false;
            }
            return true;
          },
          'every reply stored and waiting for its retry',
          20_000,
        );
      } finally {
        await store.close();
      }
    }
    await kill(server);
    expect(fake.sends()).toHaveLength(0);
    expect(fake.calls.filter((c) => c.error === -32)).toHaveLength(users.length);

    server = startChildServer(dataDir, port, env);
    children.push(server);
    await waitFor(() => healthy(url), 'server up again', 30_000);
    await waitFor(() => users.every((u) => fake.sendsTo(u).length === 1), 'every reply', 20_000);
    const store = openSqliteStore(dataDir);
    closers.push(() => store.close());
    await waitFor(
      async () => (await store.messages.listOutboxDue(new Date(Date.now() + 3_600_000))).length === 0 && (await store.messages.listUnhandledInbound()).length === 0,
      'nothing left to send',
      20_000,
    );
    for (const user of users) {
      expect(fake.sendsTo(user), `replies to ${user}`).toHaveLength(1);
      expect(fake.sendsTo(user)[0]!.body.message.text).toMatch(/500\.000 đồng/);
      const conversation = await store.conversations.findByAddress({ channel: 'zalo', userId: user, chatId: user });
      const out = (await store.messages.listByConversation(conversation!.id)).filter((m) => m.direction === 'out');
      expect(out.map((m) => m.delivery?.status)).toEqual(['sent']);
    }
    expect(fake.reused()).toEqual([]);
  }, 60_000);

  it('keeps the new token pair when killed between Zalo’s refresh answer and the rotation’s write', async () => {
    const fake = await startFakeZalo({ appId: APP_ID, appSecret: APP_SECRET });
    closers.push(fake.close);
    const seed = fake.issuePair();
    const env = crashEnv(fake, seed);
    const dataDir = mkdtempSync(join(tmpdir(), 'ctxh-zalo-token-crash-'));
    const hookDir = mkdtempSync(join(tmpdir(), 'ctxh-zalo-hook-'));
    const marker = join(hookDir, 'held');
    const hook = join(hookDir, 'hold-rotation.mjs');
    // Blocks the process (the whole event loop) just before the rotation's UPDATE runs.
    writeFileSync(
      hook,
      `import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
const require = createRequire(${JSON.stringify(join(process.cwd(), 'package.json'))});
const Database = require('better-sqlite3');
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (sql) {
  const statement = prepare.call(this, sql);
  if (/UPDATE channel_tokens\\s+SET access_token/.test(sql)) {
    const run = statement.run;
    statement.run = function (...args) {
      writeFileSync(${JSON.stringify(marker)}, 'held');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      return run.apply(this, args);
    };
  }
  return statement;
};
`,
    );
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // The seeded access token's expiry is unknown, so the child refreshes at start: R1 → (A2, R2).
    let server = startChildServer(dataDir, port, { ...env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${hook}`.trim() });
    children.push(server);
    await waitFor(() => existsSync(marker), 'the child about to write the rotation', 30_000);
    expect(fake.presented).toEqual([seed.refreshToken]);
    const issued = fake.calls.find((c) => c.path === '/v4/oa/access_token' && c.error === 0);
    expect(issued).toBeDefined();
    {
      // Zalo's answer is in the store, encrypted, as pending; the stored pair is still the spent one.
      const store = openSqliteStore(dataDir);
      const row = await store.channelTokens.get(KEY);
      await store.close();
      expect(row?.version).toBe(1);
      expect(row?.pending).not.toBeNull();
    }
    await kill(server);

    server = startChildServer(dataDir, port, env);
    children.push(server);
    await waitFor(() => healthy(url), 'server up again', 30_000);
    const store = openSqliteStore(dataDir);
    closers.push(() => store.close());
    await waitFor(async () => (await store.channelTokens.get(KEY))?.version === 2, 'the rotation completed');
    expect((await store.channelTokens.get(KEY))?.pending).toBeNull();

    // A citizen writes: the reply goes out with the new access token, without another refresh.
    const user = '8310000000000000001';
    expect(await postText(url, user, 'token-crash-1', 'muc chuan tro giup xa hoi la bao nhieu')).toBe(200);
    const reply = await waitFor(() => fake.sendsTo(user)[0], 'the reply', 20_000);
    expect(fake.isLiveAccess(reply.headers.access_token!)).toBe(true);
    expect(reply.headers.access_token).not.toBe(seed.accessToken);
    expect(fake.presented).toEqual([seed.refreshToken]);

    // When the new access token is refused, the next refresh spends the NEW refresh token.
    fake.expireAccess(reply.headers.access_token!);
    expect(await postText(url, user, 'token-crash-2', 'tro cap nguoi khuyet tat bao nhieu')).toBe(200);
    await waitFor(() => fake.sendsTo(user).length === 2, 'the second reply', 20_000);
    expect(fake.presented).toHaveLength(2);
    expect(fake.presented[1]).not.toBe(seed.refreshToken);
    expect(fake.reused()).toEqual([]);
    expect(fake.refreshCalls().every((c) => c.error === 0)).toBe(true);
    expect(await store.audit.list({ action: 'zalo.token.needs-reconnect' })).toHaveLength(0);
  }, 90_000);
});
