import { createHash } from 'node:crypto';
import express from 'express';
import { listen } from './http.js';

/**
 * A local stand-in for Zalo's Open API and OAuth hosts (shared/channels.md section 6),
 * recording every request:
 *
 * - POST /v3.0/oa/message/cs checks the `access_token` header: a missing, unknown or
 *   expired token answers error -216 (HTTP 200, as Zalo does); otherwise error 0 and a
 *   message_id, or an error it was told to give (-32, -230 …);
 * - POST /v4/oa/access_token (form body, `secret_key` header) rotates: each refresh token
 *   works once and returns a new pair; a reused or unknown one is refused with an error body
 *   and HTTP 200, as the real service answers.
 *
 * Tokens are made here ("A1"/"R1" …); `issuePair()` gives the pair a centre would configure.
 */
export interface ZaloCall {
  path: string;
  headers: Record<string, string | undefined>;
  body: Record<string, any>;
  /** The Zalo error code answered (0 = success). */
  error: number;
}

export interface FakeZaloOptions {
  appId: string;
  appSecret: string;
  /** expires_in of new access tokens, in seconds (sent as a string, as some sources show). Default 90000 (25 h). */
  accessTtlSeconds?: number;
}

export async function startFakeZalo(options: FakeZaloOptions) {
  const ttl = options.accessTtlSeconds ?? 90_000;
  const calls: ZaloCall[] = [];
  /** access token → expiry (epoch ms) */
  const access = new Map<string, number>();
  /** refresh token → still usable */
  const refresh = new Map<string, boolean>();
  const presented: string[] = [];
  const sendErrors: number[] = [];
  const closedWindows = new Set<string>();
  let holdMs = 0;
  let n = 0;
  let nextMessage = 1;
  let beforeRefreshAnswer: ((refreshToken: string) => void | Promise<void>) | undefined;

  const issuePair = (accessTtlSeconds = ttl) => {
    n++;
    const pair = { accessToken: `A${n}-${Math.random().toString(36).slice(2, 10)}`, refreshToken: `R${n}-${Math.random().toString(36).slice(2, 10)}` };
    access.set(pair.accessToken, Date.now() + accessTtlSeconds * 1000);
    refresh.set(pair.refreshToken, true);
    return pair;
  };

  const app = express();
  app.post('/v3.0/oa/message/cs', express.json(), (req, res) => {
    const token = req.get('access_token');
    const body = (req.body ?? {}) as Record<string, any>;
    const answer = (error: number, extra: Record<string, unknown> = {}) => {
      calls.push({ path: req.path, headers: { access_token: token }, body, error });
      res.json({ error, message: error === 0 ? 'Success' : `error ${error}`, ...extra });
    };
    const expiry = token ? access.get(token) : undefined;
    if (expiry === undefined || expiry <= Date.now()) return answer(-216);
    if (sendErrors.length) return answer(sendErrors.shift()!);
    const userId = String(body.recipient?.user_id ?? '');
    if (closedWindows.has(userId)) return answer(-230);
    const messageId = `zm${nextMessage++}`;
    const deliver = () => answer(0, { data: { message_id: messageId, user_id: userId } });
    // Held answers: the message has arrived (recorded now) while the caller still waits.
    if (holdMs > 0) {
      calls.push({ path: req.path, headers: { access_token: token }, body, error: 0 });
      setTimeout(() => res.json({ error: 0, message: 'Success', data: { message_id: messageId, user_id: userId } }), holdMs);
      return;
    }
    deliver();
  });
  app.post('/v4/oa/access_token', express.urlencoded({ extended: false }), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, any>;
    const record = (error: number) => calls.push({ path: req.path, headers: { secret_key: req.get('secret_key') }, body, error });
    const refuse = (error: number, name: string) => {
      record(error);
      res.json({ error, error_name: name, error_reason: name, error_description: name, ref_doc: 'https://developers.zalo.me' });
    };
    if (req.get('secret_key') !== options.appSecret) return refuse(-14002, 'Invalid secret key');
    if (body.app_id !== options.appId) return refuse(-14001, 'Invalid app id');
    if (body.grant_type !== 'refresh_token') return refuse(-14003, 'Invalid grant type');
    const token = String(body.refresh_token ?? '');
    presented.push(token);
    if (beforeRefreshAnswer) await beforeRefreshAnswer(token);
    if (refresh.get(token) !== true) return refuse(-14014, 'Invalid refresh token');
    refresh.set(token, false);
    const pair = issuePair();
    record(0);
    res.json({ access_token: pair.accessToken, refresh_token: pair.refreshToken, expires_in: String(ttl) });
  });
  const http = await listen(app);

  return {
    url: http.url,
    calls,
    /** A pair as an OA admin's consent gives it (what ZALO_REFRESH_TOKEN / ZALO_ACCESS_TOKEN hold). */
    issuePair,
    /** Consultation messages that arrived (error 0). */
    sends: () => calls.filter((c) => c.path === '/v3.0/oa/message/cs' && c.error === 0),
    sendsTo: (userId: string) => calls.filter((c) => c.path === '/v3.0/oa/message/cs' && c.error === 0 && String(c.body.recipient?.user_id) === userId),
    /** Every refresh call, answered or refused. */
    refreshCalls: () => calls.filter((c) => c.path === '/v4/oa/access_token'),
    /** Refresh tokens presented, in order (a token appearing twice was reused). */
    presented,
    /** Refresh tokens presented more than once. */
    reused: () => presented.filter((t, i) => presented.indexOf(t) !== i),
    /** The next sends answer these error codes, in order (after the token check). */
    failSends: (...codes: number[]) => sendErrors.push(...codes),
    /** Sends to this user answer -230 (no interaction in the last 7 days). */
    closeWindow: (userId: string) => closedWindows.add(userId),
    /** Send answers are held this long (the message counts as arrived when received). */
    holdSends: (ms: number) => {
      holdMs = ms;
    },
    /** An access token runs out now (sends with it answer -216). */
    expireAccess: (token: string) => access.set(token, 0),
    /** A refresh token stops working (spent elsewhere, revoked). */
    revokeRefresh: (token: string) => refresh.set(token, false),
    isLiveAccess: (token: string) => (access.get(token) ?? 0) > Date.now(),
    /** Runs before a refresh is answered (with the token presented). */
    beforeRefreshAnswer: (hook: ((refreshToken: string) => void | Promise<void>) | undefined) => {
      beforeRefreshAnswer = hook;
    },
    close: http.close,
  };
}

