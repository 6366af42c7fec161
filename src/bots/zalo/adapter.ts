/**
 * Zalo OA inbound (shared/channels.md 2.1): POST /zalo/webhook. Inbound only: replies go
 * out through the outbox and ZaloSender.
 *
 * Each request is checked over its raw bytes (express.raw on the route):
 * X-ZEvent-Signature = SHA-256(app_id + raw body + timestamp + key), compared in constant
 * time, with the OA secret key or the app secret (which one Zalo uses is [unconfirmed];
 * both are accepted and the first match is logged once, naming the key, never its value);
 * the body's app_id must be ours; its timestamp within `maxSkewMs` (10 minutes either way)
 * of now, to limit replays. A request that fails any check stores nothing and is answered
 * 200 all the same: Zalo's "check" button posts unsigned test bodies and only saves a URL
 * that answers 200, and a webhook that keeps failing is disabled by Zalo (after 12 h of
 * resends, or after resends at 30 s … 1 h, [sources disagree]); so forged or stale posts
 * have no effect, and the drop is logged with a reason and no content.
 *
 * A valid event: the citizen's messages (user_send_text, a button tap that arrives as the
 * button's payload text, user_send_image / sticker / audio / location / file …) become
 * Activities, stored by the TurnRunner (deduplicated by `msg:<msg_id>`) before the answer,
 * and the turn runs after it; follow / unfollow are recorded in the audit log and not
 * answered; oa_send_* echoes of the OA's own messages (ours, or staff typing on
 * oa.zalo.me) are recognised and never answered; events for another OA than ZALO_OA_ID
 * (when set) are ignored. A citizen who answers a numbered menu with "2" is read as having
 * written the menu's second choice (the conversation's last numbered menu since their
 * previous message).
 */
import type { Activity, ResourceResponse, TurnContext } from 'botbuilder';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Store } from '../../store/types.js';
import { ChannelAdapter } from '../channel-adapter.js';
import type { TurnRunner } from '../turn-runner.js';
import { readZaloEvent, zaloEnvelopeSchema } from './events.js';
import { choiceForNumber, menuNumber, menuOf, type ZaloMessageOptions } from './messages.js';
import { verifyZaloSignature } from './signature.js';

export interface ZaloAdapterOptions {
  appId: string;
  /** ZALO_OA_ID: events for another OA are ignored; undefined: any. */
  oaId?: string;
  /** Tried in order; the first is the OA secret key (most sources), then the app secret. */
  signatureKeys: ReadonlyArray<{ name: string; key: string }>;
  runner: TurnRunner;
  store: Pick<Store, 'conversations' | 'messages' | 'audit'>;
  log: Logger;
  now: () => Date;
  /** How the sender shows choices: the same decision reads a numbered answer. */
  menu: ZaloMessageOptions;
  /**
   * Events whose timestamp is further than this from now are dropped (replays). Default 10
   * minutes, as the reference suggests. Zalo resends an event it could not deliver (we
   * answer non-200 only when the store failed) after 30 s and 5 min, then 15 min, 30 min
   * and 1 h by one account [sources disagree]: resends later than this are dropped too;
   * raise it to keep them (a resent message already stored is a duplicate either way).
   */
  maxSkewMs?: number;
}

export class ZaloAdapter extends ChannelAdapter {
  readonly channel = 'zalo' as const;
  private readonly maxSkewMs: number;
  private keyReported = false;
  private headersReported = false;

  constructor(private readonly opts: ZaloAdapterOptions) {
    super();
    this.maxSkewMs = opts.maxSkewMs ?? 10 * 60_000;
  }

