import { z } from 'zod';
import { DEFAULT_TEAMS_SPEC, parseTeams } from '../handoff/teams.js';
import { parseOfficeHours } from '../handoff/office-hours.js';
import { routingMethodNames } from '../handoff/routing/registry.js';

/**
 * Every setting, parsed once at start. A wrong value stops start-up with a message that
 * names the variable, so a centre's IT person can fix .env without reading code.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));

const unit = z.coerce.number().min(0).max(1);

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3978),
    DATA_DIR: z.string().min(1).default('./data'),
    MONGODB_URI: optionalString.pipe(
      z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional(),
    ),
    MONGODB_DB: z.string().min(1).default('tro_ly_ctxh'),
    KNOWLEDGE_DIR: z.string().min(1).default('./knowledge'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TRUST_PROXY: z
      .string()
      .default('false')
      .transform((v, ctx): false | number | string => {
        const t = v.trim().toLowerCase();
        if (t === '' || t === 'false' || t === '0' || t === 'no') return false;
        if (/^\d+$/.test(t)) return Number(t);
        if (t === 'true' || t === 'yes') {
          ctx.addIssue({ code: 'custom', message: 'give the number of proxies in front (e.g. 1) or their addresses: "true" would trust whatever X-Forwarded-For a client sends' });
          return z.NEVER;
        }
        const parts = t.split(',').map((p) => p.trim()).filter(Boolean);
        const address = /^(loopback|linklocal|uniquelocal|[0-9a-f.:]+(\/\d{1,3})?)$/;
        if (parts.length === 0 || !parts.every((p) => address.test(p))) {
          ctx.addIssue({ code: 'custom', message: 'must be false, a number of proxy hops, or proxy addresses (IP, CIDR, loopback, linklocal, uniquelocal), comma-separated' });
          return z.NEVER;
        }
        return parts.join(', ');
      }),
    INBOUND_RETRY_SECONDS: z.coerce.number().min(1).max(86_400).default(60),

    CENTRE_NAME: z.string().min(1).default('Trung tâm Công tác xã hội'),
    CENTRE_HOTLINE: optionalString,
    CENTRE_ADDRESS: optionalString,
    CENTRE_HOURS: optionalString,

    DIRECTLINE_TOKEN_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    DIRECTLINE_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
    DIRECTLINE_TOKENS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(20),
    DIRECTLINE_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    DIRECTLINE_UPLOAD_MAX_BYTES: z.coerce.number().int().min(1024).max(15 * 1024 * 1024).default(5 * 1024 * 1024),
    DIRECTLINE_UPLOAD_TYPES: z
      .string()
      .default('image/jpeg,image/png,image/webp,image/gif,audio/mpeg,audio/mp4,audio/aac,audio/ogg,audio/webm,audio/wav,audio/x-m4a')
      .transform((v) => v.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean)),
    DIRECTLINE_STREAM_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
    ALLOWED_ORIGINS: z
      .string()
      .default('')
      .transform((v, ctx): string[] => {
        const parts = v.split(',').map((p) => p.trim().replace(/\/$/, '')).filter(Boolean);
        const bad = parts.filter((p) => p !== '*' && !/^https?:\/\/[^/\s]+$/.test(p));
        if (bad.length > 0) {
          ctx.addIssue({ code: 'custom', message: `each origin is scheme://host[:port] with no path, or *: ${bad.join(', ')}` });
          return z.NEVER;
        }
        return parts;
      }),

    TELEGRAM_BOT_TOKEN: optionalString.pipe(
      z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, 'must look like 123456:ABC-DEF').optional(),
    ),
    TELEGRAM_MODE: z.enum(['polling', 'webhook']).default('polling'),
    TELEGRAM_WEBHOOK_SECRET: optionalString.pipe(
      z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16-256 of A-Z a-z 0-9 _ -').optional(),
    ),
    TELEGRAM_API_ROOT: z.url().default('https://api.telegram.org'),

    MESSENGER_APP_SECRET: optionalString,
    MESSENGER_VERIFY_TOKEN: optionalString,
    MESSENGER_PAGE_ACCESS_TOKEN: optionalString,
    MESSENGER_PAGE_ID: optionalString,
    MESSENGER_HUMAN_AGENT: bool.default(true),
    META_GRAPH_BASE: z.url().default('https://graph.facebook.com'),
    META_GRAPH_VERSION: z.string().regex(/^v\d+\.\d+$/, 'must look like v25.0').default('v25.0'),

    ZALO_APP_ID: optionalString,
    ZALO_APP_SECRET: optionalString,
    ZALO_OA_SECRET_KEY: optionalString,
    ZALO_OA_ID: optionalString,
    ZALO_REFRESH_TOKEN: optionalString,
    ZALO_ACCESS_TOKEN: optionalString,
    ZALO_OPENAPI_BASE: z.url().default('https://openapi.zalo.me'),
    ZALO_OAUTH_BASE: z.url().default('https://oauth.zaloapp.com'),
    ZALO_BUTTONS: z.enum(['buttons', 'numbered']).default('buttons'),
    ZALO_MAX_BUTTONS: z.coerce.number().int().min(1).max(10).default(4),
    ZALO_MAX_TEXT: z.coerce.number().int().min(100).max(10_000).default(2000),
    ZALO_BEYOND_FREE_WINDOW: z.enum(['send', 'refuse']).default('send'),
    ZALO_REPLY_BY_MESSAGE_ID: bool.default(false),
    ZALO_WEBHOOK_MAX_AGE_SECONDS: z.coerce.number().int().min(60).max(86_400).default(600),
    CHANNEL_TOKEN_KEY: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),

    FAQ_ANSWER_THRESHOLD: unit.default(0.5),
    FAQ_CLARIFY_THRESHOLD: unit.default(0.42),

    CHECK_IN_ESCALATE_SECONDS: z.coerce.number().int().min(30).max(3600).default(180),
    TRIAGE_LLM_SECOND_OPINION: bool.default(false),
    RISK_LEXICON_DIR: optionalString,

    CASE_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(730),
    MESSAGE_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(180),
    CONSENT_TEXT_VERSION: z.string().min(1).default('2026-11-30'),
    CHILD_CONSENT_AGE: z.coerce.number().int().min(1).max(18).default(16),
    INTAKE_RESUME_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    RETENTION_SWEEP_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),

    HANDOFF_TEAMS: z.string().default(DEFAULT_TEAMS_SPEC),
    HANDOFF_ROUTING: z.string().default('manual'),
    HANDOFF_REOPEN_MINUTES: z.coerce.number().int().min(0).max(43_200).default(60),
    HANDOFF_ABANDON_HOURS: z.coerce.number().int().min(1).max(8760).default(72),
    COUNSELLOR_IDLE_MINUTES: z.coerce.number().int().min(1).max(1440).default(10),
    ESCALATE_UNCLAIMED_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
    ESCALATE_URGENT_UNCLAIMED_MINUTES: z.coerce.number().int().min(1).max(1440).default(3),
    OFFICE_HOURS: z.string().default(''),
    ONCALL_TELEGRAM_CHAT_ID: optionalString.pipe(z.string().regex(/^-?\d+$|^@[A-Za-z0-9_]{5,}$/, 'must be a Telegram chat id (digits, maybe with -) or @channelname').optional()),
    PUBLIC_URL: optionalString.pipe(z.url().optional()),
    KNOWLEDGE_POLL_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
    KB_REVIEW_AFTER_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
    CONSOLE_SECURE_COOKIES: bool.default(true),
    CONSOLE_LOGIN_PER_MINUTE: z.coerce.number().int().min(1).max(1000).default(10),
    CONSOLE_LOCK_AFTER: z.coerce.number().int().min(1).max(100).default(5),
    CONSOLE_LOCK_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
    CANNED_RESPONSES_FILE: z.string().min(1).default('./config/canned-responses.yaml'),
    METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),

    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: optionalString.pipe(z.url().optional()),
    LLM_MODEL: z.string().min(1).default('gpt-4o-mini'),
    EMBEDDINGS_MODEL: optionalString,
  })
  .superRefine((c, ctx) => {
    if (c.TELEGRAM_BOT_TOKEN && c.TELEGRAM_MODE === 'webhook' && !c.TELEGRAM_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['TELEGRAM_WEBHOOK_SECRET'],
        message: 'is required when TELEGRAM_MODE=webhook',
      });
    }
    const problem = (path: string, fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: [path], message: err instanceof Error ? err.message : String(err) });
      }
    };
    problem('HANDOFF_TEAMS', () => parseTeams(c.HANDOFF_TEAMS));
    problem('OFFICE_HOURS', () => parseOfficeHours(c.OFFICE_HOURS));
    if (!routingMethodNames().includes(c.HANDOFF_ROUTING)) {
      ctx.addIssue({ code: 'custom', path: ['HANDOFF_ROUTING'], message: `must be one of ${routingMethodNames().join(', ')}` });
    }
    if (c.ONCALL_TELEGRAM_CHAT_ID && !c.TELEGRAM_BOT_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['ONCALL_TELEGRAM_CHAT_ID'], message: 'needs TELEGRAM_BOT_TOKEN (the alert is sent by the centre\'s Telegram bot)' });
    }
    // A channel is on when its credentials are all there; some but not all is a mistake worth stopping for.
    const messenger = ['MESSENGER_APP_SECRET', 'MESSENGER_VERIFY_TOKEN', 'MESSENGER_PAGE_ACCESS_TOKEN'] as const;
    const zalo = ['ZALO_APP_ID', 'ZALO_APP_SECRET', 'ZALO_OA_SECRET_KEY'] as const;
    for (const group of [messenger, zalo]) {
      const given = group.filter((k) => c[k]);
      if (given.length > 0 && given.length < group.length) {
        for (const k of group.filter((k) => !c[k])) ctx.addIssue({ code: 'custom', path: [k], message: `is required with ${given.join(', ')}` });
      }
    }
    if (c.ZALO_APP_ID && !c.CHANNEL_TOKEN_KEY) {
      ctx.addIssue({ code: 'custom', path: ['CHANNEL_TOKEN_KEY'], message: 'is required with Zalo: the OA tokens are stored encrypted with it' });
    }
    if (c.FAQ_CLARIFY_THRESHOLD > c.FAQ_ANSWER_THRESHOLD) {
      ctx.addIssue({
        code: 'custom',
        path: ['FAQ_CLARIFY_THRESHOLD'],
        message: 'must not be above FAQ_ANSWER_THRESHOLD',
      });
    }
  });

export type Config = z.infer<typeof schema>;

/** Every setting's name (.env.example documents each one). */
export const CONFIG_KEYS: readonly string[] = Object.keys(schema.shape);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses settings from an environment (process.env by default). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
}

/** Centre facts that fill the {{centre.*}} placeholders in knowledge entries. */
export interface CentreInfo {
  name: string;
  hotline?: string;
  address?: string;
  hours?: string;
}

export function centreInfo(config: Config): CentreInfo {
  return {
    name: config.CENTRE_NAME,
    hotline: config.CENTRE_HOTLINE,
    address: config.CENTRE_ADDRESS,
    hours: config.CENTRE_HOURS,
  };
}
