/**
 * Delivery that loses nothing and repeats nothing, on Telegram (real assistant, real
 * SQLite file, the fake Bot API): a rate-limited reply is sent once, after retry_after,
 * and before the replies that follow it; a citizen who blocked the bot is a permanent
 * failure, recorded once and never retried, while newer messages still go out; a turn
 * slower than its claim runs once; a failed getMe does not break later updates; a webhook
 * body of null is refused; and no log line carries a chat id, a reply or the token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startAssistant } from './support/assistant.js';
import { capturedLog } from './support/captured-log.js';
import { startFakeLlm } from './support/fake-llm.js';
import { addStaff, ConsoleClient } from './support/console-client.js';
import { startFakeTelegram, textUpdate } from './support/fake-telegram.js';
import { waitFor } from './support/http.js';

const TOKEN = '123456:TEST-token_for-fake';
const SECRET = 'webhook-secret-0123456789';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(extra: Record<string, string> = {}, options: Parameters<typeof startAssistant>[1] = {}) {
  const fake = await startFakeTelegram(TOKEN);
  cleanups.push(fake.close);
  const running = await startAssistant(
    { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake.apiRoot, ...extra },
    options,
  );
  cleanups.push(running.close);
  const post = (body: unknown) =>
    fetch(`${running.url}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(body),
    });
  return { fake, post, ...running };
}

const sendsTo = (fake: Awaited<ReturnType<typeof startFakeTelegram>>, chatId: number) => fake.sends().filter((c) => Number(c.body.chat_id) === chatId);

describe('the outbox on Telegram', () => {
  it('sends a rate-limited reply once, after retry_after, and before the replies that follow it', async () => {
    const { fake, post, assistant } = await setup();
    fake.failSends(1);
    const chat = 880101;
    expect((await post(textUpdate(7101, chat, 1, 'tro cap nguoi khuyet tat bao nhieu'))).status).toBe(200);
    expect((await post(textUpdate(7102, chat, 2, 'muc chuan tro giup xa hoi la bao nhieu'))).status).toBe(200);
    await waitFor(() => sendsTo(fake, chat).length === 2, 'both replies', 10_000);
    const [first, second] = sendsTo(fake, chat);
    expect(first!.body.text).toMatch(/khuyết tật/);
    expect(second!.body.text).toMatch(/500\.000 đồng/);
    // One refused call (429), then each reply once.
    expect(fake.calls.filter((c) => c.method === 'sendMessage' && c.failed)).toHaveLength(1);
    const conversation = await assistant.store.conversations.findByAddress({ channel: 'telegram', userId: String(chat), chatId: String(chat) });
    // The fake has both calls; the outbox records each as sent once Telegram's answer is back.
    const outbound = await waitFor(async () => {
      const out = (await assistant.store.messages.listByConversation(conversation!.id)).filter((m) => m.direction === 'out');
      return out.every((m) => m.delivery?.status === 'sent') ? out : null;
    }, 'both recorded as sent');
    expect(outbound.map((m) => m.delivery?.status)).toEqual(['sent', 'sent']);
    expect(outbound[0]!.delivery).toMatchObject({ attempts: 2, error: 'rate-limited' });
    expect(outbound[0]!.platformMessageId).toMatch(/^880101:\d+$/);
  });

  it('records a citizen who blocked the bot once, never retries, and still answers newer messages', async () => {
    const { fake, post, assistant, url } = await setup({ INBOUND_RETRY_SECONDS: '1', CONSOLE_SECURE_COOKIES: 'false' });
    const blockedChat = 880201;
    fake.blockChat(blockedChat);
    expect((await post(textUpdate(7201, blockedChat, 1, 'tro cap nguoi gia bao nhieu'))).status).toBe(200);
    const { store } = assistant;
    const conversation = await waitFor(() => store.conversations.findByAddress({ channel: 'telegram', userId: String(blockedChat), chatId: String(blockedChat) }), 'conversation');
    await waitFor(async () => (await store.conversations.get(conversation.id))?.undeliverable, 'marked undeliverable');
    expect((await store.conversations.get(conversation.id))?.undeliverable?.reason).toBe('blocked');
    const [reply] = (await store.messages.listByConversation(conversation.id)).filter((m) => m.direction === 'out');
    expect(reply!.delivery).toMatchObject({ status: 'failed', error: 'blocked', attempts: 1 });
    expect(await store.messages.listUnhandledInbound()).toEqual([]);

    // Newer citizens are answered while the blocked one stays failed: three more outbox passes, no new call for it.
    const other = 880202;
    expect((await post(textUpdate(7202, other, 1, 'tro cap nguoi khuyet tat bao nhieu'))).status).toBe(200);
    await waitFor(() => sendsTo(fake, other).length === 1, 'the other citizen answered');
    for (let i = 0; i < 3; i++) await assistant.outbox.drainDue();
    expect(fake.calls.filter((c) => c.method === 'sendMessage' && Number(c.body.chat_id) === blockedChat)).toHaveLength(1);
    expect((await store.audit.list({ subject: conversation.id, action: 'outbox.failed' }))).toHaveLength(1);

    // Counsellors see it: the conversation is marked, the reply shows why it did not go.
    await addStaff(store, { username: 'lan', role: 'supervisor' });
    const asLan = await ConsoleClient.login(url, 'lan');
    const detail = (await asLan.get(`/conversations/${conversation.id}`)).body;
    expect(detail.conversation.undeliverable).toMatchObject({ reason: 'blocked' });
    expect(detail.transcript.find((l: any) => l.kind === 'bot').delivery).toEqual({ status: 'failed', error: 'blocked' });
  });

  it('runs a turn slower than its claim once', async () => {
    // An OpenAI-compatible model that takes 2.5 s to answer: the turn outlives a 1 s claim.
    const llm = await startFakeLlm({ delayMs: 2500 });
    cleanups.push(llm.close);
    const { fake, post, assistant } = await setup({ INBOUND_RETRY_SECONDS: '1', OPENAI_BASE_URL: llm.baseUrl, LLM_MODEL: 'slow' });
    const chat = 880301;
    expect((await post(textUpdate(7301, chat, 1, 'tro cap nguoi khuyet tat bao nhieu'))).status).toBe(200);
    await waitFor(() => sendsTo(fake, chat).length === 1, 'the reply', 15_000);
    await assistant.runner.recover();
    await assistant.runner.idle();
    await assistant.outbox.drainDue();
    expect(sendsTo(fake, chat)).toHaveLength(1);
    expect(llm.requests()).toBe(1);
  });

  it('answers updates after a failed getMe, and refuses a body of null', async () => {
    const { fake, post } = await setup();
    fake.failGetMe(1);
    const update = textUpdate(7401, 880401, 1, 'tro cap nguoi khuyet tat bao nhieu');
    // Telegram is told to deliver again (nothing stored), and the next delivery works.
    expect((await post(update)).status).toBe(503);
    expect((await post(update)).status).toBe(200);
    expect((await post(textUpdate(7402, 880402, 1, 'muc chuan tro giup xa hoi'))).status).toBe(200);
    await waitFor(() => sendsTo(fake, 880401).length === 1 && sendsTo(fake, 880402).length === 1, 'both answered');
    expect((await post(null)).status).toBe(400);
    expect((await post([1, 2])).status).toBe(400);
  });

  it('writes no chat id, reply text or token into the logs, even when sends fail', async () => {
    const { log, lines } = capturedLog();
    const { fake, post } = await setup({}, { log });
    const chat = 880501;
    fake.blockChat(chat);
    fake.failGetMe(1);
    await post(textUpdate(7500, chat, 1, 'tro cap nguoi khuyet tat bao nhieu'));
    expect((await post(textUpdate(7501, chat, 1, 'tro cap nguoi khuyet tat bao nhieu'))).status).toBe(200);
    await waitFor(() => lines.some((l) => l.includes('outbox.failed')), 'the failure logged');
    const all = lines.join('\n');
    expect(all).not.toContain(String(chat));
    expect(all).not.toContain('khuyết tật');
    expect(all).not.toContain('khuyet tat');
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(TOKEN.split(':')[1]!);
  });
});
