/**
 * The same intake over Telegram: signed webhook updates into the real server, replies
 * through a local fake of the Bot API, the case in the real SQLite file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startAssistant } from './support/assistant.js';
import { startFakeTelegram, textUpdate } from './support/fake-telegram.js';
import { waitFor } from './support/http.js';
import { NO_DIACRITICS_INTAKE } from './support/intake-scenarios.js';

const TOKEN = '123456:TEST-token_for-fake';
const SECRET = 'webhook-secret-0123456789';
const CHAT = 778899;

describe('guided intake over Telegram', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  it('completes an intake typed without diacritics with an old province name', async () => {
    const fake = await startFakeTelegram(TOKEN);
    cleanups.push(fake.close);
    const running = await startAssistant({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake.apiRoot });
    cleanups.push(running.close);

    let update = 9000;
    /** Sends one citizen message and returns the bot's reply to it. */
    const say = async (text: string) => {
      const before = fake.sends().length;
      update++;
      const res = await fetch(`${running.url}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify(textUpdate(update, CHAT, update, text)),
      });
      expect(res.status).toBe(200);
      await waitFor(() => fake.sends().length > before, `reply to "${text}"`);
      await running.assistant.runner.idle();
      return fake.sends()[before]!.body;
    };

    const consent = await say(NO_DIACRITICS_INTAKE[0]);
    expect(consent.text).toMatch(/đồng ý/);
    // Quick replies arrive as Telegram reply-keyboard buttons.
    expect(consent.reply_markup.keyboard.flat().map((b: { text: string }) => b.text)).toEqual(['Đồng ý', 'Không đồng ý', 'Xem thêm']);
    const replies = [consent];
    for (const text of NO_DIACRITICS_INTAKE.slice(1)) replies.push(await say(text));
    expect(replies[6]!.text).toMatch(/Phường Hội An.*Đà Nẵng/);
    const done = await say('gui phieu');
    const code = /CTXH-\d{4}-\d{6}/.exec(done.text)?.[0];
    expect(code, done.text).toBeTruthy();

    const stored = await running.assistant.store.cases.getByCode(code!);
    expect(stored).toMatchObject({ channel: 'telegram', citizenKey: `telegram:${CHAT}`, provinceCode: '48', phone: '+84905123456', age: 82 });
    expect(stored!.communeCode).toMatch(/^\d{5}$/);
  });
});
