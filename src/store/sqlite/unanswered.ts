import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { withSample, type UnansweredGroup, type UnansweredKind, type UnansweredRepository } from '../types.js';
import { toDate, type Row } from './rows.js';

function rowToGroup(r: Row): UnansweredGroup {
  const resolution = r.resolution ? (JSON.parse(String(r.resolution)) as UnansweredGroup['resolution'] & { at: string }) : null;
  return {
    id: String(r.id),
    sample: String(r.sample),
    samples: JSON.parse(String(r.samples)) as string[],
    terms: JSON.parse(String(r.terms)) as string[],
    count: Number(r.count),
    kinds: { declined: Number(r.declined), clarified: Number(r.clarified), unhelpful: Number(r.unhelpful) },
    firstSeen: toDate(r.first_seen)!,
    lastSeen: toDate(r.last_seen)!,
    status: r.status as UnansweredGroup['status'],
    resolution: resolution ? { ...resolution, at: new Date(resolution.at) } : null,
  };
}

/** The kind's counter column: a fixed list, never text from outside in the SQL. */
const KIND_COLUMN: Record<UnansweredKind, string> = { declined: 'declined', clarified: 'clarified', unhelpful: 'unhelpful' };

/**
 * The unanswered questions inbox in the embedded store (table unanswered_groups, see
 * schema.ts). A hit is one transaction (read the samples, write them back with the counts);
 * a resolution is one UPDATE … WHERE status = 'open', so of two staff at once one resolves.
 *
 * @example unanswered: sqliteUnanswered(db),
 */
export function sqliteUnanswered(db: Database.Database): UnansweredRepository {
  const getOne = db.prepare('SELECT * FROM unanswered_groups WHERE id = ?');
  const listOpen = db.prepare("SELECT * FROM unanswered_groups WHERE status = 'open' ORDER BY last_seen DESC, id LIMIT ?");
  const insert = db.prepare(
    `INSERT INTO unanswered_groups (id, sample, samples, terms, count, declined, clarified, unhelpful, first_seen, last_seen, status)
     VALUES (@id, @sample, @samples, @terms, 1, @declined, @clarified, @unhelpful, @at, @at, 'open')`,
  );
  const hits = Object.fromEntries(
    Object.entries(KIND_COLUMN).map(([kind, column]) => [
      kind,
      db.prepare(
        `UPDATE unanswered_groups SET count = count + 1, ${column} = ${column} + 1, samples = @samples,
                last_seen = MAX(last_seen, @at)
          WHERE id = @id AND status = 'open'`,
      ),
    ]),
  ) as Record<UnansweredKind, Database.Statement>;
  const deleteOld = db.prepare('DELETE FROM unanswered_groups WHERE id IN (SELECT id FROM unanswered_groups WHERE last_seen < ? ORDER BY last_seen LIMIT ?)');
  const resolve = db.prepare("UPDATE unanswered_groups SET status = 'resolved', resolution = @resolution WHERE id = @id AND status = 'open'");
  const hit = db.transaction((id: string, seen: { kind: UnansweredKind; sample: string; at: Date }) => {
    const r = getOne.get(id) as Row | undefined;
    if (!r || r.status !== 'open') return null;
    const samples = withSample(JSON.parse(String(r.samples)) as string[], seen.sample);
    hits[seen.kind].run({ id, samples: JSON.stringify(samples), at: +seen.at });
    return rowToGroup(getOne.get(id) as Row);
  });
  return {
    async listOpen(limit = 100) {
      return (listOpen.all(limit) as Row[]).map(rowToGroup);
    },
    async get(id) {
      const r = getOne.get(id) as Row | undefined;
      return r ? rowToGroup(r) : null;
    },
    async add(g) {
      const id = randomUUID();
      insert.run({
        id,
        sample: g.sample,
        samples: JSON.stringify([g.sample]),
        terms: JSON.stringify(g.terms),
        declined: g.kind === 'declined' ? 1 : 0,
        clarified: g.kind === 'clarified' ? 1 : 0,
        unhelpful: g.kind === 'unhelpful' ? 1 : 0,
        at: +g.at,
      });
      return rowToGroup(getOne.get(id) as Row);
    },
    async hit(id, seen) {
      return hit(id, seen);
    },
    async resolve(id, resolution) {
      const changed = resolve.run({ id, resolution: JSON.stringify({ ...resolution, at: resolution.at.toISOString() }) }).changes;
      return changed === 1 ? rowToGroup(getOne.get(id) as Row) : null;
    },
    async deleteLastSeenBefore(cutoff, limit) {
      return deleteOld.run(+cutoff, Math.floor(limit)).changes;
    },
  };
}
