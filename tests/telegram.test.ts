import { afterEach, describe, expect, it } from 'vitest';
import { startAssistant } from './support/assistant.js';
import { startFakeTelegram, textUpdate } from './support/fake-telegram.js';
import { waitFor } from './support/http.js';

const TOKEN = '123456:TEST-token_for-fake';
const SECRET = 'webhook-secret-0123456789';

describe('Telegram channel', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  async function setup(mode: 'webhook' | 'polling', extra: Record<string, string> = {}) {
    const fake = await startFakeTelegram(TOKEN);
    cleanups.push(fake.close);
    const running = await startAssistant({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_MODE: mode,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: fake.apiRoot,
      ...extra,
    });
    cleanups.unshift(running.close);
    return { fake, ...running };
  }

  const post = (url: string, body: unknown, secret?: string) =>
    fetch(`${url}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
      body: JSON.stringify(body),
    });

  it('answers a webhook update once, even when Telegram delivers it twice', async () => {
    const { fake, url, assistant } = await setup('webhook');
    const update = textUpdate(501, 777001, 11, 'tro cap nguoi khuyet tat bao nhieu');
    expect((await post(url, update, SECRET)).status).toBe(200);
    await waitFor(() => fake.sends().length === 1, 'first reply');
    expect((await post(url, update, SECRET)).status).toBe(200);
    await assistant.runner.idle();
    // Every webhook stores (or refuses) before it answers: once the turns and sends started so far are done, nothing more can come.
    await assistant.runner.idle();
    await assistant.outbox.idle();
    expect(fake.sends()).toHaveLength(1);

    const [send] = fake.sends();
    expect(String(send!.body.chat_id)).toBe("777001");
    expect(send!.body.text).toMatch(/khuyết tật/);
    expect(send!.body.text).toMatch(/Nguồn: .*(Nghị định|Luật)/);
    // Quick replies arrive as a one-time reply keyboard.
    expect(send!.body.reply_markup.keyboard.flat().map((b: { text: string }) => b.text)).toContain('Gặp tư vấn viên');

    const conversation = await assistant.store.conversations.findByAddress({ channel: 'telegram', userId: '777001', chatId: '777001' });
    const messages = await assistant.store.messages.listByConversation(conversation!.id);
    expect(messages.filter((m) => m.direction === 'in')).toHaveLength(1);
    expect(messages.filter((m) => m.direction === 'out')).toHaveLength(1);
    expect(messages[0]!.handledAt).not.toBeNull();
  });

  it('asks for text when a citizen sends a photo or voice message, and ignores group chats', async () => {
    const { fake, url, assistant } = await setup('webhook');
    const photo = {
      update_id: 610,
      message: { message_id: 41, date: 1795300000, chat: { id: 777010, type: 'private' }, from: { id: 777010, is_bot: false, first_name: 'Lan' }, photo: [{ file_id: 'f', file_unique_id: 'u', width: 1, height: 1 }] },
    };
    expect((await post(url, photo, SECRET)).status).toBe(200);
    const reply = await waitFor(() => fake.sends().find((c) => String(c.body.chat_id) === '777010'), 'reply to a photo');
    expect(reply.body.text).toMatch(/chưa xem được ảnh/);
    const voice = { update_id: 612, message: { message_id: 43, date: 1795300000, chat: { id: 777012, type: 'private' }, from: { id: 777012, is_bot: false, first_name: 'Ba' }, voice: { file_id: 'v1', file_unique_id: 'uv', duration: 3, mime_type: 'audio/ogg' } } };
    expect((await post(url, voice, SECRET)).status).toBe(200);
    const told = await waitFor(() => fake.sends().find((c) => String(c.body.chat_id) === '777012'), 'reply to a voice note');
    expect(told.body.text).toMatch(/chưa nghe được tin nhắn thoại/);
    expect(told.body.reply_markup.keyboard.flat().map((b: { text: string }) => b.text)).toContain('Gặp tư vấn viên');
    const group = { update_id: 611, message: { message_id: 42, date: 1795300000, chat: { id: -100, type: 'group', title: 'Nhóm' }, from: { id: 777011, is_bot: false, first_name: 'An' }, text: 'tro cap nguoi gia' } };
    expect((await post(url, group, SECRET)).status).toBe(200);
    // Every webhook stores (or refuses) before it answers: once the turns and sends started so far are done, nothing more can come.
    await assistant.runner.idle();
    await assistant.outbox.idle();
    expect(fake.sends().filter((c) => String(c.body.chat_id) === '-100')).toHaveLength(0);
  });

  it('rejects a webhook without the right secret token and stores nothing', async () => {
    const { fake, url, assistant } = await setup('webhook');
    const update = textUpdate(502, 777002, 12, 'xin chao');
    expect((await post(url, update, 'wrong-secret-0000000000')).status).toBe(403);
    expect((await post(url, update)).status).toBe(403);
    // Every webhook stores (or refuses) before it answers: once the turns and sends started so far are done, nothing more can come.
    await assistant.runner.idle();
    await assistant.outbox.idle();
    expect(fake.sends()).toHaveLength(0);
    expect(await assistant.store.conversations.findByAddress({ channel: 'telegram', userId: '777002', chatId: '777002' })).toBeNull();
  });

  it('answers by long polling when the centre has no public HTTPS', async () => {
    const { fake } = await setup('polling');
    fake.queueUpdate(textUpdate(900, 777003, 21, 'muc chuan tro giup xa hoi hien nay la bao nhieu'));
    const send = await waitFor(() => fake.sends()[0], 'reply by polling');
    expect(String(send.body.chat_id)).toBe("777003");
    expect(send.body.text).toMatch(/500\.000 đồng/);
  });

  it('keeps a reply whose send failed and sends it once when Telegram takes it again', async () => {
    const { fake, url, assistant } = await setup('webhook', { INBOUND_RETRY_SECONDS: '1' });
    fake.failSends(1);
    expect((await post(url, textUpdate(503, 777004, 31, 'tro cap nguoi gia 80 tuoi'), SECRET)).status).toBe(200);
    await waitFor(() => fake.calls.some((c) => c.method === 'sendMessage' && c.failed), 'failed send');
    // The turn is done (its reply is stored); the outbox owns the reply now.
    await assistant.runner.idle();
    expect(await assistant.store.messages.listUnhandledInbound()).toHaveLength(0);
    const sent = await waitFor(() => fake.sends().find((c) => String(c.body.chat_id) === '777004'), 'retried reply', 5_000);
    expect(sent.body.text).toMatch(/Nguồn: /);
    await assistant.outbox.drainDue();
    expect(fake.sends().filter((c) => String(c.body.chat_id) === '777004')).toHaveLength(1);
  });

  it('answers a message left by a process that died, once, when two instances recover it', async () => {
    const { fake, dataDir, assistant, close } = await setup('webhook', { INBOUND_RETRY_SECONDS: '1' });
    // A process stored the message and died before answering it.
    const accepted = await assistant.runner.accept('telegram', {
      type: 'message',
      id: '777005:51',
      channelId: 'telegram',
      from: { id: '777005', name: 'Lan' },
      recipient: { id: '4242', name: 'bot' },
      conversation: { id: '777005', isGroup: false, conversationType: 'personal', name: '' },
      text: 'muc chuan tro giup xa hoi',
    });
    expect(accepted).not.toBeNull();
    cleanups.shift();
    await close();
    await new Promise((r) => setTimeout(r, 1100));

    const env = { DATA_DIR: dataDir, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake.apiRoot, INBOUND_RETRY_SECONDS: '30' };
    const [a, b] = await Promise.all([startAssistant(env), startAssistant(env)]);
    cleanups.unshift(a.close, b.close);
    await Promise.all([a.assistant.runner.idle(), b.assistant.runner.idle()]);
    await waitFor(() => fake.sends().some((c) => String(c.body.chat_id) === '777005'), 'the reply');
    await Promise.all([a.assistant.outbox.drainDue(), b.assistant.outbox.drainDue()]);
    const replies = fake.sends().filter((c) => String(c.body.chat_id) === '777005');
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body.text).toMatch(/500\.000 đồng/);
  });
});
