/**
 * Console sessions: the cookie holds a random token; the store keeps only its SHA-256,
 * so a leaked database (or backup) cannot be replayed as a login. Each session carries
 * a synchroniser CSRF token that state-changing requests must echo in X-CSRF-Token.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { CookieOptions } from 'express';

export const SESSION_COOKIE = 'ctxh_console';
/** Where the cookie is sent: the console pages and /console/api only, never the citizen-facing routes. */
export const SESSION_COOKIE_PATH = '/console';

/** A session lives this long after its last extension. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
/** A request made when less than this is left pushes the expiry to now + SESSION_TTL_MS. */
export const SESSION_EXTEND_WHEN_LEFT_MS = SESSION_TTL_MS / 2;

/** 32 random bytes, base64url (43 characters). */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The CSRF synchroniser token of a new session (same shape as a session token, unrelated to it). */
export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What a session token looks like; anything else is refused before touching the store. */
export const SESSION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** SHA-256, hex: what the store keeps instead of the token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function sessionExpiry(now: Date): Date {
  return new Date(now.getTime() + SESSION_TTL_MS);
}

/** True when the session should be extended at `now` (less than half its life left). */
export function extensionDue(expiresAt: Date, now: Date): boolean {
  return expiresAt.getTime() - now.getTime() < SESSION_EXTEND_WHEN_LEFT_MS;
}

/** Options for setting the session cookie (clearing: pass the same without maxAge; see clearCookieOptions). */
export function cookieOptions({ secure }: { secure: boolean }): CookieOptions {
  return { httpOnly: true, sameSite: 'strict', secure, path: SESSION_COOKIE_PATH, maxAge: SESSION_TTL_MS };
}

/** res.clearCookie needs the same path and attributes, and no maxAge. */
export function clearCookieOptions({ secure }: { secure: boolean }): CookieOptions {
  return { httpOnly: true, sameSite: 'strict', secure, path: SESSION_COOKIE_PATH };
}
