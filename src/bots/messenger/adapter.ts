/**
 * Facebook Messenger (a Facebook Page), inbound only: the webhook's GET verification
 * handshake, and POST events checked with X-Hub-Signature-256 over the raw body bytes,
 * turned into Activities and stored by the TurnRunner before Meta gets its 200. Replies
 * go out through the outbox and MessengerSender (./sender.ts), never from here.
 * Reference: ../shared/channels.md section 1.1.
 *
 * What becomes an Activity (items of `entry[].messaging` and `entry[].standby`, every
 * entry of a batch, sorted by their `timestamp` since Meta does not keep order):
 * - a text message; a quick-reply tap (its `payload` is the text: MessengerSender puts the
 *   choice's full text there, while the visible title may be cut to 20 characters);
 * - a postback (button template, persistent menu, Get Started): its `title` as the text
 *   (what the citizen saw and tapped), its `payload` when there is no title; the payload
 *   is kept in `value` and `channelData.payload`;
 * - a message with attachments (image, sticker, voice, video, file, location): empty text
 *   and the platform references in `attachments`, so the bot asks kindly for words.
 * Not acted on: echoes of the Page's own messages (`message.is_echo`: ours, or a person
 * typing in Meta's inbox), `read`, `delivery`, `reaction`, `referral`, thread-control
 * (handover) events of any spelling, and entries for another Page than MESSENGER_PAGE_ID
 * when it is set. A `standby` item (another app owns the thread) is stored for the
 * transcript and marked handled at once: the bot does not answer it.
 *
 * Ids: `msg:<mid>` and `postback:<mid>` (postback.mid exists since v11.0; without it
 * `postback:<PSID>:<timestamp>`), so a redelivered event is stored and answered once
 * and ids of different kinds cannot collide. The same mid arriving once in `standby` and
 * once in `messaging` is stored once.
 *
 * Tolerances (points the reference flags): Meta may answer slowly to failures and
 * disable the webhook after 15 min, 1 h or 8 h [sources disagree] — every request is
 * answered as soon as its events are stored, so any of those readings is met. A signed
 * body of an unexpected shape is answered 200 and ignored (logged without content):
 * Meta retries anything else and eventually unsubscribes the app. Handover events are
 * ignored whatever their field name (`messaging_handovers`/`messaging_handover`
 * [unconfirmed]).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Activity, Attachment, ResourceResponse, TurnContext } from 'botbuilder';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Store } from '../../store/types.js';
import { ChannelAdapter } from '../channel-adapter.js';
import type { AcceptedActivity, TurnRunner } from '../turn-runner.js';

export interface MessengerAdapterOptions {
  /** The app secret: the key of X-Hub-Signature-256. */
  appSecret: string;
  /** Our verify token for the GET handshake. */
  verifyToken: string;
  /** When set, entries of other Pages are ignored. */
  pageId?: string;
  runner: TurnRunner;
  /** To mark standby events handled (recorded, not answered). */
  store: Pick<Store, 'messages'>;
  now: () => Date;
  log: Logger;
}

export class MessengerAdapter extends ChannelAdapter {
  readonly channel = 'messenger' as const;

  constructor(private readonly opts: MessengerAdapterOptions) {
    super();
  }

  /**
   * GET handshake: `hub.mode=subscribe` and our verify token → 200 with the raw
   * `hub.challenge` as plain text; anything else → 403.
   */
  readonly verifyHandler = (req: Request, res: Response): void => {
    const q = req.query as Record<string, unknown>;
    const mode = q['hub.mode'];
    const token = q['hub.verify_token'];
    const challenge = q['hub.challenge'];
    if (mode === 'subscribe' && typeof token === 'string' && sameSecret(token, this.opts.verifyToken) && typeof challenge === 'string') {
      res.status(200).type('text/plain').set('X-Content-Type-Options', 'nosniff').send(challenge);
      return;
    }
    res.sendStatus(403);
  };

