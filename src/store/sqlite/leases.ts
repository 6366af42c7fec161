import type Database from 'better-sqlite3';
import type { LeaseRepository } from '../types.js';

/**
 * Leases in the embedded store (table leases, see schema.ts). acquire() is one INSERT … ON
 * CONFLICT DO UPDATE whose WHERE admits only a free, expired or own lease: a refused
 * update changes no row, so the statement alone decides who holds it.
 */
export function sqliteLeases(db: Database.Database): LeaseRepository {
  const acquire = db.prepare(
    `INSERT INTO leases (name, holder, until) VALUES (@name, @holder, @until)
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
       WHERE leases.until <= @now OR leases.holder = excluded.holder`,
  );
  const release = db.prepare('DELETE FROM leases WHERE name = ? AND holder = ?');
  return {
    async acquire(name, holder, now, until) {
      return acquire.run({ name, holder, now: +now, until: +until }).changes === 1;
    },
    async release(name, holder) {
      release.run(name, holder);
    },
  };
}
