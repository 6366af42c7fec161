/**
 * The live knowledge in the store, as versions staff write and review: re-exported by
 * src/store/types.ts. Two kinds of item are versioned the same way: knowledge entries
 * (table/collection `kb_versions`) and policy values with dates (`policy_versions`, the
 * amounts many entries share). Which version is in force at a moment is a pure rule over
 * the approved versions (src/kb/versions.ts); a repository only keeps them, and moves a
 * version's review status as one conditional write.
 */
import type { KnowledgeEntry } from '../kb/entry.js';
import type { PolicyValue } from '../kb/policy-values.js';

/**
 * draft: written, waiting for a second person; approved: in force from `publishAt` (a
 * date ahead schedules it); rejected: sent back, kept for the record.
 */
export const KB_VERSION_STATUSES = ['draft', 'approved', 'rejected'] as const;
export type KbVersionStatus = (typeof KB_VERSION_STATUSES)[number];

/** One version of one item: an entry (`T` = KnowledgeEntry) or a policy value (`T` = PolicyValue). */
export interface Version<T> {
  /** The entry's id, or the policy value's key. */
  entryId: string;
  /** 1, 2, 3… per item, in the order they were written. */
  version: number;
  /** The item as this version has it; null withdraws it (once approved and in force). */
  entry: T | null;
  status: KbVersionStatus;
  /** A staff account id, or 'import' for `npm run kb:import` and the first start. */
  author: string;
  /** What changed, in the author's words; null when not given. */
  note: string | null;
  /** The version it was edited from; null for a new item. */
  basedOn: number | null;
  createdAt: Date;
  reviewer: string | null;
  reviewedAt: Date | null;
  /** Approved only: from this moment the bot answers from it. */
  publishAt: Date | null;
}

export type KbVersion = Version<KnowledgeEntry>;
export type PolicyVersion = Version<PolicyValue>;

export type NewDraft<T> = Pick<Version<T>, 'entryId' | 'entry' | 'author' | 'note' | 'basedOn' | 'createdAt'>;
export type NewKbDraft = NewDraft<KnowledgeEntry>;

export interface VersionRepository<T> {
  /** Stores a draft under the item's next version number (unique per item; a simultaneous writer gets the next one). */
  addDraft(draft: NewDraft<T>): Promise<Version<T>>;
  /**
   * Stores versions already approved (an import, the first start): each under its item's
   * next number, in force from `publishAt`. One call is one batch; on SQLite one transaction.
   */
  addApproved(versions: ReadonlyArray<NewDraft<T> & { publishAt: Date }>): Promise<Array<Version<T>>>;
  /** draft → approved (in force from publishAt) or rejected, as one conditional write; null when it was not a draft any more. */
  review(
    entryId: string,
    version: number,
    decision: { status: 'approved'; reviewer: string; at: Date; publishAt: Date } | { status: 'rejected'; reviewer: string; at: Date; note?: string | null },
  ): Promise<Version<T> | null>;
  get(entryId: string, version: number): Promise<Version<T> | null>;
  /** Every version of one item, oldest first. */
  history(entryId: string): Promise<Array<Version<T>>>;
  /** Every approved version of every item: what the live set is computed from. */
  listApproved(): Promise<Array<Version<T>>>;
  /** Drafts waiting for review, oldest first. */
  listDrafts(): Promise<Array<Version<T>>>;
  /**
   * A number that grows whenever a version is approved (or added approved): an instance
   * that reads it every few seconds knows when to reload, with one small read.
   */
  revision(): Promise<number>;
}

export type KnowledgeVersionRepository = VersionRepository<KnowledgeEntry>;
export type PolicyVersionRepository = VersionRepository<PolicyValue>;