  /** The express handler; the route must give it the raw body (express.raw). */
  webhookHandler() {
    return async (req: Request, res: Response): Promise<void> => {
      const ok = () => {
        res.status(200).end();
      };
      const drop = (reason: string, eventName?: string) => {
        // The event name only when it looks like one: an unverified body may say anything.
        const name = eventName && /^[a-z_]{1,40}$/.test(eventName) ? { eventName } : {};
        this.opts.log.warn({ reason, ...name }, 'zalo webhook dropped');
        ok();
      };
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return drop('not-json');
      }
      const envelope = zaloEnvelopeSchema.safeParse(body);
      if (!envelope.success) return drop('bad-envelope');
      const { app_id: appId, timestamp, event_name: eventName } = envelope.data;
      const keys = this.opts.signatureKeys;
      const matched = verifyZaloSignature(req.get('x-zevent-signature'), raw, { appId, timestamp }, keys.map((k) => k.key));
      if (matched < 0) return drop(req.get('x-zevent-signature') ? 'bad-signature' : 'no-signature', eventName);
      this.reportFirstDelivery(req, timestamp, keys[matched]!.name);
      if (appId !== this.opts.appId) return drop('other-app', eventName);
      if (Math.abs(this.opts.now().getTime() - Number(timestamp)) > this.maxSkewMs) return drop('stale', eventName);

      const event = readZaloEvent(body as Record<string, unknown>);
      const { oaId } = this.opts;
      if (event.kind === 'malformed') return drop('malformed', event.eventName);
      if (oaId && 'oaId' in event && event.oaId && event.oaId !== oaId) return drop('other-oa', eventName);
      try {
        switch (event.kind) {
          case 'ignored':
            this.opts.log.debug({ eventName }, 'zalo event not used');
            return ok();
          case 'echo':
            // Our own replies and staff typing on oa.zalo.me: never answered.
            this.opts.log.debug({ eventName }, 'zalo echo of an OA message');
            return ok();
          case 'follow':
          case 'unfollow':
            await this.recordFollow(event.kind, event.userId);
            return ok();
          case 'activity': {
            const activity = event.activity;
            if (oaId && activity.from?.id === oaId) {
              this.opts.log.debug({ eventName }, 'zalo event sent by the OA itself');
              return ok();
            }
            await this.readMenuAnswer(activity);
            // Stored first; Zalo gets its answer once it is durable, and the turn runs after.
            const accepted = await this.opts.runner.accept('zalo', activity);
            ok();
            if (accepted) void this.opts.runner.run(accepted);
            return;
          }
        }
      } catch (err) {
        // Not stored: Zalo delivers it again.
        this.opts.log.error({ err, eventName }, 'zalo event could not be stored');
        if (!res.headersSent) res.status(500).end();
      }
    };
  }

  /** "2" after a numbered menu is the menu's second choice (the text stays what the citizen meant). */
  private async readMenuAnswer(activity: Partial<Activity>): Promise<void> {
    const text = activity.text ?? '';
    if (menuNumber(text) === null) return;
    const userId = String(activity.from?.id ?? '');
    const { conversations, messages } = this.opts.store;
    const conversation = await conversations.findByAddress({ channel: 'zalo', userId, chatId: String(activity.conversation?.id ?? userId) });
    if (!conversation) return;
    const previous = await messages.lastInbound(conversation.id);
    const since = await messages.listByConversation(conversation.id, previous?.position ?? 0, 50);
    // The last message that offered choices: a number answers it only if it was a numbered menu.
    const shown = since
      .filter((m) => m.direction === 'out' && menuOf(m.activity as Partial<Activity>, this.opts.menu).kind !== 'none')
      .at(-1);
    const choice = shown ? choiceForNumber(text, shown.activity as Partial<Activity>, this.opts.menu) : null;
    if (choice === null) return;
    activity.text = choice;
    activity.channelData = { ...(activity.channelData as object), menuAnswer: text.trim() };
  }

  private async recordFollow(kind: 'follow' | 'unfollow', userId: string): Promise<void> {
    const conversation = await this.opts.store.conversations.findByAddress({ channel: 'zalo', userId, chatId: userId });
    await this.opts.store.audit.append({
      at: this.opts.now(),
      actor: 'system',
      action: `zalo.${kind}`,
      subject: conversation?.id ?? 'zalo',
      detail: { conversationId: conversation?.id ?? null },
    });
  }

  /**
   * Once per process: which key signed (the OA secret key or the app secret, the open
   * point 2 of the reference) and which X-ZEvent-* headers came, names only.
   */
  private reportFirstDelivery(req: Request, timestamp: string, keyName: string): void {
    if (!this.keyReported) {
      this.keyReported = true;
      this.opts.log.info({ key: keyName }, 'zalo webhook signature verified');
    }
    if (this.headersReported) return;
    this.headersReported = true;
    const headers = Object.keys(req.headers).filter((h) => h.toLowerCase().startsWith('x-zevent-'));
    const stamp = req.get('x-zevent-timestamp');
    this.opts.log.info({ headers, timestampHeader: stamp === undefined ? 'absent' : stamp === timestamp ? 'equals-body' : 'differs' }, 'zalo webhook headers');
  }

  /**
   * Nothing is sent here: the TurnRunner stored the message and the outbox sends it
   * (src/bots/zalo/sender.ts), so a crash or a failed call never loses or repeats it.
   */
  override async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    return activities.map((a) => ({ id: a.id ?? '' }));
  }
}
