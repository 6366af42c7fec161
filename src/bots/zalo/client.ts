/**
 * A thin client over fetch for the two Zalo calls the channel makes (no usable npm
 * package exists, shared/channels.md 2.6): the consultation message
 * (POST {openApiBase}/v3.0/oa/message/cs, header `access_token`) and the token refresh
 * (POST {oauthBase}/v4/oa/access_token, header `secret_key`, form body). Both hosts come
 * from configuration, so tests point them at a local fake.
 *
 * Zalo reports failures in the JSON body, often with HTTP 200: `error` on the Open API,
 * `error` / `error_name` / `error_description` on the token endpoint. The body is read
 * whatever the status. Nothing here logs: tokens pass through, and errors carry codes only.
 *
 * @example
 * const client = new ZaloClient({ openApiBase, oauthBase, appId, appSecret });
 * const r = await client.sendConsultation(accessToken, { recipient: { user_id }, message: { text } });
 */

export interface ZaloClientOptions {
  openApiBase: string;
  oauthBase: string;
  appId: string;
  appSecret: string;
  /** Per request. Default 8 s: a send, a refresh and the retried send stay within the outbox's 30 s lease. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** The Open API answered: error 0 with the message id, or a Zalo error code. */
export type SendResult = { ok: true; messageId: string | null } | { ok: false; error: number };

/** No answer to use: a network error, a timeout, a 5xx or a body that is not Zalo's JSON. */
export class ZaloUnavailableError extends Error {
  constructor(readonly code: string) {
    super(`zalo unavailable: ${code}`);
    this.name = 'ZaloUnavailableError';
  }
}

/**
 * What a refresh gave: a new pair (with the raw answer, to keep before it is applied),
 * a refusal (an error in the body: the refresh token is spent, revoked or unknown), or no
 * answer at all (network, timeout, 5xx: Zalo may or may not have rotated).
 */
export type RefreshOutcome =
  | { kind: 'tokens'; raw: string; tokens: RefreshedTokens }
  | { kind: 'refused'; code: string }
  | { kind: 'unavailable'; code: string };

export interface RefreshedTokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds; null when the answer did not say (or said it in a form not understood). */
  expiresIn: number | null;
}

/**
 * The tokens in a refresh answer, or null when it lacks either one (a failure, whatever
 * the HTTP status). `expires_in` is read as a number or a numeric string.
 */
export function parseRefreshAnswer(raw: string): RefreshedTokens | null {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null) return null;
  const b = body as Record<string, unknown>;
  const token = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : null);
  const accessToken = token(b.access_token);
  const refreshToken = token(b.refresh_token);
  if (!accessToken || !refreshToken) return null;
  const n = typeof b.expires_in === 'number' ? b.expires_in : typeof b.expires_in === 'string' && /^\d+$/.test(b.expires_in.trim()) ? Number(b.expires_in) : NaN;
  return { accessToken, refreshToken, expiresIn: Number.isFinite(n) && n > 0 ? n : null };
}

/** A short code from a refusal body, without its text: `error` or `error_name`, else the HTTP status. */
function refusalCode(raw: string, status: number): string {
  try {
    const b = JSON.parse(raw) as Record<string, unknown>;
    if (typeof b.error === 'number' || (typeof b.error === 'string' && /^-?\d+$/.test(b.error))) return `error-${b.error}`;
    if (typeof b.error_name === 'string') return b.error_name.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40) || `http-${status}`;
  } catch {
    // not JSON
  }
  return `http-${status}`;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export class ZaloClient {
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ZaloClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 8_000;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** One consultation message. Throws ZaloUnavailableError when there is no Zalo answer to read. */
  async sendConsultation(accessToken: string, body: Record<string, unknown>): Promise<SendResult> {
    let res: Response;
    let text: string;
    try {
      res = await this.fetch(`${this.options.openApiBase.replace(/\/$/, '')}/v3.0/oa/message/cs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', access_token: accessToken },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw new ZaloUnavailableError(err instanceof Error && err.name === 'TimeoutError' ? 'timeout' : 'network');
    }
    const parsed = parseObject(text);
    const raw = parsed?.error;
    const error = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : undefined;
    if (error === undefined) throw new ZaloUnavailableError(`http-${res.status}`);
    if (error !== 0) return { ok: false, error };
    const id = (parsed?.data as { message_id?: unknown } | undefined)?.message_id;
    return { ok: true, messageId: typeof id === 'string' || typeof id === 'number' ? String(id) : null };
  }

  /** Spends `refreshToken` for a new pair (it works once: Zalo rotates it). */
  async refresh(refreshToken: string): Promise<RefreshOutcome> {
    let res: Response;
    let raw: string;
    try {
      res = await this.fetch(`${this.options.oauthBase.replace(/\/$/, '')}/v4/oa/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', secret_key: this.options.appSecret },
        body: new URLSearchParams({ refresh_token: refreshToken, app_id: this.options.appId, grant_type: 'refresh_token' }).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      raw = await res.text();
    } catch (err) {
      return { kind: 'unavailable', code: err instanceof Error && err.name === 'TimeoutError' ? 'timeout' : 'network' };
    }
    const tokens = parseRefreshAnswer(raw);
    if (tokens) return { kind: 'tokens', raw, tokens };
    // A server error or a body that is not JSON says nothing about the refresh token.
    let json = true;
    try {
      JSON.parse(raw);
    } catch {
      json = false;
    }
    if (res.status >= 500 || res.status === 429 || !json) return { kind: 'unavailable', code: `http-${res.status}` };
    return { kind: 'refused', code: refusalCode(raw, res.status) };
  }
}
