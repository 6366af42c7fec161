import type { StoredMessage } from '../../store/types.js';

/** How long a missing position may still be a write in progress on another instance. */
export const GAP_GRACE_MS = 5_000;

/**
 * The messages a poll may hand out after watermark `after`: positions after+1, after+2…
 * without a gap. On MongoDB two instances can write positions N and N+1 of one
 * conversation with N+1 landing first; handing out N+1 would move the watermark past N
 * for good. A gap is stepped over only once the message after it is older than the
 * grace time, because then the write of the missing one has failed.
 */
export function readableRun(messages: readonly StoredMessage[], after: number, now: Date, graceMs = GAP_GRACE_MS): StoredMessage[] {
  const out: StoredMessage[] = [];
  let expected = after + 1;
  for (const m of messages) {
    if (m.position !== expected && now.getTime() - m.createdAt.getTime() < graceMs) break;
    out.push(m);
    expected = m.position + 1;
  }
  return out;
}
