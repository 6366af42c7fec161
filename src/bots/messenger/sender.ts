/**
 * Sends stored messages to Messenger for the outbox (src/bots/outbox.ts) through the
 * Send API over fetch — `POST {META_GRAPH_BASE}/{META_GRAPH_VERSION}/me/messages` with the
 * Page access token (and its `appsecret_proof`, accepted whether or not the app requires
 * it) — and says what a failure means. Reference: ../shared/channels.md 1.2–1.4.
 *
 * - Quick replies: the Activity's suggested actions become at most 13 `quick_replies`; a
 *   title longer than 20 characters is cut (19 + "…") and its `payload` carries the full
 *   choice (up to 1000 characters), which comes back as the citizen's text on a tap
 *   (./adapter.ts). When a title was cut or a choice did not fit in 13, the choices are
 *   also listed in full at the end of the message, so nothing is lost.
 * - Text longer than 2000 characters is split (at paragraphs, lines or words); the quick
 *   replies go on the last part.
 * - The messaging window, counted from `conversation.lastInboundAt` before every send:
 *   up to 24 h a normal `RESPONSE`; from 24 h to 7 days, a message a counsellor wrote
 *   (`activity.channelData.author` is set) goes as `MESSAGE_TAG` + `HUMAN_AGENT`
 *   (needs Meta's Human Agent feature: `humanAgentTag: false` turns that off); anything
 *   else — a bot message past 24 h, anything past 7 days — is refused here without
 *   calling Meta, as a permanent 'window-closed' (the outbox marks the conversation
 *   undeliverable until the citizen writes again, and the console shows it).
 *
 * Errors (Meta's envelope `{ error: { code, error_subcode, … } }`; never logged with ids or text):
 * - 613, 4 (e.g. 2018022), 17, 32: rate limits → retry ('rate-limited'), after
 *   `Retry-After` when Meta sends one, else the outbox's backoff;
 * - 190: the Page token is invalid or expired → retry ('invalid-token') after a long
 *   wait (`invalidTokenRetryMs`, 5 min) with an error log, so replacing the token
 *   resumes delivery without losing what waits;
 * - 10/2018278 and 10/2018065 (outside the window) and 551/1545041 → permanent
 *   'window-closed'. [sources disagree] on 1545041: the 2026 Send-a-Message page calls it
 *   "window closed", the error-code page and client libraries "person not available"
 *   (blocked the Page, deactivated). Both readings mean "cannot deliver now; try when the
 *   citizen writes again", so both map to 'window-closed' and the raw code and subcode are
 *   logged;
 * - 100/2018001 (no matching user) → permanent 'invalid-recipient'; other 100 →
 *   'bad-request'; 200 and other 10 → 'permission-denied';
 * - 1, 2, 1200, `is_transient`, HTTP 5xx and network errors → retry.
 *
 * @example outbox.register(new MessengerSender({ graphBase, graphVersion, pageAccessToken, appSecret, now, log }));
 */
import { createHmac } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Conversation } from '../../store/types.js';
import { choicesOf } from '../channel-adapter.js';
import { DeliveryError, type ChannelSender } from '../outbox.js';
import { splitText } from '../split-text.js';

