/**
 * Counsellors reach citizens on the citizen's own channel, and danger outside office
 * hours reaches the on-call person: real assistant, real HTTP, the fake Telegram Bot API
 * (tests/support/fake-telegram.ts) standing in for Telegram.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { HANDOFF_PRIORITY } from '../src/store/types.js';
import { startAssistant } from './support/assistant.js';
import { addStaff, ConsoleClient } from './support/console-client.js';
import { startFakeTelegram, textUpdate } from './support/fake-telegram.js';
import { waitFor } from './support/http.js';
import { WebCitizen } from './support/urgent-scenarios.js';

const TOKEN = '123456:TEST-token_for-fake';
const SECRET = 'webhook-secret-0123456789';
const fake = await startFakeTelegram(TOKEN);
afterAll(() => fake.close());

const telegramEnv = { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake.apiRoot, CONSOLE_SECURE_COOKIES: 'false' };

async function telegramSays(url: string, update: Record<string, unknown>) {
  const res = await fetch(`${url}/telegram/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    body: JSON.stringify(update),
  });
  expect(res.status).toBe(200);
}

describe("a counsellor's reply to a Telegram citizen", () => {
  it('arrives at the Bot API in the citizen’s chat, after the message saying who is helping', async () => {
    const running = await startAssistant(telegramEnv);
    try {
      const { store } = running.assistant;
      const lan = await addStaff(store, { username: 'lan', displayName: 'Chị Lan' });
      const chatId = 880011;
      await telegramSays(running.url, textUpdate(9001, chatId, 1, 'cho tôi gặp tư vấn viên'));
      const conversation = await waitFor(() => store.conversations.findByAddress({ channel: 'telegram', chatId: String(chatId), userId: String(chatId) }), 'conversation');
      const ticket = await waitFor(() => store.tickets.findOpenByConversation(conversation.id), 'ticket');
      expect(ticket).toMatchObject({ status: 'waiting', reason: 'citizen-asked', channel: 'telegram' });

      const console = await ConsoleClient.login(running.url, 'lan');
      expect((await console.post(`/tickets/${ticket.id}/claim`)).status).toBe(200);
      await waitFor(() => fake.sends().find((c) => Number(c.body.chat_id) === chatId && /mình là Chị Lan/.test(c.body.text)), 'who is helping');

      const answer = await console.post(`/tickets/${ticket.id}/reply`, { text: 'Chị đọc tin nhắn rồi, em kể chị nghe chuyện gì nhé.' });
      expect(answer.status).toBe(200);
      const sent = await waitFor(() => fake.sends().find((c) => c.body.text === 'Chị đọc tin nhắn rồi, em kể chị nghe chuyện gì nhé.'), 'the counsellor reply');
      expect(Number(sent.body.chat_id)).toBe(chatId);
      // Stored first, as the counsellor's message; the first response is recorded.
      const stored = (await store.messages.listByConversation(conversation.id)).filter((m) => m.direction === 'out');
      expect(stored.at(-1)).toMatchObject({ text: 'Chị đọc tin nhắn rồi, em kể chị nghe chuyện gì nhé.' });
      expect((stored.at(-1)!.activity as any).from).toMatchObject({ id: `staff:${lan.id}`, name: 'Chị Lan' });
      expect((await store.tickets.get(ticket.id))?.firstResponseAt).toBeInstanceOf(Date);

      // While the counsellor holds it, the bot stays silent: the citizen's next message only goes to the console.
      const before = fake.sends().length;
      await telegramSays(running.url, textUpdate(9002, chatId, 2, 'trợ cấp người khuyết tật bao nhiêu'));
      await waitFor(async () => (await store.messages.listByConversation(conversation.id)).some((m) => m.text === 'trợ cấp người khuyết tật bao nhiêu' && m.handledAt), 'the message handled');
      expect(fake.sends().length).toBe(before);

      // A photo the citizen sends shows in the console with a link the server serves (the platform's link would hold the token).
      await telegramSays(running.url, { update_id: 9003, message: { message_id: 3, date: 1795300000, chat: { id: chatId, type: 'private' }, from: { id: chatId, is_bot: false, first_name: 'Lan' }, photo: [{ file_id: 'small', file_unique_id: 'a', width: 90, height: 90 }, { file_id: 'big', file_unique_id: 'b', width: 800, height: 800 }] } });
      const line = await waitFor(async () => (await console.get(`/tickets/${ticket.id}`)).body.transcript.find((l: any) => l.attachments?.length), 'the photo in the console');
      expect(line.attachments[0]).toMatchObject({ kind: 'image/jpeg', url: expect.stringMatching(/^\/console\/api\/conversations\/.+\/media\/.+\/0$/) });
      const file = await fetch(`${running.url}${line.attachments[0].url}`, { headers: { cookie: (console as any).cookie } });
      expect(file.status).toBe(200);
      expect(await file.text()).toBe('FILE:big.bin');
      expect(JSON.stringify(line)).not.toContain(TOKEN);
      expect(fake.sends().length).toBe(before);
    } finally {
      await running.close();
    }
  });
});

describe('outside office hours', () => {
  it('an urgent message reaches the on-call Telegram chat, without what the citizen wrote', async () => {
    // Sunday 29/11/2026, 22:00 in Vietnam: the centre is closed.
    const sundayNight = new Date('2026-11-29T15:00:00Z');
    let clock = sundayNight.getTime();
    const running = await startAssistant(
      { ...telegramEnv, OFFICE_HOURS: 'T2-T6 07:30-11:30,13:30-17:00', ONCALL_TELEGRAM_CHAT_ID: '-1001234567', PUBLIC_URL: 'https://ctxh.example.vn' },
      { now: () => new Date(clock++) },
    );
    const citizen = await WebCitizen.open(running.url);
    try {
      const reply = await citizen.say('chồng em say rượu đang cầm dao đòi giết em, em trốn trong nhà tắm');
      expect(reply).toMatch(/113/);
      const alert = await waitFor(() => fake.sends().find((c) => c.body.chat_id === '-1001234567' || Number(c.body.chat_id) === -1001234567), 'the on-call alert');
      expect(alert.body.text).toMatch(/KHẨN CẤP: bạo lực/);
      expect(alert.body.text).toMatch(/https:\/\/ctxh\.example\.vn\/console\/#\/ticket\//);
      expect(alert.body.text).not.toMatch(/dao|chồng|nhà tắm/);
      const { store } = running.assistant;
      const conversation = await waitFor(() => store.conversations.findByAddress({ channel: 'webchat', chatId: citizen.conversationId, userId: citizen.userId }), 'conversation');
      const ticket = await store.tickets.findOpenByConversation(conversation.id);
      expect(ticket).toMatchObject({ priority: HANDOFF_PRIORITY.urgent, riskCategory: 'bao-luc' });
      await waitFor(async () => (await store.audit.list({ subject: conversation.id, action: 'oncall.notified' })).length === 1, 'the alert audited');
    } finally {
      citizen.close();
      await running.close();
    }
  });

  it('a citizen asking for a counsellor hears when the centre will answer', async () => {
    let clock = new Date('2026-11-29T15:00:00Z').getTime();
    const running = await startAssistant({ OFFICE_HOURS: 'T2-T6 07:30-11:30,13:30-17:00' }, { now: () => new Date(clock++) });
    const citizen = await WebCitizen.open(running.url);
    try {
      await citizen.say('cho tôi gặp tư vấn viên');
      const told = await waitFor(() => citizen.botTexts.find((t) => /ngoài giờ làm việc/.test(t)), 'office hours message');
      expect(told).toMatch(/7 giờ 30 sáng mai/);
    } finally {
      citizen.close();
      await running.close();
    }
  });
});