export type FakeZalo = Awaited<ReturnType<typeof startFakeZalo>>;

/** JSON with every non-ASCII character as a \u escape, as Zalo's and Meta's servers send it. */
export function escapedJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** X-ZEvent-Signature for a raw body: mac=SHA-256(app_id + body + timestamp + key) (shared/channels.md 2.1). */
export function zaloSignature(appId: string, raw: string, timestamp: string, key: string): string {
  return `mac=${createHash('sha256').update(appId + raw + timestamp + key, 'utf8').digest('hex')}`;
}

export interface EventParty {
  appId: string;
  oaId: string;
  userId: string;
}

/** A user_send_* event shaped as the reference shows it. */
export function userEvent(
  party: EventParty,
  eventName: string,
  message: Record<string, unknown>,
  timestamp = String(Date.now()),
): Record<string, unknown> {
  return {
    app_id: party.appId,
    user_id_by_app: `app-${party.userId}`,
    event_name: eventName,
    timestamp,
    sender: { id: party.userId },
    recipient: { id: party.oaId },
    message,
  };
}

export function textEvent(party: EventParty, msgId: string, text: string, timestamp?: string) {
  return userEvent(party, 'user_send_text', { msg_id: msgId, text }, timestamp);
}

/** The settings that turn Zalo on against this fake, with the tokens the store starts from. */
export function zaloEnv(
  fake: FakeZalo,
  app: { appId: string; appSecret: string; oaSecret: string; oaId: string; tokenKey: string },
  seed: { accessToken: string; refreshToken: string },
): Record<string, string> {
  return {
    ZALO_APP_ID: app.appId,
    ZALO_APP_SECRET: app.appSecret,
    ZALO_OA_SECRET_KEY: app.oaSecret,
    ZALO_OA_ID: app.oaId,
    ZALO_REFRESH_TOKEN: seed.refreshToken,
    ZALO_ACCESS_TOKEN: seed.accessToken,
    ZALO_OPENAPI_BASE: fake.url,
    ZALO_OAUTH_BASE: fake.url,
    CHANNEL_TOKEN_KEY: app.tokenKey,
  };
}
