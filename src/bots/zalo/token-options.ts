/**
 * The Zalo token store's timings (token-store.ts), each with its default and when to
 * change it. Tests shorten them; a centre normally leaves them alone.
 *
 * @example
 * const o = tokenOptions({ leaseMs: 5_000 });   // every other value at its default
 */
export interface ZaloTokenOptions {
  /** Refresh when less than this is left (and less than half the lifetime). Default 2 h. */
  refreshBeforeMs?: number;
  /** How often the job looks. Default 10 minutes. */
  checkEveryMs?: number;
  /** The cross-instance refresh lease; longer than the client's timeout. Default 30 s. */
  leaseMs?: number;
  /** How long a caller waits for another instance's refresh. Default 8 s. */
  waitForOtherMs?: number;
  /** After a refresh got no answer, no new call before this. Default 30 s. */
  retryUnavailableMs?: number;
  /** When Zalo's answer has no usable expires_in: the shorter reading of the lifetime. Default 1 h. */
  fallbackLifetimeMs?: number;
  /** An access token this close to its expiry counts as expired. Default 60 s. */
  expirySkewMs?: number;
}

/** Every option, the given ones over the defaults. */
export function tokenOptions(o: ZaloTokenOptions = {}): Required<ZaloTokenOptions> {
  return {
    refreshBeforeMs: o.refreshBeforeMs ?? 2 * 3600_000,
    checkEveryMs: o.checkEveryMs ?? 10 * 60_000,
    leaseMs: o.leaseMs ?? 30_000,
    waitForOtherMs: o.waitForOtherMs ?? 8_000,
    retryUnavailableMs: o.retryUnavailableMs ?? 30_000,
    fallbackLifetimeMs: o.fallbackLifetimeMs ?? 3600_000,
    expirySkewMs: o.expirySkewMs ?? 60_000,
  };
}
