import { pino, type Logger } from 'pino';

/** Bot API URLs carry the token in their path ("…/bot123456:ABC…/sendMessage"). */
const TOKEN_IN_URL = /bot\d+:[A-Za-z0-9_-]+/g;
/** Access tokens in query strings or headers copied into a message. */
const TOKEN_PARAM = /(access_token|token)=([^&\s"']+)/gi;

const scrub = (text: unknown): string | undefined =>
  typeof text === 'string' ? text.replace(TOKEN_IN_URL, 'bot[redacted]').replace(TOKEN_PARAM, '$1=[redacted]') : undefined;

/**
 * An error as a log may show it: its kind, code, message and stack with tokens scrubbed,
 * and nothing else. Platform client errors carry the request they failed on (telegraf's
 * `err.on.payload` holds the chat id and the whole reply text; HTTP errors hold headers):
 * none of that is copied.
 *
 * @example log.error({ err }, 'send failed') // {"err":{"type":"TelegramError","code":403,"message":"403: Forbidden: …"}}
 */
export function safeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err };
  const code = (err as { code?: unknown }).code;
  return {
    type: err.name,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    message: scrub(err.message),
    stack: scrub(err.stack),
  };
}

/**
 * JSON logs. Tokens and anything a citizen wrote never belong in a log line: errors go
 * through safeError, and the redact list is a second line of defence for fields that slip
 * in by accident.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      serializers: { err: safeError, error: safeError },
      redact: {
        paths: ['req.headers.authorization', 'req.headers["x-telegram-bot-api-secret-token"]', '*.token', '*.text', 'text', 'token', '*.payload', '*.chat_id'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