  /**
   * POST events. Mount behind `express.raw` so `req.body` is the exact bytes Meta signed.
   * Wrong or missing signature → 403, nothing stored. Stored → 200, then the turns run.
   * A store failure → 500, so Meta delivers again (what was stored is deduplicated).
   */
  readonly webhookHandler = async (req: Request, res: Response): Promise<void> => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verifySignature(raw, req.get('x-hub-signature-256'), this.opts.appSecret)) {
      this.opts.log.warn({ bytes: raw.length }, 'messenger webhook with a missing or wrong signature refused');
      res.sendStatus(403);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      this.opts.log.warn({ bytes: raw.length }, 'messenger webhook body is not JSON');
      res.sendStatus(400);
      return;
    }
    const events = parseWebhook(json, { pageId: this.opts.pageId, log: this.opts.log });
    const accepted: AcceptedActivity[] = [];
    try {
      for (const event of events) {
        const stored = await this.opts.runner.accept('messenger', event.activity);
        if (!stored) continue;
        if (event.standby) {
          // Another app owns the thread (Meta's inbox): kept for the transcript, not answered.
          await this.opts.store.messages.markHandled(stored.message.id, this.opts.now());
          continue;
        }
        accepted.push(stored);
      }
    } catch (err) {
      this.opts.log.error({ err }, 'messenger events could not be stored; Meta will deliver them again');
      res.sendStatus(500);
      return;
    }
    res.sendStatus(200);
    for (const a of accepted) void this.opts.runner.run(a);
  };

  /**
   * Nothing is sent here: the TurnRunner stored the message and the outbox sends it
   * (./sender.ts), so a crash or a failed call never loses or repeats it.
   */
  override async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    return activities.map((a) => ({ id: a.id ?? '' }));
  }
}

// ---------------------------------------------------------------------------------------
// Signature

/** `sha256=<hex>`: HMAC-SHA256 keyed with the app secret over the raw body, as Meta sends it. */
export function messengerSignature(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/**
 * True when `header` is `sha256=<64 hex>` and matches the raw body (constant-time). The
 * legacy SHA-1 `X-Hub-Signature` is not looked at.
 */
export function verifySignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (typeof header !== 'string') return false;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!, 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Constant-time comparison of two secrets of any length. */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

// ---------------------------------------------------------------------------------------
// Payloads

/** Meta's ids are strings; a number is accepted and kept as its decimal string. */
const id = z.union([z.string().min(1), z.number().int().nonnegative().transform((n) => String(n))]);

const envelopeSchema = z.object({ object: z.string(), entry: z.array(z.unknown()) });

const entrySchema = z.looseObject({
  id,
  time: z.number().optional(),
  messaging: z.array(z.unknown()).optional(),
  standby: z.array(z.unknown()).optional(),
});

const attachmentSchema = z.looseObject({
  type: z.string(),
  payload: z
    .looseObject({
      url: z.string().optional(),
      sticker_id: z.union([z.number(), z.string()]).optional(),
      title: z.string().optional(),
      coordinates: z.looseObject({ lat: z.number(), long: z.number() }).optional(),
    })
    .nullish(),
});

const messageSchema = z.looseObject({
  mid: z.string().min(1),
  text: z.string().optional(),
  is_echo: z.boolean().optional(),
  quick_reply: z.looseObject({ payload: z.string() }).optional(),
  sticker_id: z.union([z.number(), z.string()]).optional(),
  attachments: z.array(attachmentSchema).optional(),
});

const postbackSchema = z.looseObject({
  mid: z.string().min(1).optional(),
  title: z.string().optional(),
  payload: z.string().optional(),
});

const itemSchema = z.looseObject({
  sender: z.looseObject({ id }),
  recipient: z.looseObject({ id }),
  /** Epoch ms. Deliveries may come without one; the entry's `time` stands in. */
  timestamp: z.number().optional(),
  message: messageSchema.optional(),
  postback: postbackSchema.optional(),
});

type Item = z.infer<typeof itemSchema> & { timestamp: number };

/** Only messages and postbacks are read further; reads, deliveries, reactions, referrals and handovers are not. */
function isActionable(item: unknown): boolean {
  return !!item && typeof item === 'object' && ('message' in item || 'postback' in item);
}

/** One event the bot stores: from `messaging` (answered) or `standby` (recorded only). */
export interface MessengerEvent {
  activity: Partial<Activity>;
  standby: boolean;
}

/**
 * The events of one webhook body, oldest first. Anything of another shape is skipped
 * and logged by kind and zod issue path only (never ids or content).
 */
export function parseWebhook(body: unknown, opts: { pageId?: string; log?: Logger } = {}): MessengerEvent[] {
  const log = opts.log;
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success || envelope.data.object !== 'page') {
    log?.warn({ issues: envelope.success ? [{ path: ['object'], code: 'not-page' }] : issueSummary(envelope.error) }, 'messenger webhook of another shape ignored');
    return [];
  }
  const found: Array<{ item: Item; pageId: string; standby: boolean; order: number }> = [];
  let order = 0;
  for (const rawEntry of envelope.data.entry) {
    const entry = entrySchema.safeParse(rawEntry);
    if (!entry.success) {
      log?.warn({ issues: issueSummary(entry.error) }, 'messenger entry of another shape ignored');
      continue;
    }
    if (opts.pageId && entry.data.id !== opts.pageId) {
      log?.info('messenger entry for another page ignored');
      continue;
    }
    for (const [list, standby] of [
      [entry.data.messaging ?? [], false],
      [entry.data.standby ?? [], true],
    ] as const) {
      for (const rawItem of list) {
        if (!isActionable(rawItem)) {
          log?.debug({ kind: kindOf(rawItem), standby }, 'messenger event not acted on');
          continue;
        }
        const item = itemSchema.safeParse(rawItem);
        if (!item.success) {
          log?.warn({ issues: issueSummary(item.error), kind: kindOf(rawItem) }, 'messenger event of another shape ignored');
          continue;
        }
        const timestamp = item.data.timestamp ?? entry.data.time ?? 0;
        found.push({ item: { ...item.data, timestamp }, pageId: entry.data.id, standby, order: order++ });
      }
    }
  }
  found.sort((a, b) => a.item.timestamp - b.item.timestamp || a.order - b.order);
  const events: MessengerEvent[] = [];
  for (const { item, pageId, standby } of found) {
    const activity = itemToActivity(item, pageId);
    if (activity) events.push({ activity, standby });
    else log?.debug({ kind: kindOf(item), standby }, 'messenger event not acted on');
  }
  return events;
}

