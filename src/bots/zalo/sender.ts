/**
 * Sends stored messages to Zalo for the outbox (src/bots/outbox.ts) as consultation
 * messages (POST /v3.0/oa/message/cs, shared/channels.md 2.2), and says what a failure
 * means (the error table of 2.2, whose codes come from integrations, not the official
 * table [unconfirmed]):
 *
 * - -216 / -220 (access token invalid or expired): the token store refreshes once (or
 *   takes the pair another instance just stored) and the message is tried once more;
 * - -32 (rate limit): tried again later (Zalo publishes no wait: `rateLimitWaitMs`);
 * - -230 / -232 (no interaction within 7 days / too long ago): 'window-closed', for good;
 * - -213 not a follower, -227 account locked or inactive, -244 the citizen blocks this
 *   kind of message, -211 / -218 quota exhausted, -320 / -321 the paid tier (48 h – 7 d)
 *   has no funded Zalo Cloud Account ('paid-unfunded'): for good, each with its own short code (and a
 *   warning for the quota and paid-tier codes, which need operations);
 * - -209 / -212 / -219 / -223 (the app or its OA permission is not set up): tried again
 *   much later, with an error in the log, since every message would fail alike;
 * - any other code, HTTP 5xx, network errors and timeouts: tried again.
 *
 * The consultation window is checked before any call, from Conversation.lastInboundAt:
 * past 7 days a message fails for good as 'window-closed' (Zalo would refuse it). Between
 * 48 h and 7 days the 2026 rules reported by one guide make consultation messages paid,
 * while the 2022–2025 help centre counts free replies per 48 h instead [sources disagree];
 * `beyondFreeWindow` says what to do there: 'send' (default: the counsellor still reaches
 * the citizen; -320/-321 come back if the paid tier is not funded) or 'refuse'
 * ('window-paid', never billed).
 *
 * @example outbox.register(new ZaloSender({ client, tokens, now, log }));
 */
import type { Activity } from 'botbuilder';
import type { Logger } from 'pino';
import type { Conversation } from '../../store/types.js';
import { DeliveryError, type ChannelSender } from '../outbox.js';
import { ZaloUnavailableError, type SendResult, type ZaloClient } from './client.js';
import { ZALO_MESSAGE_DEFAULTS, zaloRequests, type ZaloMessageOptions } from './messages.js';
import { TokenUnavailableError } from './token-store.js';

export interface ZaloSenderOptions extends ZaloMessageOptions {
  /** Consultation messages only within this long of the citizen's last message. Default 7 days. */
  windowMs: number;
  /** Free within this long (2026 rules as reported) [unconfirmed]. Default 48 h. */
  freeWindowMs: number;
  /** Past the free window and within the window: 'send' (default) or 'refuse' as 'window-paid'. */
  beyondFreeWindow: 'send' | 'refuse';
  /**
   * Address replies to the citizen's message (`recipient.message_id`) instead of the user
   * id, when the reply answers a known Zalo message. The 2022–2025 help centre counted
   * only such replies as free; whether that still holds is [unconfirmed]. Default false
   * (`recipient.user_id`, the form every source shows).
   */
  replyByMessageId: boolean;
  /** Wait after -32 (Zalo gives none). Default 2 s; the outbox's backoff grows from there. */
  rateLimitWaitMs: number;
}

export const ZALO_SENDER_DEFAULTS: ZaloSenderOptions = {
  ...ZALO_MESSAGE_DEFAULTS,
  windowMs: 7 * 24 * 3600_000,
  freeWindowMs: 48 * 3600_000,
  beyondFreeWindow: 'send',
  replyByMessageId: false,
  rateLimitWaitMs: 2_000,
};

export interface ZaloTokens {
  accessToken(): Promise<string>;
  rejected(token: string): Promise<string>;
}

const TOKEN_ERRORS = new Set([-216, -220]);

