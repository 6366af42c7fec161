import type Database from 'better-sqlite3';
import type { SessionRepository, StaffSession } from '../types.js';
import { toDate, type Row } from './rows.js';

function rowToSession(r: Row): StaffSession {
  return {
    tokenHash: String(r.token_hash),
    staffId: String(r.staff_id),
    csrfToken: String(r.csrf_token),
    createdAt: toDate(r.created_at)!,
    expiresAt: toDate(r.expires_at)!,
  };
}

/**
 * Console sessions in the embedded store (table staff_sessions, see schema.ts), keyed by the
 * SHA-256 of the cookie token. A session is valid while expires_at is after `now`; expired
 * ones are never returned and are swept when a new session is created, so the table holds
 * only live logins.
 */
export function sqliteSessions(db: Database.Database): SessionRepository {
  const insert = db.prepare(
    `INSERT INTO staff_sessions (token_hash, staff_id, csrf_token, created_at, expires_at)
     VALUES (@tokenHash, @staffId, @csrfToken, @createdAt, @expiresAt)`,
  );
  const sweep = db.prepare('DELETE FROM staff_sessions WHERE expires_at <= ?');
  const get = db.prepare('SELECT * FROM staff_sessions WHERE token_hash = ? AND expires_at > ?');
  // Only forwards: two requests extending at once keep the later expiry.
  const extend = db.prepare('UPDATE staff_sessions SET expires_at = @expiresAt WHERE token_hash = @tokenHash AND expires_at < @expiresAt');
  const del = db.prepare('DELETE FROM staff_sessions WHERE token_hash = ?');
  const delByStaff = db.prepare('DELETE FROM staff_sessions WHERE staff_id = ?');
  const create = db.transaction((s: StaffSession) => {
    sweep.run(+s.createdAt);
    insert.run({ ...s, createdAt: +s.createdAt, expiresAt: +s.expiresAt });
  });
  return {
    async create(s) {
      create(s);
    },
    async get(tokenHash, now) {
      const r = get.get(tokenHash, +now) as Row | undefined;
      return r ? rowToSession(r) : null;
    },
    async extend(tokenHash, expiresAt) {
      extend.run({ tokenHash, expiresAt: +expiresAt });
    },
    async delete(tokenHash) {
      del.run(tokenHash);
    },
    async deleteByStaff(staffId) {
      return delByStaff.run(staffId).changes;
    },
  };
}
