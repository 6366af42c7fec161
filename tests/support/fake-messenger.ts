/**
 * A local stand-in for Meta's Graph API as the Messenger channel uses it (reference
 * ../shared/channels.md section 6): `POST /<ver>/me/messages` and `/<ver>/<PAGE_ID>/messages`
 * answering `{ recipient_id, message_id }`, `pass_thread_control` / `take_thread_control`
 * answering `{ success: true }`, `GET /<ver>/<PAGE_ID>/subscribed_apps`. Every call must
 * carry the Page token as `access_token` (and, when the fake knows the app secret, a
 * matching `appsecret_proof`), else it gets Meta's 190 OAuthException. Every request is
 * recorded; canned errors in Meta's envelope come on demand (the next n sends, or every
 * send to one PSID), and sends can be held unanswered (a process killed mid-send) or
 * answered after a delay (a slow platform: the call has arrived while the caller waits).
 *
 * Also here: webhook bodies shaped like Meta's, serialised as Meta does (non-ASCII as
 * \uXXXX, "/" as "\/"), and their X-Hub-Signature-256.
 */
import { createHmac } from 'node:crypto';
import express from 'express';
import { listen } from './http.js';

export const TEST_APP_SECRET = 'test-app-secret';
export const TEST_VERIFY_TOKEN = 'verify-token-0123456789';
export const TEST_PAGE_TOKEN = 'fake-page-token-for-tests';
export const TEST_PAGE_ID = '1234567890123';
export const TEST_GRAPH_VERSION = 'v25.0';

/** Meta's error envelopes for the codes the reference lists. */
export const GRAPH_ERRORS = {
  'rate-limit': { status: 400, error: { message: '(#613) Calls to this api have exceeded the rate limit.', type: 'OAuthException', code: 613, fbtrace_id: 'AbCdEf1' } },
  'too-many-sends': { status: 400, error: { message: '(#4) Application request limit reached', type: 'OAuthException', code: 4, error_subcode: 2018022, is_transient: true, fbtrace_id: 'AbCdEf2' } },
  'invalid-token': { status: 400, error: { message: 'Error validating access token: Session has expired.', type: 'OAuthException', code: 190, error_subcode: 463, fbtrace_id: 'AbCdEf3' } },
  'window-closed': { status: 400, error: { message: '(#10) This message is sent outside of allowed window.', type: 'OAuthException', code: 10, error_subcode: 2018278, fbtrace_id: 'AbCdEf4' } },
  unavailable: { status: 400, error: { message: "(#551) This person isn't available right now.", type: 'OAuthException', code: 551, error_subcode: 1545041, fbtrace_id: 'AbCdEf5' } },
  'no-user': { status: 400, error: { message: '(#100) No matching user found', type: 'OAuthException', code: 100, error_subcode: 2018001, fbtrace_id: 'AbCdEf6' } },
  temporary: { status: 500, error: { message: 'An unexpected error has occurred. Please retry your request later.', type: 'OAuthException', code: 2, is_transient: true, fbtrace_id: 'AbCdEf7' } },
} as const;
export type GraphErrorKind = keyof typeof GRAPH_ERRORS;

export interface GraphCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, any>;
  /** The canned error it got, if any. */
  failed?: GraphErrorKind;
  at: number;
}

