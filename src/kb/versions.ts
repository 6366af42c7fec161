/**
 * Which knowledge is in force, and who may approve it: pure rules over the versions the
 * store keeps (src/store/kb-version-types.ts), so every instance that reads the same
 * versions answers from the same entries at the same moment.
 *
 * @example
 * const approved = await store.knowledgeVersions.listApproved();
 * const entries = liveEntries(approved, now());          // what the bot answers from now
 * const due = nextChangeAfter(approved, now());          // when a scheduled version comes in
 */
import type { KbVersion, NewDraft, PolicyVersion, Version } from '../store/kb-version-types.js';
import type { KnowledgeEntry } from './entry.js';
import type { PolicyValue } from './policy-values.js';

/**
 * For each item (entry or policy value), the approved version in force at `at`: the one
 * with the latest `publishAt` not after `at` (a later version number wins a tie). An item
 * whose version in force withdraws it is left out.
 */
export function versionsInForce<T>(approved: ReadonlyArray<Version<T>>, at: Date): Map<string, Version<T>> {
  const chosen = new Map<string, Version<T>>();
  for (const v of approved) {
    if (v.status !== 'approved' || !v.publishAt || v.publishAt.getTime() > at.getTime()) continue;
    const held = chosen.get(v.entryId);
    const later = !held || v.publishAt.getTime() > held.publishAt!.getTime() || (v.publishAt.getTime() === held.publishAt!.getTime() && v.version > held.version);
    if (later) chosen.set(v.entryId, v);
  }
  for (const [id, v] of chosen) if (!v.entry) chosen.delete(id);
  return chosen;
}

/** The entries the bot answers from at `at`, by id. */
export function liveEntries(approved: readonly KbVersion[], at: Date): KnowledgeEntry[] {
  return [...versionsInForce(approved, at).values()].map((v) => v.entry!).sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * The policy values in force at `at`, by key (each still carries all its dated amounts:
 * which amount shows is decided when an answer is rendered).
 */
export function livePolicyValues(approved: readonly PolicyVersion[], at: Date): Map<string, PolicyValue> {
  const out = new Map<string, PolicyValue>();
  for (const [key, v] of [...versionsInForce(approved, at)].sort(([a], [b]) => a.localeCompare(b))) out.set(key, v.entry!);
  return out;
}

/** When the live set next changes on its own (a version scheduled ahead comes in); null when nothing is scheduled. */
export function nextChangeAfter<T>(approved: ReadonlyArray<Version<T>>, at: Date): Date | null {
  let next: Date | null = null;
  for (const v of approved) {
    if (v.status === 'approved' && v.publishAt && v.publishAt.getTime() > at.getTime() && (!next || v.publishAt < next)) next = v.publishAt;
  }
  return next;
}

/** Roles that may approve knowledge: a second person who answers for it. */
export const KB_REVIEWER_ROLES = ['supervisor', 'admin'] as const;

/**
 * Why this reviewer may not decide on this version (Vietnamese, shown to staff); null
 * when they may. A version is approved by someone other than its author.
 */
export function reviewRefusal(version: Pick<KbVersion, 'status' | 'author'>, reviewer: { id: string; role: string }): string | null {
  if (version.status !== 'draft') return 'Bản này đã được duyệt hoặc trả lại rồi.';
  if (!(KB_REVIEWER_ROLES as readonly string[]).includes(reviewer.role)) return 'Chỉ giám sát viên hoặc quản trị viên được duyệt nội dung.';
  if (version.author === reviewer.id) return 'Người viết không tự duyệt bản của mình: cần một người thứ hai.';
  return null;
}

/** Field-by-field equality of what a citizen would read or what retrieval uses (not the file path). */
export function sameContent(a: KnowledgeEntry, b: KnowledgeEntry): boolean {
  const strip = ({ file: _file, ...rest }: KnowledgeEntry) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/** How {@link importPlan} tells items apart and compares them, and what the versions say. */
export interface ImportItems<T> {
  idOf: (item: T) => string;
  same: (a: T, b: T) => boolean;
  /** What the note says: a new item, a changed one, one no longer in the files. */
  notes?: { added: string; changed: string; withdrawn: string };
}

const FILE_NOTES = { added: 'nhập từ tệp: mục mới', changed: 'nhập từ tệp: thay đổi', withdrawn: 'nhập từ tệp: không còn trong thư mục' };

/** Entries are told apart by id and compared by content. */
export const ENTRY_ITEMS: ImportItems<KnowledgeEntry> = { idOf: (e) => e.id, same: sameContent };

/** Policy values are told apart by key and compared field by field. */
export const POLICY_ITEMS: ImportItems<PolicyValue> = { idOf: (v) => v.key, same: (a, b) => JSON.stringify(a) === JSON.stringify(b) };

/**
 * What importing a folder changes in the live set at `at`: a version for each item new or
 * different, and a withdrawing version for each live item the folder no longer has (when
 * `withdrawMissing`). Unchanged items get nothing, so importing twice is a no-op.
 *
 * @example
 * importPlan(liveEntries(approved, now), files, ENTRY_ITEMS, { actor: 'cli', at: now, withdrawMissing: true })
 * // { versions: [...], added: 0, changed: 1, withdrawn: 0 }
 */
export function importPlan<T>(
  live: readonly T[],
  files: readonly T[],
  items: ImportItems<T>,
  o: { actor: string; at: Date; withdrawMissing: boolean },
): { versions: Array<NewDraft<T> & { publishAt: Date }>; added: number; changed: number; withdrawn: number } {
  const notes = items.notes ?? FILE_NOTES;
  const current = new Map(live.map((e) => [items.idOf(e), e]));
  const versions: Array<NewDraft<T> & { publishAt: Date }> = [];
  let added = 0;
  let changed = 0;
  const version = (entryId: string, entry: T | null, note: string) => ({ entryId, entry, author: o.actor, note, basedOn: null, createdAt: o.at, publishAt: o.at });
  for (const e of files) {
    const held = current.get(items.idOf(e));
    if (held && items.same(held, e)) continue;
    if (held) changed++;
    else added++;
    versions.push(version(items.idOf(e), e, held ? notes.changed : notes.added));
  }
  const inFiles = new Set(files.map(items.idOf));
  let withdrawn = 0;
  if (o.withdrawMissing) {
    for (const e of live) {
      if (inFiles.has(items.idOf(e))) continue;
      withdrawn++;
      versions.push(version(items.idOf(e), null, notes.withdrawn));
    }
  }
  return { versions, added, changed, withdrawn };
}
