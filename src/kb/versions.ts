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
import type { KbVersion, NewKbDraft } from '../store/kb-version-types.js';
import type { KnowledgeEntry } from './entry.js';

/**
 * For each entry, the approved version in force at `at`: the one with the latest
 * `publishAt` not after `at` (a later version number wins a tie). An entry whose version
 * in force withdraws it (no entry) is left out.
 */
export function versionsInForce(approved: readonly KbVersion[], at: Date): Map<string, KbVersion> {
  const chosen = new Map<string, KbVersion>();
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

/** When the live set next changes on its own (a version scheduled ahead comes in); null when nothing is scheduled. */
export function nextChangeAfter(approved: readonly KbVersion[], at: Date): Date | null {
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

/**
 * What importing a folder changes in the live base at `at`: a version for each entry new
 * or different, and a withdrawing version for each live entry the folder no longer has
 * (when `withdrawMissing`). Unchanged entries get nothing, so importing twice is a no-op.
 */
export function importPlan(
  live: readonly KnowledgeEntry[],
  files: readonly KnowledgeEntry[],
  o: { actor: string; at: Date; withdrawMissing: boolean },
): { versions: Array<NewKbDraft & { publishAt: Date }>; added: number; changed: number; withdrawn: number } {
  const current = new Map(live.map((e) => [e.id, e]));
  const versions: Array<NewKbDraft & { publishAt: Date }> = [];
  let added = 0;
  let changed = 0;
  for (const e of files) {
    const held = current.get(e.id);
    if (held && sameContent(held, e)) continue;
    if (held) changed++;
    else added++;
    versions.push({ entryId: e.id, entry: e, author: o.actor, note: held ? 'nhập từ tệp: thay đổi' : 'nhập từ tệp: mục mới', basedOn: null, createdAt: o.at, publishAt: o.at });
  }
  const inFiles = new Set(files.map((e) => e.id));
  let withdrawn = 0;
  if (o.withdrawMissing) {
    for (const e of live) {
      if (inFiles.has(e.id)) continue;
      withdrawn++;
      versions.push({ entryId: e.id, entry: null, author: o.actor, note: 'nhập từ tệp: không còn trong thư mục', basedOn: null, createdAt: o.at, publishAt: o.at });
    }
  }
  return { versions, added, changed, withdrawn };
}
