/**
 * Console login API, mounted at /console/api:
 *
 *   POST /login   {username, password} → cookie + { staff, csrfToken }
 *   POST /logout  (X-CSRF-Token) → 204, session deleted, cookie cleared
 *   GET  /me      → { staff, csrfToken } or 401
 *
 * Failed logins are limited twice: per IP (express-rate-limit, per process) and per
 * account (store.staff.recordFailedLogin: locked for lockMinutes after lockAfter failures
 * in a row, across instances). No answer tells whether a username exists: an unknown
 * username is checked against a dummy hash (same time) and "locks" the same way, in memory.
 */
import { createHash } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import type { Staff, Store } from '../../store/types.js';
import { authOf, forgetSession, loadStaff, markTouched, requireCsrf, requireStaff } from './middleware.js';
import { dummyPasswordHash, verifyPassword } from './passwords.js';
import {
  SESSION_COOKIE,
  clearCookieOptions,
  cookieOptions,
  hashToken,
  newCsrfToken,
  newSessionToken,
  sessionExpiry,
} from './session.js';

export interface AuthRouterOptions {
  store: Pick<Store, 'staff' | 'sessions' | 'audit'>;
  now: () => Date;
  /** Secure attribute on the session cookie (off only for plain-HTTP test setups). */
  secureCookies: boolean;
  /** Failed login requests per IP per minute (successful ones are not counted). */
  loginPerMinute: number;
  /** Failures in a row before an account is locked. */
  lockAfter: number;
  lockMinutes: number;
}

/** What the console may see of an account: a whitelist, so new secret fields never leak. */
export interface PublicStaff {
  id: string;
  username: string;
  displayName: string;
  role: Staff['role'];
  teams: string[];
  communeCodes: string[];
  maxOpen: number;
  presence: Staff['presence'];
  presenceAt: Date;
  lastActiveAt: Date | null;
  createdAt: Date;
  disabled: boolean;
  canEditKnowledge: boolean;
}

export function publicStaff(staff: Staff): PublicStaff {
  return {
    id: staff.id,
    username: staff.username,
    displayName: staff.displayName,
    role: staff.role,
    teams: [...staff.teams],
    communeCodes: [...staff.communeCodes],
    maxOpen: staff.maxOpen,
    presence: staff.presence,
    presenceAt: staff.presenceAt,
    lastActiveAt: staff.lastActiveAt,
    createdAt: staff.createdAt,
    disabled: staff.disabled,
    canEditKnowledge: staff.canEditKnowledge,
  };
}

const loginSchema = z.object({
  username: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(1024),
});

const MESSAGES = {
  invalidBody: 'Vui lòng nhập tên đăng nhập và mật khẩu.',
  badCredentials: 'Tên đăng nhập hoặc mật khẩu không đúng.',
  rateLimited: 'Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau một phút.',
  locked: (minutes: number) =>
    `Tài khoản đang tạm khóa vì đăng nhập sai nhiều lần. Vui lòng thử lại sau ${minutes} phút nữa.`,
};

