/**
 * The retention sweep: what is kept past its configured time is erased, once across
 * instances. Cases and consent records past CASE_RETENTION_DAYS lose every personal
 * field (counts stay, as after "xóa thông tin của tôi"); so do tickets closed or
 * abandoned before then (no longer the citizen's, no close note), and staff notes older
 * than that are deleted; message texts past MESSAGE_RETENTION_DAYS are redacted, and the
 * web chat files (photos, voice notes) and the unanswered inbox's groups last asked
 * before then deleted.
 *
 * "Once": an instance sweeps only while it holds the `retention-sweep` lease, taken for
 * one sweep interval and not released, so of several instances one sweeps per interval.
 *
 * @example await sweepRetention(store, { now: new Date(), caseDays: 730, messageDays: 180, holder: 'app-1', intervalMs: 3_600_000 })
 */
import type { Store } from '../store/types.js';

export interface RetentionOptions {
  now: Date;
  /** CASE_RETENTION_DAYS: cases, the consents they were gathered under, tickets and staff notes. */
  caseDays: number;
  /** MESSAGE_RETENTION_DAYS: what citizens and the bot wrote. */
  messageDays: number;
  /** This instance, for the lease. */
  holder: string;
  /** How long the lease is held: the sweep interval. */
  intervalMs: number;
  /** Messages redacted per batch (default 1000). */
  batch?: number;
}

export interface SweepResult {
  cases: number;
  consents: number;
  /** Closed or abandoned tickets anonymised. */
  tickets: number;
  /** Staff notes deleted. */
  notes: number;
  messages: number;
  /** Web chat files deleted; only present when some were. */
  media?: number;
  /** Unanswered inbox groups deleted; only present when some were. */
  inbox?: number;
}

const DAY_MS = 86_400_000;

/** The cut-off dates for a sweep at `now`: pure, so the policy is tested without a store. */
export function retentionCutoffs(now: Date, caseDays: number, messageDays: number): { cases: Date; messages: Date } {
  return { cases: new Date(now.getTime() - caseDays * DAY_MS), messages: new Date(now.getTime() - messageDays * DAY_MS) };
}

/** Sweeps once if this instance takes the lease; null when another instance holds it. */
export async function sweepRetention(
  store: Pick<Store, 'cases' | 'consents' | 'tickets' | 'notes' | 'messages' | 'media' | 'unanswered' | 'leases' | 'audit'>,
  o: RetentionOptions,
): Promise<SweepResult | null> {
  const until = new Date(o.now.getTime() + o.intervalMs);
  if (!(await store.leases.acquire('retention-sweep', o.holder, o.now, until))) return null;
  const cutoff = retentionCutoffs(o.now, o.caseDays, o.messageDays);
  const cases = await store.cases.eraseBefore(cutoff.cases, o.now);
  const consents = await store.consents.anonymiseBefore(cutoff.cases);
  const tickets = await store.tickets.anonymiseBefore(cutoff.cases);
  const notes = await store.notes.deleteBefore(cutoff.cases);
  const batch = o.batch ?? 1000;
  let messages = 0;
  for (;;) {
    const n = await store.messages.redactBefore(cutoff.messages, batch);
    messages += n;
    if (n < batch) break;
  }
  let media = 0;
  for (;;) {
    const n = await store.media.removeBefore(cutoff.messages, batch);
    media += n;
    if (n < batch) break;
  }
  // The inbox's masked questions go with the messages they came from.
  let inbox = 0;
  for (;;) {
    const n = await store.unanswered.deleteLastSeenBefore(cutoff.messages, batch);
    inbox += n;
    if (n < batch) break;
  }
  const result: SweepResult = { cases, consents, tickets, notes, messages, ...(media > 0 ? { media } : {}), ...(inbox > 0 ? { inbox } : {}) };
  if (cases + consents + tickets + notes + messages + media + inbox > 0) {
    await store.audit.append({ at: o.now, actor: 'system', action: 'retention.swept', subject: 'retention', detail: { ...result } });
  }
  return result;
}
