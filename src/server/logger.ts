import { pino, type Logger } from 'pino';

/**
 * JSON logs. Tokens and anything a citizen wrote never belong in a log line; the
 * redact list is a second line of defence for fields that slip in by accident.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-telegram-bot-api-secret-token"]',
        '*.token',
        '*.text',
        'text',
        'token',
      ],
      censor: '[redacted]',
    },
  });
}
