/**
 * Files stay first-class: `npm run kb:import` puts a folder of knowledge files into the
 * store (the live knowledge) and `npm run kb:export` writes the live knowledge back as
 * files in the same canonical format (src/kb/serialize.ts), so a centre can keep its
 * knowledge in git and review every change as a diff.
 *
 * `importKnowledge` is the one place that writes imported knowledge into the store.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { KnowledgeEntry } from './entry.js';
import { parseEntry, type LoadProblem } from './loader.js';
import { POLICY_VALUES_FILE, type PolicyValue, type PolicyValues } from './policy-values.js';
import { entryPath, serializeEntry, serializePolicyValues } from './serialize.js';
import { ENTRY_TOPICS } from './topics.js';
import type { Store } from '../store/types.js';
import { ENTRY_ITEMS, POLICY_ITEMS, importPlan, liveEntries, livePolicyValues } from './versions.js';

export interface ImportCounts {
  /** Entries in the import. */
  entries: number;
  added: number;
  changed: number;
  /** Live entries that were not in the import and are no longer live. */
  retired: number;
  /** The same counts for the policy values, when the import carried them. */
  policyValues?: { values: number; added: number; changed: number; retired: number };
}

/**
 * Makes the store's live knowledge exactly `entries` and, when given, its policy values
 * exactly `policyValues` (validated beforehand: an import is all or nothing), and records
 * `kb.imported` with the counts in the audit log.
 *
 * @example
 * const { entries, problems } = loadKnowledge('knowledge');
 * if (problems.length === 0) await importKnowledge(store, entries, { now: new Date(), actor: 'cli', from: 'knowledge', policyValues: loadPolicyValues('knowledge').values });
 * // { entries: 212, added: 212, changed: 0, retired: 0, policyValues: { values: 7, added: 7, changed: 0, retired: 0 } }
 */
export async function importKnowledge(
  store: Pick<Store, 'knowledgeVersions' | 'policyVersions' | 'audit'>,
  entries: readonly KnowledgeEntry[],
  options: { now: Date; actor: string; from?: string; policyValues?: PolicyValues },
): Promise<ImportCounts> {
  // Each new or changed entry becomes a version approved by the import and in force at once
  // (files in git were reviewed there); entries the folder no longer has are withdrawn.
  const live = liveEntries(await store.knowledgeVersions.listApproved(), options.now);
  const plan = importPlan(live, entries, ENTRY_ITEMS, { actor: options.actor, at: options.now, withdrawMissing: true });
  if (plan.versions.length > 0) await store.knowledgeVersions.addApproved(plan.versions);
  const counts: ImportCounts = { entries: entries.length, added: plan.added, changed: plan.changed, retired: plan.withdrawn };
  if (options.policyValues) counts.policyValues = await importPolicyValues(store, [...options.policyValues.values()], options);
  await store.audit.append({
    at: options.now,
    actor: options.actor,
    action: 'kb.imported',
    subject: 'knowledge',
    detail: { ...counts, ...(options.from !== undefined ? { from: options.from } : {}) },
  });
  return counts;
}

/**
 * The policy values part of {@link importKnowledge}: the live values become exactly
 * `values` (not audited here). Used alone when a store from before policy values were kept
 * in it first meets a knowledge folder that has them.
 */
export async function importPolicyValues(store: Pick<Store, 'policyVersions'>, values: readonly PolicyValue[], options: { now: Date; actor: string }) {
  const live = [...livePolicyValues(await store.policyVersions.listApproved(), options.now).values()];
  const plan = importPlan(live, values, POLICY_ITEMS, { actor: options.actor, at: options.now, withdrawMissing: true });
  if (plan.versions.length > 0) await store.policyVersions.addApproved(plan.versions);
  return { values: values.length, added: plan.added, changed: plan.changed, retired: plan.withdrawn };
}

export interface KnowledgeFile {
  /** Relative to the knowledge folder, with `/`: `<topic>/<id>.md`. */
  path: string;
  text: string;
}

/**
 * The live knowledge as canonical files, sorted by path: the entries, and
 * `_policy-values.yaml` when any policy value is live.
 *
 * @example
 * const files = await exportKnowledge(store);
 * // [{ path: '_policy-values.yaml', text: '# Policy values…' }, { path: 'bao-hiem-y-te/bhyt-chinh-sach-moi-tu-2026.md', text: '---\nid: …' }, …]
 */