/** Messenger's limit on `message.text`. */
export const MAX_TEXT = 2000;
export const MAX_QUICK_REPLIES = 13;
export const MAX_QUICK_REPLY_TITLE = 20;
export const MAX_QUICK_REPLY_PAYLOAD = 1000;
export const STANDARD_WINDOW_MS = 24 * 60 * 60 * 1000;
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export interface MessengerSenderOptions {
  /** META_GRAPH_BASE, e.g. https://graph.facebook.com (tests: a local fake). */
  graphBase: string;
  /** META_GRAPH_VERSION, e.g. v25.0. */
  graphVersion: string;
  pageAccessToken: string;
  /** When given, every call carries `appsecret_proof` (needed if the app has "Require App Secret" on). */
  appSecret?: string;
  now: () => Date;
  log: Logger;
  /**
   * Send a counsellor's message with the HUMAN_AGENT tag between 24 h and 7 days. Default
   * true; false when the Page's app has not (yet) been granted the Human Agent feature:
   * such messages are then refused as 'window-closed' after 24 h, without calling Meta.
   */
  humanAgentTag?: boolean;
  /** How long to wait before trying again after error 190 (invalid token). Default 5 minutes. */
  invalidTokenRetryMs?: number;
  /** One Send API call's time limit (shorter than the outbox lease). Default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** How a message may go in the window, or null when it may not go at all. */
export type WindowDecision = { messaging_type: 'RESPONSE' } | { messaging_type: 'MESSAGE_TAG'; tag: 'HUMAN_AGENT' } | null;

/** The reference's window logic (1.3): ≤ 24 h RESPONSE; ≤ 7 d and written by a person: HUMAN_AGENT; else refuse. */
export function messagingWindow(lastInboundAt: Date | null, now: Date, byHuman: boolean, humanAgentTag = true): WindowDecision {
  if (!lastInboundAt) return null;
  const age = now.getTime() - lastInboundAt.getTime();
  if (age <= STANDARD_WINDOW_MS) return { messaging_type: 'RESPONSE' };
  if (byHuman && humanAgentTag && age <= HUMAN_AGENT_WINDOW_MS) return { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
  return null;
}

/** Quick replies within Messenger's limits, and the text to add when a limit hid part of a choice. */
export function quickReplies(choices: readonly string[]): { quick_replies: Array<{ content_type: 'text'; title: string; payload: string }>; listed: string | null } {
  const shown = choices.slice(0, MAX_QUICK_REPLIES);
  let cut = choices.length > shown.length;
  const quick_replies = shown.map((choice) => {
    // Composed form first, so a cut never separates a letter from its diacritics.
    const chars = Array.from(choice.normalize('NFC'));
    const title = chars.length > MAX_QUICK_REPLY_TITLE ? `${chars.slice(0, MAX_QUICK_REPLY_TITLE - 1).join('').trimEnd()}…` : chars.join('');
    if (chars.length > MAX_QUICK_REPLY_TITLE) cut = true;
    return { content_type: 'text' as const, title, payload: Array.from(choice).slice(0, MAX_QUICK_REPLY_PAYLOAD).join('') };
  });
  return { quick_replies, listed: cut ? choices.map((c) => `• ${c}`).join('\n') : null };
}

const errorSchema = z.looseObject({
  error: z.looseObject({
    code: z.number().optional(),
    error_subcode: z.number().optional(),
    type: z.string().optional(),
    is_transient: z.boolean().optional(),
    fbtrace_id: z.string().optional(),
  }),
});
const successSchema = z.looseObject({ message_id: z.string().optional() });

export class MessengerSender implements ChannelSender {
  readonly channel = 'messenger' as const;
  private readonly fetch: typeof fetch;
  private readonly endpoint: string;

  constructor(private readonly opts: MessengerSenderOptions) {
    this.fetch = opts.fetch ?? globalThis.fetch;
    this.endpoint = `${opts.graphBase.replace(/\/+$/, '')}/${opts.graphVersion}/me/messages`;
  }

  async send(conversation: Conversation, activity: Partial<Activity>): Promise<{ platformMessageId: string | null }> {
    const byHuman = Boolean((activity.channelData as { author?: unknown } | undefined)?.author);
    const window = messagingWindow(conversation.lastInboundAt, this.opts.now(), byHuman, this.opts.humanAgentTag ?? true);
    if (!window) {
      // A bot message past 24 h fails alone when a counsellor's reply could still go (HUMAN_AGENT, up to 7 days).
      const humanCouldStill = !byHuman && messagingWindow(conversation.lastInboundAt, this.opts.now(), true, this.opts.humanAgentTag ?? true) !== null;
      throw new DeliveryError('permanent', 'window-closed', undefined, !humanCouldStill);
    }

    const { quick_replies, listed } = quickReplies(choicesOf(activity));
    let text = (activity.text ?? '').trim();
    if (listed) text = text ? `${text}\n\n${listed}` : listed;
    if (!text) return { platformMessageId: null };
    const parts = splitText(text, MAX_TEXT);
    let last: string | null = null;
    for (const [i, part] of parts.entries()) {
      const message = i === parts.length - 1 && quick_replies.length ? { text: part, quick_replies } : { text: part };
      last = await this.call({ recipient: { id: conversation.chatId }, ...window, message });
    }
    return { platformMessageId: last };
  }

  /** One Send API call; the new message's mid, or a DeliveryError. */
  private async call(body: Record<string, unknown>): Promise<string | null> {
    const url = new URL(this.endpoint);
    url.searchParams.set('access_token', this.opts.pageAccessToken);
    if (this.opts.appSecret) url.searchParams.set('appsecret_proof', createHmac('sha256', this.opts.appSecret).update(this.opts.pageAccessToken).digest('hex'));
    let response: globalThis.Response;
    try {
      response = await this.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      throw new DeliveryError('retry', timeout ? 'timeout' : 'network');
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      json = undefined;
    }
    if (response.ok) {
      const ok = successSchema.safeParse(json);
      return ok.success ? (ok.data.message_id ?? null) : null;
    }
    throw this.classify(response.status, json, response.headers.get('retry-after'));
  }

  /** What a refused Send API call means for the outbox. Logs codes only. */
  classify(status: number, body: unknown, retryAfter: string | null = null): DeliveryError {
    const parsed = errorSchema.safeParse(body);
    const e = parsed.success ? parsed.data.error : undefined;
    const code = e?.code;
    const subcode = e?.error_subcode;
    const raw = { status, code, subcode, type: e?.type, fbtrace_id: e?.fbtrace_id };
    if (code === 613 || code === 4 || code === 17 || code === 32 || subcode === 2018022 || (status === 429 && code === undefined)) {
      return new DeliveryError('retry', 'rate-limited', retryAfterMs(retryAfter));
    }
    if (code === 190) {
      this.opts.log.error(raw, 'messenger: the Page access token is invalid or expired (190); replace MESSENGER_PAGE_ACCESS_TOKEN — messages wait and are tried again');
      return new DeliveryError('retry', 'invalid-token', this.opts.invalidTokenRetryMs ?? 5 * 60_000);
    }
    if ((code === 10 && (subcode === undefined || subcode === 2018278 || subcode === 2018065)) || code === 551 || subcode === 1545041) {
      this.opts.log.warn(raw, 'messenger: window closed or person unavailable');
      return new DeliveryError('permanent', 'window-closed');
    }
    if (code === 100 && subcode === 2018001) return new DeliveryError('permanent', 'invalid-recipient');
    if (code === 1 || code === 2 || code === 1200 || e?.is_transient || status >= 500) return new DeliveryError('retry', code !== undefined ? `graph-${code}` : `http-${status}`);
    this.opts.log.warn(raw, 'messenger refused a message');
    if (code === 100) return new DeliveryError('permanent', 'bad-request');
    if (code === 200 || code === 10) return new DeliveryError('permanent', 'permission-denied');
    return new DeliveryError('permanent', code !== undefined ? `graph-${code}` : `http-${status}`);
  }
}

/** `Retry-After` in seconds or as an HTTP date; undefined when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