/** What a Zalo error code means for the outbox (token errors are handled before this). */
export function classifyZaloError(error: number, rateLimitWaitMs = ZALO_SENDER_DEFAULTS.rateLimitWaitMs): DeliveryError {
  switch (error) {
    case -32:
      return new DeliveryError('retry', 'rate-limited', rateLimitWaitMs);
    case -230:
    case -232:
      return new DeliveryError('permanent', 'window-closed');
    case -213:
      return new DeliveryError('permanent', 'not-follower');
    case -227:
      return new DeliveryError('permanent', 'invalid-recipient');
    case -244:
      return new DeliveryError('permanent', 'blocked');
    case -211:
    case -218:
      return new DeliveryError('permanent', 'quota-exhausted');
    case -320:
    case -321:
      return new DeliveryError('permanent', 'paid-unfunded');
    case -209:
    case -212:
    case -219:
    case -223:
      return new DeliveryError('retry', `config-${-error}`, 5 * 60_000);
    default:
      if (TOKEN_ERRORS.has(error)) return new DeliveryError('retry', 'token-rejected', 60_000);
      return new DeliveryError('retry', `zalo-${error < 0 ? -error : error}`);
  }
}

/** The token store could not give a token: wait and try again (an OA to reconnect waits longest). */
function tokenUnavailable(err: TokenUnavailableError): DeliveryError {
  const wait = { 'no-token': 5 * 60_000, 'needs-reconnect': 5 * 60_000, 'refresh-busy': 2_000, 'refresh-unavailable': 30_000 }[err.code];
  return new DeliveryError('retry', err.code, wait);
}

export class ZaloSender implements ChannelSender {
  readonly channel = 'zalo' as const;
  private readonly options: ZaloSenderOptions;

  constructor(
    private readonly deps: {
      client: Pick<ZaloClient, 'sendConsultation'>;
      tokens: ZaloTokens;
      now: () => Date;
      log: Logger;
      options?: Partial<ZaloSenderOptions>;
    },
  ) {
    this.options = { ...ZALO_SENDER_DEFAULTS, ...deps.options };
  }

  async send(conversation: Conversation, activity: Partial<Activity>): Promise<{ platformMessageId: string | null }> {
    this.checkWindow(conversation);
    const recipient = this.recipientFor(conversation, activity);
    let last: string | null = null;
    for (const body of zaloRequests(recipient, activity, this.options)) last = await this.sendOne(body);
    return { platformMessageId: last };
  }

  /** Refuses locally what Zalo would refuse (past 7 days), or would bill when told not to. */
  private checkWindow(conversation: Conversation): void {
    const since = conversation.lastInboundAt;
    if (!since) throw new DeliveryError('permanent', 'window-closed');
    const age = this.deps.now().getTime() - since.getTime();
    if (age > this.options.windowMs) throw new DeliveryError('permanent', 'window-closed');
    if (age > this.options.freeWindowMs && this.options.beyondFreeWindow === 'refuse') throw new DeliveryError('permanent', 'window-paid');
  }

  private recipientFor(conversation: Conversation, activity: Partial<Activity>): Record<string, string> {
    const replyTo = activity.replyToId;
    if (this.options.replyByMessageId && typeof replyTo === 'string' && replyTo.startsWith('msg:')) return { message_id: replyTo.slice(4) };
    return { user_id: conversation.userId };
  }

  /** One request; a refused access token is replaced once and the request tried again. */
  private async sendOne(body: Record<string, unknown>): Promise<string | null> {
    const { tokens } = this.deps;
    let token = await this.token(() => tokens.accessToken());
    let result = await this.call(token, body);
    if (!result.ok && TOKEN_ERRORS.has(result.error)) {
      const used = token;
      token = await this.token(() => tokens.rejected(used));
      result = await this.call(token, body);
    }
    if (result.ok) return result.messageId;
    const failure = classifyZaloError(result.error, this.options.rateLimitWaitMs);
    if (failure.code === 'quota-exhausted' || failure.code === 'paid-unfunded' || failure.code.startsWith('config-')) {
      this.deps.log.warn({ code: failure.code, zaloError: result.error }, 'zalo: the OA cannot send (needs operations)');
    }
    throw failure;
  }

  private async token(get: () => Promise<string>): Promise<string> {
    try {
      return await get();
    } catch (err) {
      if (err instanceof TokenUnavailableError) throw tokenUnavailable(err);
      // The store failed, or stored tokens cannot be decrypted (CHANNEL_TOKEN_KEY changed?).
      this.deps.log.error({ err }, 'zalo: no access token could be read');
      throw new DeliveryError('retry', 'token-error', 30_000);
    }
  }

  private async call(token: string, body: Record<string, unknown>): Promise<SendResult> {
    try {
      return await this.deps.client.sendConsultation(token, body);
    } catch (err) {
      if (err instanceof ZaloUnavailableError) throw new DeliveryError('retry', err.code);
      throw new DeliveryError('retry', 'network');
    }
  }
}