export async function startFakeMessenger(opts: { token?: string; pageId?: string; version?: string; appSecret?: string } = {}) {
  const token = opts.token ?? TEST_PAGE_TOKEN;
  const pageId = opts.pageId ?? TEST_PAGE_ID;
  const version = opts.version ?? TEST_GRAPH_VERSION;
  let acceptedToken = token;
  const calls: GraphCall[] = [];
  const failNext: GraphErrorKind[] = [];
  const failFor = new Map<string, GraphErrorKind>();
  let holding = false;
  const held: Array<() => void> = [];
  let sendDelayMs = 0;
  const delayed = new Set<NodeJS.Timeout>();
  let nextMid = 1;

  const app = express();
  app.use(express.json());
  const authorised = (query: Record<string, string>) => {
    if (query.access_token !== acceptedToken) return false;
    if (opts.appSecret && query.appsecret_proof !== createHmac('sha256', opts.appSecret).update(acceptedToken).digest('hex')) return false;
    return true;
  };
  const fail = (res: express.Response, call: GraphCall, kind: GraphErrorKind) => {
    call.failed = kind;
    const { status, error } = GRAPH_ERRORS[kind];
    res.status(status).json({ error });
  };

  app.use((req, res, next) => {
    const query = Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, String(v)]));
    const call: GraphCall = { method: req.method, path: req.path, query, body: (req.body ?? {}) as Record<string, any>, at: Date.now() };
    calls.push(call);
    if (!req.path.startsWith(`/${version}/`)) return res.status(400).json({ error: { message: 'Unknown path components', type: 'OAuthException', code: 2500 } });
    if (!authorised(query)) return fail(res, call, 'invalid-token');
    (req as any).call = call;
    next();
  });

  const sendMessage = (req: express.Request, res: express.Response) => {
    const call = (req as any).call as GraphCall;
    const psid = String(call.body.recipient?.id ?? '');
    const canned = failFor.get(psid) ?? failNext.shift();
    if (canned) return fail(res, call, canned);
    if (!psid || (!call.body.message && !call.body.sender_action)) {
      return res.status(400).json({ error: { message: '(#100) The parameter recipient is required', type: 'OAuthException', code: 100, fbtrace_id: 'AbCdEf8' } });
    }
    const answer = () => res.json({ recipient_id: psid, message_id: `m_fake${nextMid++}` });
    if (holding) held.push(answer);
    else if (sendDelayMs > 0) {
      const timer = setTimeout(() => {
        delayed.delete(timer);
        // The client may be gone (a process killed mid-send): Meta got the message all the same.
        if (!res.destroyed) answer();
      }, sendDelayMs);
      delayed.add(timer);
    } else answer();
  };
  app.post(`/${version}/me/messages`, sendMessage);
  app.post(`/${version}/${pageId}/messages`, sendMessage);
  app.post(`/${version}/${pageId}/pass_thread_control`, (_req, res) => res.json({ success: true }));
  app.post(`/${version}/${pageId}/take_thread_control`, (_req, res) => res.json({ success: true }));
  app.get(`/${version}/${pageId}/subscribed_apps`, (_req, res) =>
    res.json({ data: [{ id: '555000111', name: 'Tro ly CTXH', subscribed_fields: ['messages', 'messaging_postbacks', 'message_echoes', 'messaging_handovers', 'standby'] }] }),
  );
  const http = await listen(app);
  const isSend = (c: GraphCall) => c.method === 'POST' && /\/messages$/.test(c.path);
  return {
    base: http.url,
    version,
    calls,
    /** Send API calls that were accepted (held ones included: Meta got them). */
    sends: () => calls.filter((c) => isSend(c) && !c.failed),
    /** Accepted sends to one PSID. */
    sendsTo: (psid: string) => calls.filter((c) => isSend(c) && !c.failed && String(c.body.recipient?.id) === psid),
    /** Every Send API call to one PSID, failed ones too. */
    attemptsTo: (psid: string) => calls.filter((c) => isSend(c) && String(c.body.recipient?.id) === psid),
    /** The next sends (in order) get these errors. */
    failNext: (...kinds: GraphErrorKind[]) => failNext.push(...kinds),
    /** Every send to this PSID gets this error (null: none again). */
    failFor: (psid: string, kind: GraphErrorKind | null) => (kind ? failFor.set(psid, kind) : failFor.delete(psid)),
    /** From now on only this token is valid (a revoked token: pass another; a fixed one: pass it back). */
    acceptToken: (t: string) => {
      acceptedToken = t;
    },
    /** Sends are recorded but not answered until release() (a process killed mid-send). */
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const answer of held.splice(0)) answer();
    },
    /** Sends are recorded on arrival and answered after this many ms (0: at once), as a slow Meta would. */
    delaySends: (ms: number) => {
      sendDelayMs = ms;
    },
    close: async () => {
      holding = false;
      for (const timer of delayed) clearTimeout(timer);
      delayed.clear();
      for (const answer of held.splice(0)) {
        try {
          answer();
        } catch {
          // the client is gone
        }
      }
      await http.close();
    },
  };
}
export type FakeMessenger = Awaited<ReturnType<typeof startFakeMessenger>>;

