/**
 * The unanswered questions inbox: re-exported by src/store/types.ts. Questions the bot
 * declined or had to clarify (and answers a citizen marked unhelpful) are kept as groups
 * of the same question in other words, masked before they reach the store (no phone
 * numbers, ID numbers, emails or names: src/kb/unanswered.ts), with counts and when they
 * were first and last asked. Staff resolve a group by adding it to the knowledge
 * (src/console/inbox-api.ts).
 */

/** Why a question is in the inbox: the bot declined it, asked which topic was meant, or the citizen said the answer did not help. */
export const UNANSWERED_KINDS = ['declined', 'clarified', 'unhelpful'] as const;
export type UnansweredKind = (typeof UNANSWERED_KINDS)[number];

/** How a group left the inbox: its question became a way of asking an entry, a new entry (a draft), or staff set it aside. */
export interface UnansweredResolution {
  how: 'phrasing' | 'new-entry' | 'dismissed';
  /** The entry it was added to or drafted as; null when dismissed. */
  entryId: string | null;
  /** The staff account id. */
  by: string;
  at: Date;
}

export interface UnansweredGroup {
  id: string;
  /** The first question, masked. */
  sample: string;
  /** Up to five of the most recent wordings, masked, newest last (the first question included until pushed out). */
  samples: string[];
  /** The first question's terms (src/kb/unanswered.ts questionTerms): what later wordings are compared with. */
  terms: string[];
  /** How many times it was asked. */
  count: number;
  kinds: Record<UnansweredKind, number>;
  firstSeen: Date;
  lastSeen: Date;
  status: 'open' | 'resolved';
  resolution: UnansweredResolution | null;
}

/** A group's first question. */
export interface NewUnansweredGroup {
  sample: string;
  terms: string[];
  kind: UnansweredKind;
  at: Date;
}

/** Most recent wordings a group keeps. */
export const UNANSWERED_SAMPLES = 5;

/**
 * A group's samples after one more wording: the new one last, at most UNANSWERED_SAMPLES, no repeats.
 *
 * @example withSample(['a', 'b'], 'a') // ['b', 'a']
 */
export function withSample(samples: readonly string[], sample: string): string[] {
  return [...samples.filter((s) => s !== sample), sample].slice(-UNANSWERED_SAMPLES);
}

export interface UnansweredRepository {
  /** Open groups, most recently asked first, at most `limit` (default 100). */
  listOpen(limit?: number): Promise<UnansweredGroup[]>;
  get(id: string): Promise<UnansweredGroup | null>;
  /** A new open group with count 1. */
  add(group: NewUnansweredGroup): Promise<UnansweredGroup>;
  /**
   * The same question asked again: count and the kind's counter + 1, lastSeen moves, the
   * wording joins the samples (at most five kept). Null, and nothing changes, when the
   * group is not open any more (resolved meanwhile): the caller starts a new one.
   */
  hit(id: string, seen: { kind: UnansweredKind; sample: string; at: Date }): Promise<UnansweredGroup | null>;
  /** Open → resolved, once: null when it was not open (someone else resolved it first). */
  resolve(id: string, resolution: UnansweredResolution): Promise<UnansweredGroup | null>;
  /**
   * The retention sweep: deletes up to `limit` groups last asked before `cutoff` (open or
   * resolved: masked as they are, they still came from citizens' words). Returns how many.
   */
  deleteLastSeenBefore(cutoff: Date, limit: number): Promise<number>;
}
