/**
 * Telegram as a channel module (src/server/channels.ts): on when TELEGRAM_BOT_TOKEN is
 * set; webhook mode mounts POST /telegram/webhook (checked with TELEGRAM_WEBHOOK_SECRET),
 * polling mode polls from start(). Replies go out through the outbox (TelegramSender).
 */
import type { ChannelModule } from '../../server/channels.js';
import { TelegramAdapter } from './adapter.js';
import { TelegramSender } from './sender.js';

export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

export const telegramChannel: ChannelModule = {
  channel: 'telegram',
  enabled: (config) => Boolean(config.TELEGRAM_BOT_TOKEN),
  mount({ app, config, runner, outbox, log, media }) {
    const adapter = new TelegramAdapter({ token: config.TELEGRAM_BOT_TOKEN!, apiRoot: config.TELEGRAM_API_ROOT, runner, log });
    runner.register(adapter);
    outbox.register(new TelegramSender(adapter.telegraf.telegram));
    // A file's download link holds the bot token: the console fetches it through the server.
    media.register('telegram-file', async (fileId) => fetch(await adapter.telegraf.telegram.getFileLink(fileId)));
    const webhook = config.TELEGRAM_MODE === 'webhook' && config.TELEGRAM_WEBHOOK_SECRET;
    if (webhook) app.post(TELEGRAM_WEBHOOK_PATH, adapter.webhookHandler(TELEGRAM_WEBHOOK_PATH, config.TELEGRAM_WEBHOOK_SECRET!));
    return {
      channel: 'telegram',
      webhookPath: webhook ? TELEGRAM_WEBHOOK_PATH : undefined,
      start: webhook ? undefined : () => adapter.startPolling(),
      stop: () => adapter.stop(),
    };
  },
};