/**
 * An Activity for one messaging item; null for what the bot does not act on (echoes,
 * reads, deliveries, reactions, referrals, handovers).
 */
export function itemToActivity(item: Item, pageId: string): Partial<Activity> | null {
  const psid = item.sender.id;
  const base = {
    type: 'message' as const,
    channelId: 'messenger',
    serviceUrl: 'messenger',
    timestamp: new Date(item.timestamp),
    from: { id: psid, name: '' },
    recipient: { id: pageId, name: 'Trợ lý CTXH' },
    conversation: { id: psid, isGroup: false, conversationType: 'personal', name: '' },
    locale: 'vi-VN',
  };
  if (item.message) {
    const m = item.message;
    if (m.is_echo) return null;
    if (m.quick_reply) {
      const payload = m.quick_reply.payload;
      return { ...base, id: `msg:${m.mid}`, text: payload || (m.text ?? ''), value: payload, channelData: { kind: 'quick_reply', payload } };
    }
    const attachments = (m.attachments ?? []).map((a) => toAttachment(a, m.sticker_id));
    return {
      ...base,
      id: `msg:${m.mid}`,
      text: m.text ?? '',
      ...(attachments.length ? { attachments } : {}),
      channelData: { kind: attachments.length && !m.text ? 'media' : 'text' },
    };
  }
  if (item.postback) {
    const p = item.postback;
    const text = p.title || p.payload || '';
    return {
      ...base,
      id: p.mid ? `postback:${p.mid}` : `postback:${psid}:${item.timestamp}`,
      text,
      ...(p.payload !== undefined ? { value: p.payload } : {}),
      channelData: { kind: 'postback', ...(p.payload !== undefined ? { payload: p.payload } : {}) },
    };
  }
  return null;
}

/**
 * A Messenger attachment as a botbuilder Attachment, shaped like the Telegram adapter's
 * so the bot's non-text step and the console read both alike: `contentType` image/*,
 * audio/* (voice notes), video/*, application/octet-stream (a file),
 * application/vnd.ctxh.location (coordinates in `content`), otherwise
 * application/vnd.messenger.<type>; a sticker is an image named "sticker" with its id in
 * `content`. `contentUrl` is Meta's https CDN link as received (no token in it; it
 * expires after a while).
 */
function toAttachment(a: z.infer<typeof attachmentSchema>, stickerId: unknown): Attachment {
  const url = a.payload?.url;
  const link = url ? { contentUrl: url } : {};
  const sticker = a.payload?.sticker_id ?? (a.type === 'image' ? stickerId : undefined);
  if (sticker !== undefined) return { contentType: 'image/*', name: 'sticker', content: { stickerId: String(sticker) }, ...link };
  if (a.type === 'location' && a.payload?.coordinates) {
    const { lat, long } = a.payload.coordinates;
    return { contentType: 'application/vnd.ctxh.location', content: { latitude: lat, longitude: long } };
  }
  const contentType =
    a.type === 'image' ? 'image/*' : a.type === 'audio' ? 'audio/*' : a.type === 'video' ? 'video/*' : a.type === 'file' ? 'application/octet-stream' : `application/vnd.messenger.${a.type}`;
  return { contentType, ...link };
}

/** Which kind of event an item is (message, postback, read, delivery, reaction, …), for logs. */
function kindOf(item: unknown): string {
  if (!item || typeof item !== 'object') return typeof item;
  const keys = Object.keys(item).filter((k) => !['sender', 'recipient', 'timestamp'].includes(k));
  return keys.slice(0, 3).join(',') || 'empty';
}

/** Zod issues without values: where and what kind. */
function issueSummary(error: z.ZodError): Array<{ path: string; code: string }> {
  return error.issues.slice(0, 5).map((i) => ({ path: i.path.join('.'), code: i.code }));
}
