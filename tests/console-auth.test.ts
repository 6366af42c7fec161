/**
 * Console login over real HTTP, on the real SQLite store, with a fixed clock the tests
 * move: cookie attributes, the same answer for a wrong password and an unknown user,
 * lockout and its end, the per-IP limit, CSRF, logout, expiry (sliding), roles, audit.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cookieParser from 'cookie-parser';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { authOf, loadStaff, requireCsrf, requireStaff } from '../src/console/auth/middleware.js';
import { checkPasswordPolicy, hashPassword, needsRehash, verifyPassword } from '../src/console/auth/passwords.js';
import { authRouter } from '../src/console/auth/routes.js';
import { SESSION_COOKIE, SESSION_TTL_MS, hashToken, newSessionToken } from '../src/console/auth/session.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Staff, Store } from '../src/store/types.js';
import { listen } from './support/http.js';

const PASSWORD = 'Mật khẩu đủ dài 2026';
const START = new Date('2026-11-30T02:00:00Z');
const MINUTE = 60_000;

interface Harness {
  url: string;
  store: Store;
  lan: Staff;
  hung: Staff;
  /** Moves the injected clock forward. */
  advance(ms: number): void;
  call(method: string, path: string, options?: { body?: unknown; cookie?: string; csrf?: string }): Promise<Answer>;
  login(username: string, password?: string): Promise<{ cookie: string; csrfToken: string; token: string; answer: Answer }>;
}

interface Answer {
  status: number;
  body: any;
  setCookies: string[];
  headers: Headers;
}

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (open.length) await open.pop()!();
});

async function harness(options: { loginPerMinute?: number } = {}): Promise<Harness> {
  const store = openSqliteStore(mkdtempSync(join(tmpdir(), 'ctxh-console-auth-')));
  let clock = START;
  const now = () => clock;
  const passwordHash = await hashPassword(PASSWORD);
  const base = { passwordHash, communeCodes: [], maxOpen: 5, createdAt: START };
  const lan = await store.staff.create({ ...base, username: 'lan', displayName: 'Nguyễn Thị Lan', role: 'counsellor', teams: ['tam-ly'] });
  const hung = await store.staff.create({ ...base, username: 'hung', displayName: 'Trần Văn Hùng', role: 'supervisor', teams: ['chung'] });

  const app = express();
  app.use(cookieParser());
  app.use(
    '/console/api',
    authRouter({ store, now, secureCookies: true, loginPerMinute: options.loginPerMinute ?? 1000, lockAfter: 5, lockMinutes: 15 }),
  );
  // Routes of the kind the rest of the console adds.
  const guarded = express.Router();
  guarded.use(loadStaff({ store, now, secureCookies: true }));
  guarded.get('/supervision', requireStaff(['supervisor', 'admin']), (_req, res) => {
    res.json({ ok: true });
  });
  guarded.post('/presence', requireStaff(), requireCsrf, async (_req, res) => {
    const { staff } = authOf(res);
    const after = await store.staff.setPresence(staff.id, 'available', now());
    res.json({ presence: after?.presence });
  });
  app.use('/console/api/test', guarded);

  const server = await listen(app);
  open.push(async () => {
    await server.close();
    await store.close();
  });

  const call: Harness['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = {};
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    if (o.cookie) headers.cookie = o.cookie;
    if (o.csrf !== undefined) headers['x-csrf-token'] = o.csrf;
    const res = await fetch(`${server.url}${path}`, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, setCookies: res.headers.getSetCookie(), headers: res.headers };
  };
  const login: Harness['login'] = async (username, password = PASSWORD) => {
    const answer = await call('POST', '/console/api/login', { body: { username, password } });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const token = sessionToken(answer.setCookies);
    expect(token).toBeTruthy();
    return { cookie: `${SESSION_COOKIE}=${token}`, csrfToken: answer.body.csrfToken, token: token!, answer };
  };
  return { url: server.url, store, lan, hung, advance: (ms) => (clock = new Date(clock.getTime() + ms)), call, login };
}

