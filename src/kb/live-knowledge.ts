/**
 * Keeps the bot answering from the knowledge in force: reads the approved versions of
 * entries and of policy values from the store, hands the live entries and values to
 * `onChange` whenever either set in force changes, and
 * notices both kinds of change without a restart:
 * - a version approved on any instance: `refresh()` reads the store's revision (one small
 *   read) every `pollMs` and reloads the versions when it moved;
 * - a version scheduled ahead coming into force: `settle()` before each turn compares the
 *   clock with the next scheduled moment, so it takes effect at that moment exactly, on
 *   the injected clock in tests as on the real one.
 *
 * @example
 * const live = new LiveKnowledge({ versions: store.knowledgeVersions, policies: store.policyVersions, now,
 *   onChange: (entries, values) => pipeline.replaceKnowledge(new KnowledgeBase(entries, [], values)) });
 * await live.refresh();
 * live.start(5_000);
 */
import type { KbVersion, KnowledgeVersionRepository, PolicyVersion, PolicyVersionRepository } from '../store/kb-version-types.js';
import type { KnowledgeEntry } from './entry.js';
import type { PolicyValue } from './policy-values.js';
import { nextChangeAfter, versionsInForce } from './versions.js';

export interface LiveKnowledgeDeps {
  versions: Pick<KnowledgeVersionRepository, 'listApproved' | 'revision'>;
  /** The policy values' versions; without them, no values are live. */
  policies?: Pick<PolicyVersionRepository, 'listApproved' | 'revision'>;
  now: () => Date;
  /** Told the entries and policy values in force whenever either changes (first load included). */
  onChange: (entries: KnowledgeEntry[], policyValues: Map<string, PolicyValue>) => void;
  /** A failed store read: logged by the caller; the bot goes on with what it has. */
  onError?: (err: unknown) => void;
}

export class LiveKnowledge {
  private approved: KbVersion[] = [];
  private approvedValues: PolicyVersion[] = [];
  private revision = '';
  private inForce = '';
  private nextDue: Date | null = null;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<boolean> | null = null;
  private queued: Promise<boolean> | null = null;

  constructor(private readonly deps: LiveKnowledgeDeps) {}

  /**
   * Reloads the approved versions if the store's revision moved, then settles. True when
   * the entries in force changed. Called while a reload is in flight (it may have read the
   * revision before a write the caller just made), it runs once more after it.
   */
  refresh(): Promise<boolean> {
    if (this.refreshing) {
      this.queued ??= this.refreshing.then(
        () => ((this.queued = null), this.refresh()),
        () => ((this.queued = null), this.refresh()),
      );
      return this.queued;
    }
    this.refreshing = (async () => {
      try {
        const { versions, policies } = this.deps;
        const revision = `${await versions.revision()}/${policies ? await policies.revision() : 0}`;
        if (revision === this.revision) return this.settle();
        this.approved = await versions.listApproved();
        this.approvedValues = policies ? await policies.listApproved() : [];
        this.revision = revision;
        return this.settle(true);
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  /**
   * Applies what is in force now, from the versions already read: cheap when nothing is
   * due (one comparison), so it runs before every turn. True when the entries changed.
   */
  settle(force = false): boolean {
    const now = this.deps.now();
    if (!force && this.inForce !== '' && (this.nextDue === null || now < this.nextDue)) return false;
    const inForce = versionsInForce(this.approved, now);
    const valuesInForce = versionsInForce(this.approvedValues, now);
    const nextEntry = nextChangeAfter(this.approved, now);
    const nextValue = nextChangeAfter(this.approvedValues, now);
    this.nextDue = nextEntry && nextValue ? (nextEntry < nextValue ? nextEntry : nextValue) : (nextEntry ?? nextValue);
    const ids = (m: Map<string, { entryId: string; version: number }>) => [...m.values()].map((v) => `${v.entryId}@${v.version}`).sort().join(',');
    const key = `${ids(inForce)}|${ids(valuesInForce)}`;
    if (key === this.inForce) return false;
    this.inForce = key;
    const values = new Map([...valuesInForce].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v.entry!]));
    this.deps.onChange([...inForce.values()].map((v) => v.entry!).sort((a, b) => a.id.localeCompare(b.id)), values);
    return true;
  }

  /** When the next scheduled version comes into force; null when none is scheduled. */
  get nextChange(): Date | null {
    return this.nextDue;
  }

  /** Polls the store's revision every `pollMs` (other instances' approvals reach this one). */
  start(pollMs: number): void {
    this.stop();
    this.timer = setInterval(() => void this.refresh().catch((err) => this.deps.onError?.(err)), pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
