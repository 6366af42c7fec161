/**
 * A counsellor's console session over real HTTP, as the page uses it: login sets the
 * cookie, every POST carries the CSRF token. For API-level tests; the browser test
 * drives the page itself.
 */
import { hashPassword } from '../../src/console/auth/passwords.js';
import type { Staff, StaffRole, Store } from '../../src/store/types.js';

export const TEST_PASSWORD = 'Mật khẩu thử 2026';

/** A staff account stored with a real scrypt hash of TEST_PASSWORD; available unless told otherwise. */
export async function addStaff(
  store: Store,
  over: { username: string; displayName?: string; role?: StaffRole; teams?: string[]; communeCodes?: string[]; maxOpen?: number; available?: boolean; canEditKnowledge?: boolean },
  now = new Date(),
): Promise<Staff> {
  const staff = await store.staff.create({
    username: over.username,
    displayName: over.displayName ?? over.username,
    role: over.role ?? 'counsellor',
    passwordHash: await hashPassword(TEST_PASSWORD),
    teams: over.teams ?? ['tre-em', 'khuyet-tat', 'tam-ly', 'phap-ly', 'chung'],
    communeCodes: over.communeCodes ?? [],
    maxOpen: over.maxOpen ?? 5,
    canEditKnowledge: over.canEditKnowledge ?? false,
    createdAt: now,
  });
  if (over.available === false) return staff;
  return (await store.staff.setPresence(staff.id, 'available', now))!;
}

export interface Answer {
  status: number;
  body: any;
}

export class ConsoleClient {
  private constructor(
    private readonly url: string,
    private readonly cookie: string,
    readonly csrfToken: string,
  ) {}

  static async login(url: string, username: string, password = TEST_PASSWORD): Promise<ConsoleClient> {
    const res = await fetch(`${url}/console/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${await res.text()}`);
    const cookie = (res.headers.getSetCookie()[0] ?? '').split(';')[0]!;
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    return new ConsoleClient(url, cookie, csrfToken);
  }

  async get(path: string): Promise<Answer> {
    const res = await fetch(`${this.url}/console/api${path}`, { headers: { cookie: this.cookie } });
    return { status: res.status, body: await res.json().catch(() => null) };
  }

  async post(path: string, body: unknown = {}, options: { csrf?: string | null } = {}): Promise<Answer> {
    const headers: Record<string, string> = { cookie: this.cookie, 'content-type': 'application/json' };
    const csrf = options.csrf === undefined ? this.csrfToken : options.csrf;
    if (csrf !== null) headers['x-csrf-token'] = csrf;
    const res = await fetch(`${this.url}/console/api${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json().catch(() => null) };
  }
}