function fail(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/**
 * Failed logins for usernames that do not exist, counted like real accounts (per process,
 * bounded): so that "locked after N failures" shows for any name, not only existing ones.
 */
class UnknownNameLocks {
  private readonly entries = new Map<string, { failures: number; lockedUntil: number }>();
  constructor(
    private readonly lockAfter: number,
    private readonly lockMs: number,
    private readonly limit = 10_000,
  ) {}

  private key(username: string): string {
    return createHash('sha256').update(username, 'utf8').digest('hex');
  }

  lockedUntil(username: string, nowMs: number): number | null {
    const entry = this.entries.get(this.key(username));
    return entry && entry.lockedUntil > nowMs ? entry.lockedUntil : null;
  }

  /** Counts a failure; returns the lock end when this failure locks it. */
  fail(username: string, nowMs: number): number | null {
    const key = this.key(username);
    const entry = this.entries.get(key) ?? { failures: 0, lockedUntil: 0 };
    this.entries.delete(key); // re-insert: Map order is then least recently failed first
    entry.failures += 1;
    let locked: number | null = null;
    if (entry.failures >= this.lockAfter) {
      entry.failures = 0;
      entry.lockedUntil = nowMs + this.lockMs;
      locked = entry.lockedUntil;
    }
    this.entries.set(key, entry);
    while (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return locked;
  }
}

export function authRouter(options: AuthRouterOptions): express.Router {
  const { store, now, secureCookies, lockAfter } = options;
  const lockMs = options.lockMinutes * 60_000;
  const unknownNames = new UnknownNameLocks(lockAfter, lockMs);
  const router = express.Router();

  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use(loadStaff({ store, now, secureCookies }));
  // Only the login's own small body is read here; the console API parses its larger ones.
  const loginBody = express.json({ limit: '8kb' });

  const loginLimiter = rateLimit({
    windowMs: 60_000,
    limit: options.loginPerMinute,
    // A centre's staff often share one public IP: only failed attempts count.
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, res) => fail(res, 429, 'rate-limited', MESSAGES.rateLimited),
  });

  const audit = (at: Date, actor: string, action: string, subject: string, detail?: Record<string, unknown>) =>
    store.audit.append({ at, actor, action, subject, ...(detail ? { detail } : {}) });

  const answerLocked = (res: Response, lockedUntilMs: number, nowMs: number) => {
    const seconds = Math.max(1, Math.ceil((lockedUntilMs - nowMs) / 1000));
    res.set('Retry-After', String(seconds));
    fail(res, 423, 'locked', MESSAGES.locked(Math.ceil(seconds / 60)));
  };

  router.post('/login', loginLimiter, loginBody, async (req: Request, res: Response) => {
    const parsed = loginSchema.safeParse(req.body);
    if (!parsed.success) return fail(res, 400, 'invalid', MESSAGES.invalidBody);
    const at = now();
    const nowMs = at.getTime();
    const username = parsed.data.username.normalize('NFC').toLowerCase();
    const { password } = parsed.data;
    const ip = req.ip ?? null;

    const staff = await store.staff.getByUsername(username);

    if (!staff) {
      const lockedUntil = unknownNames.lockedUntil(username, nowMs);
      if (lockedUntil !== null) {
        await audit(at, 'anonymous', 'staff.login-failed', 'unknown', { reason: 'locked', ip });
        return answerLocked(res, lockedUntil, nowMs);
      }
      await verifyPassword(password, await dummyPasswordHash());
      const locked = unknownNames.fail(username, nowMs);
      await audit(at, 'anonymous', 'staff.login-failed', 'unknown', { reason: 'unknown-user', ip });
      if (locked !== null) return answerLocked(res, locked, nowMs);
      return fail(res, 401, 'invalid-credentials', MESSAGES.badCredentials);
    }

    if (staff.lockedUntil && staff.lockedUntil.getTime() > nowMs) {
      await audit(at, 'anonymous', 'staff.login-failed', staff.id, { reason: 'locked', ip });
      return answerLocked(res, staff.lockedUntil.getTime(), nowMs);
    }

    const ok = await verifyPassword(password, staff.passwordHash);
    if (!ok) {
      const after = await store.staff.recordFailedLogin(staff.id, at, lockAfter, lockMs);
      const lockedNow = after?.lockedUntil && after.lockedUntil.getTime() > nowMs ? after.lockedUntil : null;
      await audit(at, 'anonymous', 'staff.login-failed', staff.id, { reason: 'password', ip });
      if (lockedNow) {
        await audit(at, 'anonymous', 'staff.locked', staff.id, { until: lockedNow.toISOString(), failures: lockAfter, ip });
        return answerLocked(res, lockedNow.getTime(), nowMs);
      }
      return fail(res, 401, 'invalid-credentials', MESSAGES.badCredentials);
    }

    if (staff.disabled) {
      // Same answer as a wrong password: the right password of a disabled account opens nothing.
      await audit(at, 'anonymous', 'staff.login-failed', staff.id, { reason: 'disabled', ip });
      return fail(res, 401, 'invalid-credentials', MESSAGES.badCredentials);
    }

    await store.staff.clearFailedLogins(staff.id);
    // A session cookie brought to the login (fixation, or a second login) is ended.
    const previous = res.locals.session;
    if (previous) {
      await store.sessions.delete(previous.tokenHash);
      forgetSession(store, previous.tokenHash);
    }
    const token = newSessionToken();
    const csrfToken = newCsrfToken();
    const tokenHash = hashToken(token);
    await store.sessions.create({ tokenHash, staffId: staff.id, csrfToken, createdAt: at, expiresAt: sessionExpiry(at) });
    await store.staff.touchActive(staff.id, at);
    markTouched(store, tokenHash, at);
    await audit(at, staff.id, 'staff.login', staff.id, { ip });
    res.cookie(SESSION_COOKIE, token, cookieOptions({ secure: secureCookies }));
    res.json({ staff: publicStaff(staff), csrfToken });
  });

  router.post('/logout', requireStaff(), requireCsrf, async (_req: Request, res: Response) => {
    const { staff, session } = authOf(res);
    await store.sessions.delete(session.tokenHash);
    forgetSession(store, session.tokenHash);
    await audit(now(), staff.id, 'staff.logout', staff.id);
    res.clearCookie(SESSION_COOKIE, clearCookieOptions({ secure: secureCookies }));
    res.status(204).end();
  });

  router.get('/me', requireStaff(), (_req: Request, res: Response) => {
    const { staff, session } = authOf(res);
    res.json({ staff: publicStaff(staff), csrfToken: session.csrfToken });
  });

  return router;
}
