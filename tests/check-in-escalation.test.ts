/**
 * A check-in the citizen leaves unanswered becomes urgent after CHECK_IN_ESCALATE_SECONDS,
 * once, and the citizen is told on their own channel (web chat, real server and client,
 * a clock the test moves).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { HANDOFF_PRIORITY } from '../src/store/types.js';
import { startAssistant } from './support/assistant.js';
import { startFakeTelegram, textUpdate } from './support/fake-telegram.js';
import { waitFor } from './support/http.js';
import { WebCitizen } from './support/urgent-scenarios.js';

let clock = Date.now();
const running = await startAssistant({ CHECK_IN_ESCALATE_SECONDS: '60' }, { now: () => new Date(clock) });
afterAll(() => running.close());

describe('an unanswered check-in', () => {
  it('becomes urgent once, at the head of the queue, and the citizen is told', async () => {
    const citizen = await WebCitizen.open(running.url);
    try {
      expect(await citizen.say('dạo này em thấy cái gì cũng vô ích')).toMatch(/nguy hiểm|tự làm hại/);
      const { store } = running.assistant;
      const conversation = await waitFor(() => store.conversations.findByAddress({ channel: 'webchat', chatId: citizen.conversationId, userId: citizen.userId }), 'conversation');
      expect(conversation.risk?.level).toBe('check-in');

      expect(await running.assistant.escalateCheckIns()).toBe(0);
      clock += 61_000;
      const before = citizen.botTexts.length;
      expect(await running.assistant.escalateCheckIns()).toBe(1);
      const told = await waitFor(() => citizen.botTexts[before], 'the escalation message');
      expect(told).toMatch(/đã báo tư vấn viên/);
      expect((await store.conversations.get(conversation.id))?.risk?.level).toBe('urgent');
      expect(await store.tickets.findOpenByConversation(conversation.id)).toMatchObject({ priority: HANDOFF_PRIORITY.urgent });
      // Stored like every reply, and only once.
      clock += 61_000;
      expect(await running.assistant.escalateCheckIns()).toBe(0);
      const outbound = (await store.messages.listByConversation(conversation.id)).filter((m) => m.direction === 'out' && /đã báo tư vấn viên/.test(m.text));
      expect(outbound).toHaveLength(1);
    } finally {
      citizen.close();
    }
  });

  it('tells a Telegram citizen through the Bot API', async () => {
    const token = '123456:TEST-token_for-fake';
    const secret = 'webhook-secret-0123456789';
    const fake = await startFakeTelegram(token);
    let tgClock = Date.now();
    const tg = await startAssistant(
      { CHECK_IN_ESCALATE_SECONDS: '60', TELEGRAM_BOT_TOKEN: token, TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: secret, TELEGRAM_API_ROOT: fake.apiRoot },
      { now: () => new Date(tgClock) },
    );
    try {
      const res = await fetch(`${tg.url}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
        body: JSON.stringify(textUpdate(7001, 556677, 1, 'dạo này em thấy cái gì cũng vô ích')),
      });
      expect(res.status).toBe(200);
      await waitFor(() => fake.sends().length === 1, 'the check-in question');
      await tg.assistant.runner.idle();
      tgClock += 61_000;
      expect(await tg.assistant.escalateCheckIns()).toBe(1);
      const told = await waitFor(() => fake.sends()[1], 'the escalation message');
      expect(String(told.body.chat_id)).toBe('556677');
      expect(told.body.text).toMatch(/đã báo tư vấn viên/);
    } finally {
      await tg.close();
      await fake.close();
    }
  });
});
