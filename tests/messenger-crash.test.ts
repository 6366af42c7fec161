/**
 * Messenger across a crash: the assistant runs as a real child process (src/server/main.ts)
 * talking to the fake Graph API in this process, and is killed with SIGKILL after Meta's
 * webhooks were acknowledged and before the replies were sent, then started again on the
 * same data directory:
 * - a citizen whose turn was still running (held in a slow LLM call) gets the reply
 *   exactly once, after the restart;
 * - a citizen whose reply was in flight (the fake held Meta's answer) is not sent it a
 *   second time: the call may have arrived, so the message becomes 'unconfirmed';
 * - citizens of a batch acknowledged just before the kill: nobody gets a reply twice.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/types.js';
import { freePort, healthy, startChildServer } from './support/child-server.js';
import { TEST_APP_SECRET, entry, messengerEnv, pageEvent, postWebhook, startFakeMessenger, textItem } from './support/fake-messenger.js';
import { startFakeLlm } from './support/fake-llm.js';
import { waitFor } from './support/http.js';

describe('Messenger survives a crash', () => {
  const children: ChildProcess[] = [];
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    while (closers.length) await closers.pop()!();
  });

  it('answers each acknowledged message once after SIGKILL and a restart on the same data directory', { timeout: 90_000 }, async () => {
    const fake = await startFakeMessenger({ appSecret: TEST_APP_SECRET });
    closers.push(fake.close);
    // The model holds its answers: a turn is in progress at the kill.
    const llm = await startFakeLlm();
    llm.hold();
    closers.push(llm.close);
    const dataDir = mkdtempSync(join(tmpdir(), 'ctxh-messenger-crash-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = messengerEnv(fake, { INBOUND_RETRY_SECONDS: '1', OPENAI_BASE_URL: llm.baseUrl, LLM_MODEL: 'held' });
    const start = () => {
      const child = startChildServer(dataDir, port, env);
      children.push(child);
      return child;
    };

    let server = start();
    await waitFor(() => healthy(url), 'server up', 30_000);
    fake.hold();

    // In flight: the reply's Send API call reached Meta, whose answer never comes back.
    const inFlight = '24000000000000901';
    expect((await postWebhook(url, pageEvent(entry([textItem(inFlight, 'm_c1', 'xin chào')])))).status).toBe(200);
    await waitFor(() => fake.attemptsTo(inFlight).length === 1, 'the send in flight');

    // Mid-turn: acknowledged, stored, and the turn is waiting for the model.
    const midTurn = '24000000000000902';
    expect((await postWebhook(url, pageEvent(entry([textItem(midTurn, 'm_c2', 'tro cap nguoi khuyet tat bao nhieu')])))).status).toBe(200);
    await waitFor(() => llm.requests() >= 1, 'the turn in its model call');
    expect(fake.attemptsTo(midTurn)).toHaveLength(0);

    // A batch acknowledged right before the kill.
    const batch = Array.from({ length: 12 }, (_, i) => `2400000000000095${String(i).padStart(2, '0')}`);
    expect((await postWebhook(url, pageEvent(entry(batch.map((p, i) => textItem(p, `m_b${i}`, 'xin chào')))))).status).toBe(200);
    server.kill('SIGKILL');
    await waitFor(() => server.exitCode !== null || server.signalCode !== null, 'server killed');

    // Meta and the model answer normally again; the process starts on the same files.
    fake.release();
    llm.release();
    server = start();
    await waitFor(() => healthy(url), 'server up again', 30_000);

    await waitFor(() => fake.sendsTo(midTurn).length >= 1, 'the reply to the message whose turn was cut', 20_000);
    expect(fake.sendsTo(midTurn)[0]!.body.message.text).toMatch(/khuyết tật/);

    // Read the store beside the running server (SQLite in WAL mode allows it).
    const store: Store = openSqliteStore(dataDir);
    closers.push(() => store.close());
    const conversationOf = (psid: string) => store.conversations.findByAddress({ channel: 'messenger', userId: psid, chatId: psid });
    const outboundOf = async (psid: string) => {
      const c = await conversationOf(psid);
      return c ? (await store.messages.listByConversation(c.id)).filter((m) => m.direction === 'out') : [];
    };
    const settled = async (psid: string) => {
      const c = await conversationOf(psid);
      if (!c) return false;
      const messages = await store.messages.listByConversation(c.id);
      const inbound = messages.filter((m) => m.direction === 'in');
      const outbound = messages.filter((m) => m.direction === 'out');
      return inbound.every((m) => m.handledAt) && outbound.length > 0 && outbound.every((m) => ['sent', 'failed', 'unconfirmed'].includes(m.delivery!.status));
    };
    // The in-flight send stays unsent until the dead process's lease on the conversation runs out (30 s).
    await waitFor(async () => (await settled(inFlight)) && (await Promise.all(batch.map(settled))).every(Boolean) && (await settled(midTurn)), 'every conversation settled', 45_000);

    // Mid-turn: answered once, after the restart.
    expect(fake.sendsTo(midTurn)).toHaveLength(1);
    expect((await outboundOf(midTurn)).map((m) => m.delivery!.status)).toEqual(['sent']);
    // In flight: the one call Meta got, not repeated.
    expect(fake.attemptsTo(inFlight)).toHaveLength(1);
    expect((await outboundOf(inFlight)).map((m) => m.delivery!.status)).toEqual(['unconfirmed']);
    // The batch: nobody twice; whoever got nothing has an 'unconfirmed' reply (the process died in its call).
    for (const psid of batch) {
      const outbound = await outboundOf(psid);
      expect(outbound).toHaveLength(1);
      expect(fake.attemptsTo(psid).length).toBeLessThanOrEqual(1);
      if (fake.attemptsTo(psid).length === 0) expect(outbound[0]!.delivery!.status).toBe('unconfirmed');
    }
    expect(await store.messages.listUnhandledInbound()).toEqual([]);

    // The channel keeps working for the citizen whose reply was in doubt.
    expect((await postWebhook(url, pageEvent(entry([textItem(inFlight, 'm_c3', 'muc chuan tro giup xa hoi hien nay la bao nhieu')])))).status).toBe(200);
    await waitFor(() => fake.sendsTo(inFlight).length === 2, 'the next reply');
    expect(fake.sendsTo(inFlight)[1]!.body.message.text).toMatch(/500\.000 đồng/);
  });
});