function sessionToken(setCookies: string[]): string | undefined {
  const line = setCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  return line ? decodeURIComponent(line.slice(SESSION_COOKIE.length + 1).split(';')[0]!) : undefined;
}

describe('passwords', () => {
  it('hashes with scrypt in a self-describing form and verifies in constant time', async () => {
    const stored = await hashPassword(PASSWORD);
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(await verifyPassword(PASSWORD, stored)).toBe(true);
    // The same Vietnamese password typed in decomposed form (some keyboards) still matches.
    expect(await verifyPassword(PASSWORD.normalize('NFD'), stored)).toBe(true);
    expect(await verifyPassword('Mật khẩu đủ dài 2025', stored)).toBe(false);
    expect(needsRehash(stored)).toBe(false);
    for (const malformed of ['', 'plain', 'scrypt$32768$8$1$abc', 'bcrypt$32768$8$1$AAAAAAAAAAA=$AAAA', stored.replace('32768', '30000'), stored.replace('32768', String(2 ** 30))]) {
      expect(await verifyPassword(PASSWORD, malformed)).toBe(false);
    }
  });

  it('refuses short and all-digit passwords, in Vietnamese', () => {
    expect(checkPasswordPolicy('ngắn')).toMatch(/ít nhất 10 ký tự/);
    expect(checkPasswordPolicy('0905123456789')).toMatch(/chữ số/);
    expect(checkPasswordPolicy('          ')).toMatch(/khoảng trắng/);
    expect(checkPasswordPolicy(PASSWORD)).toBeNull();
  });
});