export async function exportKnowledge(store: Pick<Store, 'knowledgeVersions' | 'policyVersions'>, at: Date = new Date()): Promise<KnowledgeFile[]> {
  const live = liveEntries(await store.knowledgeVersions.listApproved(), at);
  const values = [...livePolicyValues(await store.policyVersions.listApproved(), at).values()];
  const files = live.map((e) => ({ path: entryPath(e), text: serializeEntry(e) }));
  if (values.length > 0) files.push({ path: POLICY_VALUES_FILE, text: serializePolicyValues(values) });
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Import needs every file where export would write it (`<topic>/<id>.md`), so that an
 * export after an import gives the same files: one problem per misplaced file.
 *
 * @example checkLayout([{ ...entry, topic: 'lien-he', id: 'lienhe-hotline', file: 'hotline/lienhe-hotline.md' }])
 * // [{ file: 'hotline/lienhe-hotline.md', field: 'topic', message: 'tệp phải nằm ở lien-he/lienhe-hotline.md …' }]
 */
export function checkLayout(entries: readonly KnowledgeEntry[]): LoadProblem[] {
  const problems: LoadProblem[] = [];
  for (const e of entries) {
    const want = entryPath(e);
    const file = e.file.split(sep).join('/');
    if (file !== want) problems.push({ file, field: 'topic', message: `tệp phải nằm ở ${want} (thư mục mang tên chủ đề)` });
  }
  return problems;
}

/**
 * The files of `entries` (and `_policy-values.yaml`, when `policyValues` has any) that are
 * not in canonical form (an export would reformat them), read from `dir`.
 *
 * @example notCanonical('knowledge', entries, loadPolicyValues('knowledge').values) // [] for the shipped knowledge
 */
export function notCanonical(dir: string, entries: readonly KnowledgeEntry[], policyValues?: PolicyValues): string[] {
  const out = entries.filter((e) => readFileSync(join(dir, e.file), 'utf8') !== serializeEntry(e)).map((e) => e.file.split(sep).join('/'));
  if (policyValues && policyValues.size > 0 && readFileSync(join(dir, POLICY_VALUES_FILE), 'utf8') !== serializePolicyValues([...policyValues.values()])) {
    out.push(POLICY_VALUES_FILE);
  }
  return out;
}

/** The folder holds other things than knowledge: export will not write into it. */
export class NotAKnowledgeFolderError extends Error {
  constructor(readonly dir: string) {
    super(`${dir} không phải thư mục tri thức (không có thư mục chủ đề nào, mà có tệp khác): không ghi vào đó`);
    this.name = 'NotAKnowledgeFolderError';
  }
}

const isHidden = (name: string) => name.startsWith('.') || name.startsWith('_');

/**
 * A folder export may write into: missing or empty; or holding at least one topic folder;
 * or holding nothing but README.md, `_`-prefixed and hidden files.
 */
function isKnowledgeFolder(dir: string): boolean {
  const items = readdirSync(dir, { withFileTypes: true }).filter((i) => !i.name.startsWith('.'));
  if (items.some((i) => i.isDirectory() && (ENTRY_TOPICS as readonly string[]).includes(i.name))) return true;
  return items.every((i) => i.name === 'README.md' || i.name.startsWith('_'));
}

/** Entry-like files below `dir`, as the loader lists them: `.md` but not README.md, no hidden or `_` names. */
function listEntryFiles(dir: string, root = dir): string[] {
  const out: string[] = [];
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    if (isHidden(item.name)) continue;
    const full = join(dir, item.name);
    if (item.isDirectory()) out.push(...listEntryFiles(full, root));
    else if (item.isFile() && item.name.endsWith('.md') && item.name !== 'README.md') out.push(relative(root, full).split(sep).join('/'));
  }
  return out;
}

export interface WriteReport {
  added: string[];
  changed: string[];
  /** Entry files no longer live, removed so the folder mirrors the live knowledge. */
  removed: string[];
  unchanged: number;
  /** `.md` files that are not valid entries and not live: never removed, only reported. */
  leftAlone: string[];
}

/**
 * Writes `files` into `dir` (created if missing) so it mirrors the live knowledge: new and
 * changed files are written (each through a temporary file and a rename), identical ones
 * are not touched, and entry files no longer live are removed. Nothing else is ever
 * deleted: README.md, `_`-prefixed and hidden files, other files, and `.md` files that are
 * not valid entries stay. Refuses (NotAKnowledgeFolderError, before writing anything) a
 * non-empty folder that is not a knowledge folder.
 *
 * @example
 * writeKnowledgeFolder('knowledge', await exportKnowledge(store));
 * // { added: [], changed: ['lien-he/lienhe-hotline.md'], removed: [], unchanged: 211, leftAlone: [] }
 */
export function writeKnowledgeFolder(dir: string, files: readonly KnowledgeFile[]): WriteReport {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new NotAKnowledgeFolderError(dir);
    if (!isKnowledgeFolder(dir)) throw new NotAKnowledgeFolderError(dir);
  }
  mkdirSync(dir, { recursive: true });
  const report: WriteReport = { added: [], changed: [], removed: [], unchanged: 0, leftAlone: [] };
  const wanted = new Set(files.map((f) => f.path));
  for (const f of files) {
    const full = join(dir, ...f.path.split('/'));
    const before = existsSync(full) ? readFileSync(full, 'utf8') : null;
    if (before === f.text) {
      report.unchanged++;
      continue;
    }
    mkdirSync(dirname(full), { recursive: true });
    const temp = join(dirname(full), `.${basename(full)}.${process.pid}.tmp`);
    writeFileSync(temp, f.text);
    renameSync(temp, full);
    (before === null ? report.added : report.changed).push(f.path);
  }
  for (const path of listEntryFiles(dir).sort()) {
    if (wanted.has(path)) continue;
    const full = join(dir, ...path.split('/'));
    if (Array.isArray(parseEntry(readFileSync(full, 'utf8'), path))) {
      report.leftAlone.push(path);
      continue;
    }
    rmSync(full);
    report.removed.push(path);
  }
  return report;
}
