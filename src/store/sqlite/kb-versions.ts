import type Database from 'better-sqlite3';
import type { NewDraft, Version, VersionRepository } from '../types.js';

type Row = Record<string, unknown>;

const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(Number(v)));
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function rowToVersion<T>(r: Row): Version<T> {
  return {
    entryId: String(r.entry_id),
    version: Number(r.version),
    entry: r.entry === null || r.entry === undefined ? null : (JSON.parse(String(r.entry)) as T),
    status: r.status as Version<T>['status'],
    author: String(r.author),
    note: text(r.note),
    basedOn: r.based_on === null || r.based_on === undefined ? null : Number(r.based_on),
    createdAt: date(r.created_at)!,
    reviewer: text(r.reviewer),
    reviewedAt: date(r.reviewed_at),
    publishAt: date(r.publish_at),
  };
}

/** The tables that hold versions, with the same columns (schema.ts). */
export type VersionTable = 'kb_versions' | 'policy_versions';

/**
 * Versioned items in the embedded store: knowledge entries (table kb_versions) or policy
 * values (policy_versions), see schema.ts. A version's number is taken inside the insert's
 * transaction; a review is one UPDATE … WHERE status = 'draft', so of two reviewers at once
 * exactly one decides.
 *
 * @example knowledgeVersions: sqliteVersions<KnowledgeEntry>(db, 'kb_versions'),
 */
export function sqliteVersions<T>(db: Database.Database, table: VersionTable): VersionRepository<T> {
  const next = db.prepare(`SELECT COALESCE(MAX(version), 0) + 1 AS v FROM ${table} WHERE entry_id = ?`);
  const insert = db.prepare(
    `INSERT INTO ${table} (entry_id, version, entry, status, author, note, based_on, created_at, reviewer, reviewed_at, publish_at)
     VALUES (@entryId, @version, @entry, @status, @author, @note, @basedOn, @createdAt, @reviewer, @reviewedAt, @publishAt)`,
  );
  const getOne = db.prepare(`SELECT * FROM ${table} WHERE entry_id = ? AND version = ?`);
  const review = db.prepare(
    `UPDATE ${table} SET status = @status, reviewer = @reviewer, reviewed_at = @at, publish_at = @publishAt,
            note = COALESCE(@note, note)
      WHERE entry_id = @entryId AND version = @version AND status = 'draft'`,
  );
  const history = db.prepare(`SELECT * FROM ${table} WHERE entry_id = ? ORDER BY version`);
  const approved = db.prepare(`SELECT * FROM ${table} WHERE status = 'approved' ORDER BY entry_id, version`);
  const drafts = db.prepare(`SELECT * FROM ${table} WHERE status = 'draft' ORDER BY created_at, entry_id, version`);
  const revision = db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE status = 'approved'`);
  const add = db.transaction((items: ReadonlyArray<NewDraft<T> & { status: 'draft' | 'approved'; publishAt: Date | null }>) =>
    items.map((d) => {
      const version = Number((next.get(d.entryId) as { v: number }).v);
      insert.run({
        entryId: d.entryId,
        version,
        entry: d.entry ? JSON.stringify(d.entry) : null,
        status: d.status,
        author: d.author,
        note: d.note,
        basedOn: d.basedOn,
        createdAt: +d.createdAt,
        reviewer: d.status === 'approved' ? d.author : null,
        reviewedAt: d.status === 'approved' ? +d.createdAt : null,
        publishAt: d.publishAt ? +d.publishAt : null,
      });
      return rowToVersion<T>(getOne.get(d.entryId, version) as Row);
    }),
  );
  return {
    async addDraft(draft) {
      return add([{ ...draft, status: 'draft', publishAt: null }])[0]!;
    },
    async addApproved(versions) {
      return add(versions.map((v) => ({ ...v, status: 'approved' as const })));
    },
    async review(entryId, version, d) {
      const changed = review.run({
        entryId,
        version,
        status: d.status,
        reviewer: d.reviewer,
        at: +d.at,
        publishAt: d.status === 'approved' ? +d.publishAt : null,
        note: d.status === 'rejected' ? (d.note ?? null) : null,
      }).changes;
      return changed === 1 ? rowToVersion<T>(getOne.get(entryId, version) as Row) : null;
    },
    async get(entryId, version) {
      const r = getOne.get(entryId, version) as Row | undefined;
      return r ? rowToVersion<T>(r) : null;
    },
    async history(entryId) {
      return (history.all(entryId) as Row[]).map((r) => rowToVersion<T>(r));
    },
    async listApproved() {
      return (approved.all() as Row[]).map((r) => rowToVersion<T>(r));
    },
    async listDrafts() {
      return (drafts.all() as Row[]).map((r) => rowToVersion<T>(r));
    },
    async revision() {
      return Number((revision.get() as { n: number }).n);
    },
  };
}