// ---------------------------------------------------------------------------------------
// Webhook bodies, as Meta sends them

/** JSON as Meta serialises it: non-ASCII characters as \uXXXX and "/" as "\/". */
export function metaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function sign(rawBody: string | Buffer, secret = TEST_APP_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

let clock = 1795300000000;
const nextTimestamp = () => (clock += 1000);

export function textItem(psid: string, mid: string, text: string, timestamp = nextTimestamp(), pageId = TEST_PAGE_ID) {
  return { sender: { id: psid }, recipient: { id: pageId }, timestamp, message: { mid, text } };
}

export function quickReplyItem(psid: string, mid: string, title: string, payload: string, timestamp = nextTimestamp(), pageId = TEST_PAGE_ID) {
  return { sender: { id: psid }, recipient: { id: pageId }, timestamp, message: { mid, text: title, quick_reply: { payload } } };
}

export function postbackItem(psid: string, mid: string | undefined, title: string | undefined, payload: string | undefined, timestamp = nextTimestamp(), pageId = TEST_PAGE_ID) {
  return {
    sender: { id: psid },
    recipient: { id: pageId },
    timestamp,
    postback: { ...(mid ? { mid } : {}), ...(title !== undefined ? { title } : {}), ...(payload !== undefined ? { payload } : {}) },
  };
}

export function attachmentItem(psid: string, mid: string, type: string, payload: Record<string, unknown>, timestamp = nextTimestamp(), pageId = TEST_PAGE_ID) {
  return { sender: { id: psid }, recipient: { id: pageId }, timestamp, message: { mid, attachments: [{ type, payload }] } };
}

/** An echo of a message the Page sent: sender and recipient swapped, `is_echo`. */
export function echoItem(psid: string, mid: string, text: string, timestamp = nextTimestamp(), pageId = TEST_PAGE_ID, appId = 263902037430900) {
  return { sender: { id: pageId }, recipient: { id: psid }, timestamp, message: { mid, is_echo: true, app_id: appId, text } };
}

export function readItem(psid: string, pageId = TEST_PAGE_ID) {
  return { sender: { id: psid }, recipient: { id: pageId }, timestamp: nextTimestamp(), read: { watermark: clock - 500 } };
}

export function deliveryItem(psid: string, pageId = TEST_PAGE_ID) {
  return { sender: { id: psid }, recipient: { id: pageId }, delivery: { mids: ['m_x'], watermark: clock } };
}

export function reactionItem(psid: string, mid: string, pageId = TEST_PAGE_ID) {
  return { sender: { id: psid }, recipient: { id: pageId }, timestamp: nextTimestamp(), reaction: { reaction: 'love', emoji: '❤', action: 'react', mid } };
}

export function entry(items: unknown[], opts: { pageId?: string; standby?: unknown[] } = {}) {
  return { id: opts.pageId ?? TEST_PAGE_ID, time: nextTimestamp(), messaging: items, ...(opts.standby ? { standby: opts.standby } : {}) };
}

export function pageEvent(...entries: unknown[]) {
  return { object: 'page', entry: entries };
}

/** POSTs a webhook body (an object is serialised as Meta does) with its signature, or with the given header value. */
export function postWebhook(url: string, body: unknown, signature: string | null | 'sign' = 'sign', secret = TEST_APP_SECRET) {
  const raw = typeof body === 'string' ? body : metaJson(body);
  const header = signature === 'sign' ? sign(raw, secret) : signature;
  return fetch(`${url}/messenger/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(header ? { 'x-hub-signature-256': header } : {}) },
    body: raw,
  });
}

/** The channel's environment for an assistant talking to this fake. */
export function messengerEnv(fake: { base: string; version: string }, extra: Record<string, string> = {}): Record<string, string> {
  return {
    MESSENGER_APP_SECRET: TEST_APP_SECRET,
    MESSENGER_VERIFY_TOKEN: TEST_VERIFY_TOKEN,
    MESSENGER_PAGE_ACCESS_TOKEN: TEST_PAGE_TOKEN,
    MESSENGER_PAGE_ID: TEST_PAGE_ID,
    META_GRAPH_BASE: fake.base,
    META_GRAPH_VERSION: fake.version,
    ...extra,
  };
}
