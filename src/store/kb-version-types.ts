/**
 * The live knowledge in the store, as versions staff write and review: re-exported by
 * src/store/types.ts. Which version the bot answers from at a moment is a pure rule over
 * the approved versions (src/kb/versions.ts); the repository only keeps them, and moves a
 * version's review status as one conditional write.
 */
import type { KnowledgeEntry } from '../kb/entry.js';

/**
 * draft: written, waiting for a second person; approved: in force from `publishAt` (a
 * date ahead schedules it); rejected: sent back, kept for the record.
 */
export const KB_VERSION_STATUSES = ['draft', 'approved', 'rejected'] as const;
export type KbVersionStatus = (typeof KB_VERSION_STATUSES)[number];

export interface KbVersion {
  entryId: string;
  /** 1, 2, 3… per entry, in the order they were written. */
  version: number;
  /** The entry as this version has it; null withdraws the entry (once approved and in force). */
  entry: KnowledgeEntry | null;
  status: KbVersionStatus;
  /** A staff account id, or 'import' for `npm run kb:import` and the first start. */
  author: string;
  /** What changed, in the author's words; null when not given. */
  note: string | null;
  /** The version it was edited from; null for a new entry. */
  basedOn: number | null;
  createdAt: Date;
  reviewer: string | null;
  reviewedAt: Date | null;
  /** Approved only: from this moment the bot answers from it. */
  publishAt: Date | null;
}

export type NewKbDraft = Pick<KbVersion, 'entryId' | 'entry' | 'author' | 'note' | 'basedOn' | 'createdAt'>;

export interface KnowledgeVersionRepository {
  /** Stores a draft under the entry's next version number (unique per entry; a simultaneous writer gets the next one). */
  addDraft(draft: NewKbDraft): Promise<KbVersion>;
  /**
   * Stores versions already approved (an import, the first start): each under its entry's
   * next number, in force from `publishAt`. One call is one batch; on SQLite one transaction.
   */
  addApproved(versions: ReadonlyArray<NewKbDraft & { publishAt: Date }>): Promise<KbVersion[]>;
  /** draft → approved (in force from publishAt) or rejected, as one conditional write; null when it was not a draft any more. */
  review(
    entryId: string,
    version: number,
    decision: { status: 'approved'; reviewer: string; at: Date; publishAt: Date } | { status: 'rejected'; reviewer: string; at: Date; note?: string | null },
  ): Promise<KbVersion | null>;
  get(entryId: string, version: number): Promise<KbVersion | null>;
  /** Every version of one entry, oldest first. */
  history(entryId: string): Promise<KbVersion[]>;
  /** Every approved version of every entry: what the live base is computed from. */
  listApproved(): Promise<KbVersion[]>;
  /** Drafts waiting for review, oldest first. */
  listDrafts(): Promise<KbVersion[]>;
  /**
   * A number that grows whenever a version is approved (or added approved): an instance
   * that reads it every few seconds knows when to reload, with one small read.
   */
  revision(): Promise<number>;
}