describe('console login', () => {
  it('logs in and sets an HttpOnly, SameSite=Strict session cookie for /console; /me answers who it is', async () => {
    const h = await harness();
    const { answer, cookie, csrfToken, token } = await h.login('LAN'); // usernames are case-insensitive
    expect(answer.body.staff).toMatchObject({ id: h.lan.id, username: 'lan', displayName: 'Nguyễn Thị Lan', role: 'counsellor' });
    for (const secret of ['passwordHash', 'failedLogins', 'lockedUntil']) expect(answer.body.staff).not.toHaveProperty(secret);
    expect(csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const line = answer.setCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; SameSite=Strict/);
    expect(line).toMatch(/; Path=\/console(;|$)/);
    expect(line).toMatch(/; Secure/);
    expect(line).toMatch(/; Max-Age=28800/);
    expect(answer.headers.get('cache-control')).toBe('no-store');

    // The store keeps the token's hash, not the token.
    expect(await h.store.sessions.get(hashToken(token), START)).toMatchObject({ staffId: h.lan.id, csrfToken });
    expect(await h.store.sessions.get(token, START)).toBeNull();

    const me = await h.call('GET', '/console/api/me', { cookie });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ staff: expect.objectContaining({ id: h.lan.id }), csrfToken });
    expect(me.body.staff).not.toHaveProperty('passwordHash');

    const anonymous = await h.call('GET', '/console/api/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ error: { code: 'unauthenticated', message: 'Bạn cần đăng nhập.' } });
    const forged = await h.call('GET', '/console/api/me', { cookie: `${SESSION_COOKIE}=${newSessionToken()}` });
    expect(forged.status).toBe(401);
  });

  it('gives the same answer for a wrong password and an unknown username', async () => {
    const h = await harness();
    const wrong = await h.call('POST', '/console/api/login', { body: { username: 'lan', password: 'sai mật khẩu rồi' } });
    const unknown = await h.call('POST', '/console/api/login', { body: { username: 'khong-co-ai', password: 'sai mật khẩu rồi' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body).toEqual({ error: { code: 'invalid-credentials', message: 'Tên đăng nhập hoặc mật khẩu không đúng.' } });
    expect(wrong.setCookies).toEqual([]);
    expect(unknown.setCookies).toEqual([]);

    const malformed = await h.call('POST', '/console/api/login', { body: { username: 'lan' } });
    expect(malformed.status).toBe(400);
  });

  it('locks an account after 5 failures (423 even with the right password) until the lock time passes', async () => {
    const h = await harness();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push((await h.call('POST', '/console/api/login', { body: { username: 'lan', password: `sai-mat-khau-${i}` } })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 423]);
    const locked = await h.call('POST', '/console/api/login', { body: { username: 'lan', password: PASSWORD } });
    expect(locked.status).toBe(423);
    expect(locked.body.error.code).toBe('locked');
    expect(locked.body.error.message).toMatch(/thử lại sau 15 phút/);
    expect(locked.setCookies).toEqual([]);

    h.advance(14 * MINUTE);
    expect((await h.call('POST', '/console/api/login', { body: { username: 'lan', password: PASSWORD } })).status).toBe(423);
    h.advance(1 * MINUTE + 1000);
    await h.login('lan');
    expect(await h.store.staff.get(h.lan.id)).toMatchObject({ failedLogins: 0 });

    // An unknown username shows the same pattern: a 423 does not tell that the account exists.
    const ghost: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      ghost.push((await h.call('POST', '/console/api/login', { body: { username: 'khong-co-ai', password: `sai-mat-khau-${i}` } })).status);
    }
    expect(ghost).toEqual([401, 401, 401, 401, 423, 423]);
  });

  it('answers 429 when one IP fails too often in a minute (successful logins do not count)', async () => {
    const h = await harness({ loginPerMinute: 3 });
    await h.login('lan');
    await h.login('hung');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push((await h.call('POST', '/console/api/login', { body: { username: 'lan', password: `sai-mat-khau-${i}` } })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await h.call('POST', '/console/api/login', { body: { username: 'hung', password: PASSWORD } });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate-limited');
    // The refused attempts did not count against the account.
    expect(await h.store.staff.get(h.lan.id)).toMatchObject({ failedLogins: 3 });
  });

  it('refuses a state-changing request without or with a wrong X-CSRF-Token, and changes nothing', async () => {
    const h = await harness();
    const { cookie, csrfToken } = await h.login('lan');
    for (const csrf of [undefined, '', 'x'.repeat(43), `${csrfToken}x`, csrfToken.slice(0, -1)]) {
      const refused = await h.call('POST', '/console/api/test/presence', { cookie, csrf, body: {} });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('csrf');
    }
    expect(await h.store.staff.get(h.lan.id)).toMatchObject({ presence: 'offline' });
    const refusedLogout = await h.call('POST', '/console/api/logout', { cookie });
    expect(refusedLogout.status).toBe(403);
    expect((await h.call('GET', '/console/api/me', { cookie })).status).toBe(200);

    // Another session's token is not this one's.
    const other = await h.login('lan');
    expect((await h.call('POST', '/console/api/test/presence', { cookie, csrf: other.csrfToken, body: {} })).status).toBe(403);

    const accepted = await h.call('POST', '/console/api/test/presence', { cookie, csrf: csrfToken, body: {} });
    expect(accepted.status).toBe(200);
    expect(await h.store.staff.get(h.lan.id)).toMatchObject({ presence: 'available' });
  });

  it('logout ends the session and clears the cookie', async () => {
    const h = await harness();
    const { cookie, csrfToken, token } = await h.login('lan');
    const out = await h.call('POST', '/console/api/logout', { cookie, csrf: csrfToken });
    expect(out.status).toBe(204);
    const cleared = out.setCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    expect(cleared).toMatch(/^ctxh_console=;/);
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect(cleared).toMatch(/; Path=\/console/);
    expect(await h.store.sessions.get(hashToken(token), START)).toBeNull();
    expect((await h.call('GET', '/console/api/me', { cookie })).status).toBe(401);
    expect((await h.call('POST', '/console/api/logout', { cookie, csrf: csrfToken })).status).toBe(401);
  });

  it('an expired session is 401; a used one slides', async () => {
    const h = await harness();
    const idle = await h.login('lan');
    h.advance(SESSION_TTL_MS + 1000);
    const expired = await h.call('GET', '/console/api/me', { cookie: idle.cookie });
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('unauthenticated');

    const busy = await h.login('lan');
    h.advance(3 * 60 * MINUTE); // 5 h left: not extended yet
    const early = await h.call('GET', '/console/api/me', { cookie: busy.cookie });
    expect(early.status).toBe(200);
    expect(sessionToken(early.setCookies)).toBeUndefined();
    h.advance(2 * 60 * MINUTE); // 3 h left: extended to 8 h from now, cookie sent again
    const extended = await h.call('GET', '/console/api/me', { cookie: busy.cookie });
    expect(extended.status).toBe(200);
    expect(sessionToken(extended.setCookies)).toBe(busy.token);
    h.advance(7 * 60 * MINUTE); // 12 h after login, 7 h after the extension
    expect((await h.call('GET', '/console/api/me', { cookie: busy.cookie })).status).toBe(200);
  });

  it('records activity at most once a minute per session', async () => {
    const h = await harness();
    const { cookie } = await h.login('lan');
    expect((await h.store.staff.get(h.lan.id))?.lastActiveAt).toEqual(START);
    h.advance(30_000);
    await h.call('GET', '/console/api/me', { cookie });
    expect((await h.store.staff.get(h.lan.id))?.lastActiveAt).toEqual(START);
    h.advance(31_000);
    await h.call('GET', '/console/api/me', { cookie });
    expect((await h.store.staff.get(h.lan.id))?.lastActiveAt).toEqual(new Date(START.getTime() + 61_000));
  });

  it('refuses a counsellor on a supervisor-only route', async () => {
    const h = await harness();
    const lan = await h.login('lan');
    const refused = await h.call('GET', '/console/api/test/supervision', { cookie: lan.cookie });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect(refused.body.error.message).toMatch(/không có quyền/);
    const hung = await h.login('hung');
    expect((await h.call('GET', '/console/api/test/supervision', { cookie: hung.cookie })).status).toBe(200);
    expect((await h.call('GET', '/console/api/test/supervision')).status).toBe(401);
  });

  it('a disabled account cannot log in and its sessions end', async () => {
    const h = await harness();
    const { cookie } = await h.login('lan');
    await h.store.staff.update(h.lan.id, { disabled: true });
    expect((await h.call('GET', '/console/api/me', { cookie })).status).toBe(401);
    const refused = await h.call('POST', '/console/api/login', { body: { username: 'lan', password: PASSWORD } });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('invalid-credentials');
  });

  it('audits every login event without passwords, tokens or unknown usernames', async () => {
    const h = await harness();
    await h.call('POST', '/console/api/login', { body: { username: 'ai-do-go-nham', password: 'mat-khau-go-thu-1' } });
    for (let i = 0; i < 5; i += 1) {
      await h.call('POST', '/console/api/login', { body: { username: 'hung', password: `mat-khau-sai-${i}` } });
    }
    const { cookie, csrfToken, token } = await h.login('lan');
    await h.call('POST', '/console/api/logout', { cookie, csrf: csrfToken });

    const events = await h.store.audit.list({ limit: 100 });
    const mine = events.filter((e) => e.action.startsWith('staff.'));
    expect(mine).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'staff.login-failed', actor: 'anonymous', subject: 'unknown' }),
        expect.objectContaining({ action: 'staff.login-failed', actor: 'anonymous', subject: h.hung.id }),
        expect.objectContaining({ action: 'staff.locked', actor: 'anonymous', subject: h.hung.id }),
        expect.objectContaining({ action: 'staff.login', actor: h.lan.id, subject: h.lan.id }),
        expect.objectContaining({ action: 'staff.logout', actor: h.lan.id, subject: h.lan.id }),
      ]),
    );
    expect(mine.filter((e) => e.action === 'staff.login-failed')).toHaveLength(6);
    const text = JSON.stringify(events);
    for (const secret of [PASSWORD, 'mat-khau-go-thu-1', 'mat-khau-sai-', 'ai-do-go-nham', token, csrfToken, hashToken(token)]) {
      expect(text).not.toContain(secret);
    }
  });
});
