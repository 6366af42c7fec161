import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Activity, ResourceResponse, TurnContext } from 'botbuilder';
import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ChannelAdapter } from '../channel-adapter.js';
import type { TurnRunner } from '../turn-runner.js';

/**
 * Telegram through telegraf: webhook mode (secret-token header checked by telegraf)
 * or long polling, chosen by configuration. Inbound only: replies go out through the
 * outbox and TelegramSender.
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

  /**
   * Who the bot is (getMe), asked once and kept. telegraf would keep a FAILED first call
   * too, and fail every later update until a restart; here a failure is forgotten and
   * asked again with the next update.
   */
  private async ensureBotInfo(): Promise<void> {
    if (this.telegraf.botInfo) return;
    this.botInfoCall ??= this.telegraf.telegram.getMe().finally(() => (this.botInfoCall = undefined));
    this.telegraf.botInfo = await this.botInfoCall;
  }

  private botInfoCall: Promise<NonNullable<Telegraf['botInfo']>> | undefined;

  /**
   * Express handler for webhook mode; rejects a wrong X-Telegram-Bot-Api-Secret-Token with
   * 403. When Telegram cannot be asked who the bot is, it answers 503 so that Telegram
   * delivers the update again later (nothing is stored yet).
   */
  webhookHandler(path: string, secretToken: string) {
    const callback = this.telegraf.webhookCallback(path, { secretToken });
    return async (req: IncomingMessage & { body?: Update }, res: ServerResponse) => {
      const given = req.headers['x-telegram-bot-api-secret-token'];
      if (typeof given !== 'string' || !sameSecret(given, secretToken)) {
        res.statusCode = 403;
        res.end();
        return;
      }
      // Read and check the body here: telegraf would answer 500 to a body of `null`.
      const update = updateSchema.safeParse(await readJson(req));
      if (!update.success) {
        res.statusCode = 400;
        res.end();
        return;
      }
      req.body = update.data as unknown as Update;
      try {
        await this.ensureBotInfo();
      } catch (err) {
        this.opts.log.warn({ err }, 'telegram getMe failed; the update will be redelivered');
        res.statusCode = 503;
        res.end();
        return;
      }
      // telegraf hands a rejected request to `next`; under express that would be a 404.
      await callback(req, res, () => {
        res.statusCode = 403;
        res.end();
      });
    };
  }

  /** Long polling for a centre without public HTTPS; resolves once polling has started. */
  async startPolling(): Promise<void> {
    // telegraf's launch() resolves only when polling stops, so do not await it. If it
    // cannot start (getMe or the first poll failed), try again a little later.
    const launch = (delayMs: number) => {
      void this.ensureBotInfo()
        .then(() => this.telegraf.launch({ dropPendingUpdates: false }))
        .catch((err) => {
          if (this.stopped) return;
          this.opts.log.error({ err }, 'telegram polling stopped; starting again');
          setTimeout(() => launch(Math.min(delayMs * 2, 60_000)), delayMs).unref();
        });
    };
    launch(1000);
  }

  private stopped = false;

  stop(): void {
    this.stopped = true;
    try {
      this.telegraf.stop('shutdown');
    } catch {
      // not polling: nothing to stop
    }
  }

  /**
   * Nothing is sent here: the TurnRunner stored the message and the outbox sends it
   * (src/bots/telegram/sender.ts), so a crash or a failed call never loses or repeats it.
   */
  override async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    return activities.map((a) => ({ id: a.id ?? '' }));
  }
}

/** An update as Telegram sends it: an object with a numeric update_id (the rest is read by telegraf). */
const updateSchema = z.looseObject({ update_id: z.number().int() });

/** The request body as JSON; undefined when it is not JSON or larger than 1 MB. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Constant-time comparison of two secrets of any length. */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
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
  const attachments = telegramAttachments(m as unknown as Record<string, unknown>);
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
    ...(attachments.length > 0 ? { attachments } : {}),
    locale: 'vi-VN',
    channelData: { updateId: update.update_id },
  };
}

/**
 * What a Telegram message carries besides text, as Activity attachments. The file is
 * referred to as `telegram-file:<file_id>` (a download link would hold the bot token);
 * the console fetches it through the server when a counsellor opens it.
 */
function telegramAttachments(m: Record<string, unknown>): Array<{ contentType: string; contentUrl?: string; name?: string; content?: unknown }> {
  const file = (id: unknown) => (typeof id === 'string' ? `telegram-file:${id}` : undefined);
  const out: Array<{ contentType: string; contentUrl?: string; name?: string; content?: unknown }> = [];
  const photos = m.photo as Array<{ file_id: string }> | undefined;
  if (photos?.length) out.push({ contentType: 'image/jpeg', contentUrl: file(photos[photos.length - 1]!.file_id) });
  const voice = m.voice as { file_id: string; mime_type?: string } | undefined;
  if (voice) out.push({ contentType: voice.mime_type ?? 'audio/ogg', contentUrl: file(voice.file_id), name: 'voice' });
  const audio = m.audio as { file_id: string; mime_type?: string; file_name?: string } | undefined;
  if (audio) out.push({ contentType: audio.mime_type ?? 'audio/mpeg', contentUrl: file(audio.file_id), name: audio.file_name });
  const video = (m.video ?? m.video_note) as { file_id: string; mime_type?: string } | undefined;
  if (video) out.push({ contentType: video.mime_type ?? 'video/mp4', contentUrl: file(video.file_id) });
  const document = m.document as { file_id: string; mime_type?: string; file_name?: string } | undefined;
  if (document) out.push({ contentType: document.mime_type ?? 'application/octet-stream', contentUrl: file(document.file_id), name: document.file_name });
  const sticker = m.sticker as { file_id: string; emoji?: string } | undefined;
  if (sticker) out.push({ contentType: 'image/webp', contentUrl: file(sticker.file_id), name: `sticker ${sticker.emoji ?? ''}`.trim() });
  const location = m.location as { latitude: number; longitude: number } | undefined;
  if (location) out.push({ contentType: 'application/vnd.ctxh.location', content: { latitude: location.latitude, longitude: location.longitude } });
  return out;
}
