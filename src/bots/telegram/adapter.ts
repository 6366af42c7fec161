import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Activity, ResourceResponse, TurnContext } from 'botbuilder';
import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Logger } from 'pino';
import { ChannelAdapter, choicesOf } from '../channel-adapter.js';
import { splitText } from '../split-text.js';
import type { TurnRunner } from '../turn-runner.js';

/** Telegram's limit on one message, after entity parsing. */
const MAX_TEXT = 4096;

/**
 * Telegram through telegraf: webhook mode (secret-token header checked by telegraf)
 * or long polling, chosen by configuration. Quick replies become a one-time reply
 * keyboard, so a tap sends the choice back as ordinary text.
 */
export class TelegramAdapter extends ChannelAdapter {
  readonly channel = 'telegram' as const;
  readonly telegraf: Telegraf;

  constructor(
    private readonly opts: { token: string; apiRoot: string; runner: TurnRunner; log: Logger },
  ) {
    super();
    this.telegraf = new Telegraf(opts.token, { telegram: { apiRoot: opts.apiRoot, webhookReply: false } });
    this.telegraf.on('message', async (ctx) => {
      const activity = telegramUpdateToActivity(ctx.update, ctx.botInfo?.id);
      if (!activity) return;
      // Store first; telegraf answers the webhook when this returns, before the turn runs.
      const accepted = await opts.runner.accept('telegram', activity);
      if (accepted) void opts.runner.run(accepted);
    });
    this.telegraf.catch((err) => opts.log.error({ err }, 'telegram update failed'));
  }

  /** Express handler for webhook mode; rejects a wrong X-Telegram-Bot-Api-Secret-Token with 403. */
  webhookHandler(path: string, secretToken: string) {
    const callback = this.telegraf.webhookCallback(path, { secretToken });
    // telegraf hands a rejected request to `next`; under express that would be a 404.
    return (req: IncomingMessage, res: ServerResponse) =>
      callback(req, res, () => {
        res.statusCode = 403;
        res.end();
      });
  }

  /** Long polling for a centre without public HTTPS; resolves once polling has started. */
  async startPolling(): Promise<void> {
    // telegraf's launch() resolves only when polling stops, so do not await it.
    void this.telegraf.launch({ dropPendingUpdates: false }).catch((err) => {
      this.opts.log.error({ err }, 'telegram polling stopped');
    });
  }

  stop(): void {
    try {
      this.telegraf.stop('shutdown');
    } catch {
      // not polling: nothing to stop
    }
  }

  override async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const out: ResourceResponse[] = [];
    for (const a of activities) {
      if (a.type !== 'message') {
        out.push({ id: '' });
        continue;
      }
      const chatId = String(a.conversation?.id);
      const choices = choicesOf(a);
      const reply_markup = choices.length
        ? { keyboard: choices.map((c) => [{ text: c }]), one_time_keyboard: true, resize_keyboard: true }
        : { remove_keyboard: true as const };
      // The keyboard goes with the last part, where the citizen's eyes end up.
      const parts = splitText(a.text ?? '', MAX_TEXT);
      let last = '';
      for (const [i, part] of parts.entries()) {
        const sent = await this.telegraf.telegram.sendMessage(chatId, part, i === parts.length - 1 ? { reply_markup } : {});
        last = `${sent.chat.id}:${sent.message_id}`;
      }
      out.push({ id: last });
    }
    return out;
  }
}

/**
 * An Activity for a Telegram message update; null for updates the bot does not act on.
 * The id is chat:message, unique per bot, so a redelivered update is stored once.
 */
export function telegramUpdateToActivity(update: Update, botId?: number): Partial<Activity> | null {
  if (!('message' in update) || !update.message) return null;
  const m = update.message;
  if (m.chat.type !== 'private') return null;
  const text = 'text' in m ? m.text : 'caption' in m ? (m.caption ?? '') : '';
  return {
    type: 'message',
    id: `${m.chat.id}:${m.message_id}`,
    channelId: 'telegram',
    serviceUrl: 'telegram',
    timestamp: new Date(m.date * 1000),
    from: { id: String(m.from?.id ?? m.chat.id), name: m.from?.first_name ?? '' },
    recipient: { id: String(botId ?? 'bot'), name: 'Trợ lý CTXH' },
    conversation: { id: String(m.chat.id), isGroup: false, conversationType: 'personal', name: '' },
    text,
    locale: 'vi-VN',
    channelData: { updateId: update.update_id },
  };
}
