import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { DuplicateUsernameError, type Presence, type Staff, type StaffRepository, type StaffRole } from '../types.js';
import { toDate, type Row } from './rows.js';

/** How usernames are stored and looked up: trimmed, NFC (one form for Vietnamese letters), lowercased. */
const normaliseUsername = (username: string): string => username.trim().normalize('NFC').toLowerCase();

function rowToStaff(r: Row): Staff {
  return {
    id: String(r.id),
    username: String(r.username),
    displayName: String(r.display_name),
    role: r.role as StaffRole,
    passwordHash: String(r.password_hash),
    teams: JSON.parse(String(r.teams)) as string[],
    communeCodes: JSON.parse(String(r.commune_codes)) as string[],
    maxOpen: Number(r.max_open),
    createdAt: toDate(r.created_at)!,
    presence: r.presence as Presence,
    presenceAt: toDate(r.presence_at)!,
    lastActiveAt: toDate(r.last_active_at),
    failedLogins: Number(r.failed_logins),
    lockedUntil: toDate(r.locked_until),
    disabled: Number(r.disabled) === 1,
    canEditKnowledge: Number(r.can_edit_knowledge) === 1,
  };
}

/** The columns update() may set, by the Staff field that feeds them, and how the value is stored. */
const UPDATABLE: Record<string, { column: string; encode: (v: unknown) => unknown }> = {
  displayName: { column: 'display_name', encode: (v) => v },
  role: { column: 'role', encode: (v) => v },
  passwordHash: { column: 'password_hash', encode: (v) => v },
  teams: { column: 'teams', encode: (v) => JSON.stringify(v) },
  communeCodes: { column: 'commune_codes', encode: (v) => JSON.stringify(v) },
  maxOpen: { column: 'max_open', encode: (v) => v },
  disabled: { column: 'disabled', encode: (v) => (v ? 1 : 0) },
  canEditKnowledge: { column: 'can_edit_knowledge', encode: (v) => (v ? 1 : 0) },
};

const isUniqueViolation = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';

/**
 * Staff accounts in the embedded store (table staff, see schema.ts). The username is stored
 * lowercased and trimmed under a UNIQUE constraint, so two processes creating the same name
 * cannot both succeed, and a lookup in any letter case finds the one account. Every write is
 * one statement; the failed-login lock is one UPDATE that counts and locks together.
 */
export function sqliteStaff(db: Database.Database): StaffRepository {
  const insert = db.prepare(
    `INSERT INTO staff (id, username, display_name, role, password_hash, teams, commune_codes, max_open, created_at,
                        presence, presence_at, last_active_at, failed_logins, locked_until, disabled, can_edit_knowledge)
     VALUES (@id, @username, @displayName, @role, @passwordHash, @teams, @communeCodes, @maxOpen, @createdAt,
             'offline', @createdAt, NULL, 0, NULL, 0, @canEditKnowledge)
     RETURNING *`,
  );
  const byId = db.prepare('SELECT * FROM staff WHERE id = ?');
  const byUsername = db.prepare('SELECT * FROM staff WHERE username = ?');
  const all = db.prepare('SELECT * FROM staff ORDER BY username');
  const setPresence = db.prepare('UPDATE staff SET presence = ?, presence_at = ? WHERE id = ? RETURNING *');
  // Never moves backwards: two requests of one person finishing out of order keep the later time.
  const touch = db.prepare('UPDATE staff SET last_active_at = @now WHERE id = @id AND (last_active_at IS NULL OR last_active_at < @now)');
  // Setting oneself available counts as activity: idle is measured from the later of the two.
  const idle = db.prepare(
    `SELECT * FROM staff
      WHERE presence = 'available' AND presence_at < @since AND (last_active_at IS NULL OR last_active_at < @since)
      ORDER BY username`,
  );
  // Every SET expression sees the row before the update, so both CASEs decide on the same count.
  const failed = db.prepare(
    `UPDATE staff SET
       failed_logins = CASE WHEN failed_logins + 1 >= @lockAfter THEN 0 ELSE failed_logins + 1 END,
       locked_until = CASE WHEN failed_logins + 1 >= @lockAfter THEN @until ELSE locked_until END
     WHERE id = @id
     RETURNING *`,
  );
  const clearFailed = db.prepare('UPDATE staff SET failed_logins = 0 WHERE id = ?');
  const get = async (id: string): Promise<Staff | null> => {
    const r = byId.get(id) as Row | undefined;
    return r ? rowToStaff(r) : null;
  };
  return {
    async create(s) {
      const username = normaliseUsername(s.username);
      try {
        const row = insert.get({
          id: randomUUID(),
          username,
          displayName: s.displayName,
          role: s.role,
          passwordHash: s.passwordHash,
          teams: JSON.stringify(s.teams),
          communeCodes: JSON.stringify(s.communeCodes),
          maxOpen: s.maxOpen,
          createdAt: +s.createdAt,
          canEditKnowledge: s.canEditKnowledge ? 1 : 0,
        }) as Row;
        return rowToStaff(row);
      } catch (err) {
        // The id is a fresh UUID, so the unique constraint that refused it is the username's.
        if (isUniqueViolation(err)) throw new DuplicateUsernameError(username);
        throw err;
      }
    },
    get,
    async getByUsername(username) {
      const r = byUsername.get(normaliseUsername(username)) as Row | undefined;
      return r ? rowToStaff(r) : null;
    },
    async list() {
      return (all.all() as Row[]).map(rowToStaff);
    },
    async update(id, patch) {
      const sets: string[] = [];
      const args: Record<string, unknown> = { id };
      for (const [field, value] of Object.entries(patch)) {
        const target = Object.hasOwn(UPDATABLE, field) ? UPDATABLE[field] : undefined;
        if (!target || value === undefined) continue;
        sets.push(`${target.column} = @${field}`);
        args[field] = target.encode(value);
      }
      if (sets.length === 0) return get(id);
      const r = db.prepare(`UPDATE staff SET ${sets.join(', ')} WHERE id = @id RETURNING *`).get(args) as Row | undefined;
      return r ? rowToStaff(r) : null;
    },
    async setPresence(id, presence, now) {
      const r = setPresence.get(presence, +now, id) as Row | undefined;
      return r ? rowToStaff(r) : null;
    },
    async touchActive(id, now) {
      touch.run({ id, now: +now });
    },
    async listIdle(idleSince) {
      return (idle.all({ since: +idleSince }) as Row[]).map(rowToStaff);
    },
    async recordFailedLogin(id, now, lockAfter, lockMs) {
      const r = failed.get({ id, lockAfter, until: now.getTime() + lockMs }) as Row | undefined;
      return r ? rowToStaff(r) : null;
    },
    async clearFailedLogins(id) {
      clearFailed.run(id);
    },
  };
}
