/**
 * Express middleware for the counsellor console:
 *
 *   loadStaff   who is calling (cookie → session → staff), or nobody; extends the session
 *   requireStaff  401 without a login, 403 without one of the roles
 *   requireCsrf   state-changing requests must echo the session's CSRF token
 *
 * Order on a route: loadStaff (once, router-wide), requireStaff(...), requireCsrf, handler.
 * After requireStaff, `res.locals.staff` and `res.locals.session` are set; use
 * `authOf(res)` to read them without non-null assertions.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Staff, StaffRole, StaffSession, Store } from '../../store/types.js';
import {
  SESSION_COOKIE,
  SESSION_TOKEN_PATTERN,
  clearCookieOptions,
  cookieOptions,
  extensionDue,
  hashToken,
  sessionExpiry,
} from './session.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** The logged-in console user; set by loadStaff, absent for anonymous requests. */
      staff?: Staff;
      /** Their console session (tokenHash, csrfToken, expiry). */
      session?: StaffSession;
    }
  }
}

export interface ConsoleAuth {
  staff: Staff;
  session: StaffSession;
}

/** The caller, in a handler placed after requireStaff(). Throws if used without it (a wiring mistake). */
export function authOf(res: Response): ConsoleAuth {
  const { staff, session } = res.locals;
  if (!staff || !session) throw new Error('authOf() used on a route without requireStaff()');
  return { staff, session };
}

export interface LoadStaffOptions {
  store: Pick<Store, 'staff' | 'sessions'>;
  now: () => Date;
  /** Secure attribute on the cookie when it is re-sent after an extension. */
  secureCookies: boolean;
}

/** staff.touchActive at most this often per session (per process). */
export const TOUCH_ACTIVE_EVERY_MS = 60_000;
const TOUCH_MEMORY_LIMIT = 5_000;

/** Last touchActive per session token hash, shared by every loadStaff over the same store. */
const lastTouches = new WeakMap<object, Map<string, number>>();
/** Requests already looked at (loadStaff mounted at several levels runs once). */
const loaded = new WeakSet<Request>();

function touchesFor(store: LoadStaffOptions['store']): Map<string, number> {
  let map = lastTouches.get(store.staff);
  if (!map) {
    map = new Map();
    lastTouches.set(store.staff, map);
  }
  return map;
}

function forgetOldTouches(map: Map<string, number>, nowMs: number): void {
  if (map.size < TOUCH_MEMORY_LIMIT) return;
  for (const [key, at] of map) if (nowMs - at >= TOUCH_ACTIVE_EVERY_MS) map.delete(key);
  // Still full (an unlikely burst of sessions): drop the oldest entries.
  for (const key of map.keys()) {
    if (map.size < TOUCH_MEMORY_LIMIT) break;
    map.delete(key);
  }
}

/** Session and staff from the cookie; anonymous (nothing in res.locals) when missing, expired, or the account is gone or disabled. */
export function loadStaff(options: LoadStaffOptions): RequestHandler {
  const { store, now, secureCookies } = options;
  const parseCookies = cookieParser();
  const touches = touchesFor(store);

  const load = async (req: Request, res: Response): Promise<void> => {
    const token: unknown = req.cookies?.[SESSION_COOKIE];
    if (typeof token !== 'string' || token === '') return;
    if (!SESSION_TOKEN_PATTERN.test(token)) {
      res.clearCookie(SESSION_COOKIE, clearCookieOptions({ secure: secureCookies }));
      return;
    }
    const at = now();
    const tokenHash = hashToken(token);
    const session = await store.sessions.get(tokenHash, at);
    if (!session || session.expiresAt.getTime() <= at.getTime()) {
      res.clearCookie(SESSION_COOKIE, clearCookieOptions({ secure: secureCookies }));
      return;
    }
    const staff = await store.staff.get(session.staffId);
    if (!staff || staff.disabled) {
      // A disabled account's sessions end; re-enabling it does not bring them back.
      await store.sessions.delete(tokenHash);
      res.clearCookie(SESSION_COOKIE, clearCookieOptions({ secure: secureCookies }));
      return;
    }
    let current = session;
    if (extensionDue(session.expiresAt, at)) {
      const expiresAt = sessionExpiry(at);
      await store.sessions.extend(tokenHash, expiresAt);
      current = { ...session, expiresAt };
      // The browser's copy must live as long as the server's.
      res.cookie(SESSION_COOKIE, token, cookieOptions({ secure: secureCookies }));
    }
    const nowMs = at.getTime();
    const last = touches.get(tokenHash);
    if (last === undefined || nowMs - last >= TOUCH_ACTIVE_EVERY_MS || nowMs < last) {
      forgetOldTouches(touches, nowMs);
      touches.set(tokenHash, nowMs);
      await store.staff.touchActive(staff.id, at);
    }
    res.locals.staff = staff;
    res.locals.session = current;
  };

  return (req, res, next) => {
    parseCookies(req, res, (err?: unknown) => {
      if (err) return next(err);
      if (loaded.has(req)) return next();
      loaded.add(req);
      load(req, res).then(() => next(), next);
    });
  };
}

/** A login touched the account already: the session's next touch is due a minute later. */
export function markTouched(store: LoadStaffOptions['store'], tokenHash: string, at: Date): void {
  const touches = touchesFor(store);
  forgetOldTouches(touches, at.getTime());
  touches.set(tokenHash, at.getTime());
}

/** Forget the touch memory of a session that ended (logout). */
export function forgetSession(store: LoadStaffOptions['store'], tokenHash: string): void {
  touchesFor(store).delete(tokenHash);
}

function fail(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** 401 without a logged-in staff member; 403 when `roles` is given and theirs is not in it. Needs loadStaff before it. */
export function requireStaff(roles?: readonly StaffRole[]): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    const { staff, session } = res.locals;
    if (!staff || !session) return fail(res, 401, 'unauthenticated', 'Bạn cần đăng nhập.');
    if (roles && !roles.includes(staff.role)) {
      return fail(res, 403, 'forbidden', 'Bạn không có quyền thực hiện thao tác này.');
    }
    next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'X-CSRF-Token';

/** Constant-time string comparison, whatever the lengths. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** Every method but GET/HEAD/OPTIONS must send X-CSRF-Token equal to the session's token; 403 {code:'csrf'} otherwise. */
export const requireCsrf: RequestHandler = (req, res, next) => {
  if (SAFE_METHODS.has(req.method)) return next();
  const expected = res.locals.session?.csrfToken;
  const given = req.get(CSRF_HEADER);
  if (!expected || !given || !sameSecret(given, expected)) {
    return fail(res, 403, 'csrf', 'Phiên làm việc không hợp lệ. Vui lòng tải lại trang rồi thử lại.');
  }
  next();
};
