/**
 * The Zalo OA's tokens (shared/channels.md 2.4): an access token that lasts about 25 hours
 * (older guides: 1 hour [unconfirmed]), and a refresh token that works ONCE: every
 * refresh returns a new pair and burns the old refresh token. Lose the new pair (a crash,
 * a failed write, two instances refreshing at once) and the OA is disconnected until an
 * OA admin consents again. So:
 *
 * - One refresh at a time: a promise shared within the process, and a lease in the store
 *   across instances, named after the refresh token it would spend
 *   ("zalo-token:<app id>:<fingerprint>"), so a lease left by a process that died holding
 *   it stops nobody once that token is replaced. The lease outlives the longest refresh
 *   call (client timeout 8 s, lease 30 s); the fence is stronger than the lease: every
 *   write is conditional on the refresh token it replaces (ChannelTokenRepository), so an
 *   instance whose lease ran out cannot overwrite a newer pair.
 * - Zalo's answer is written first, encrypted, as `pending` (conditional on the refresh
 *   token it answered), then the rotation: one conditional update to the new pair. A
 *   process that dies between the two leaves the answer in the store, and whoever reads
 *   the row next (a restart, another instance, the next send) completes the rotation from
 *   it without calling Zalo, and without waiting for the dead process's lease (the write
 *   is conditional, and nothing is spent). The new access token is used only after the
 *   rotation is written.
 * - Proactively refreshed: a job (every 10 minutes) refreshes when less than 2 hours are
 *   left, or less than half the token's lifetime if tokens turn out short-lived (the 1 h
 *   reading); plus one reactive refresh when Zalo refuses an access token (-216/-220).
 *   A refusal of an access token that is no longer the stored one (another instance has
 *   rotated since) takes the stored one, without a refresh.
 * - A refused refresh: the store is read again first (another instance may have rotated);
 *   only if the same refresh token is still there is the OA marked "needs reconnect"
 *   (audit + a warning). That refresh token is never sent again: the mark stops every later
 *   refresh until a new one is configured. No answer at all (network, timeout, 5xx) is not
 *   a refusal: it is tried again after `retryUnavailableMs`, not in a loop.
 * - Encrypted at rest: AES-256-GCM under a key derived (HKDF-SHA256) from CHANNEL_TOKEN_KEY,
 *   each value bound to its row and field; the refresh token's fingerprint is an HMAC under
 *   another derived key. Tokens are never logged.
 * - Seeded from ZALO_REFRESH_TOKEN (and ZALO_ACCESS_TOKEN) only while the store holds none,
 *   or holds only a refresh token marked "needs reconnect" and the configured one differs
 *   from it (a centre that consented again). A seeded access token's expiry is unknown: it
 *   is used until the first job run refreshes it (at start).
 * - Whether Zalo grants any grace period to a replaced refresh token, or invalidates the
 *   previous access token when it issues a new one, is unknown [unconfirmed]; neither is
 *   relied on.
 *
 * @example
 * const tokens = new ZaloTokenStore({ store, client, cipher: new TokenCipher(key), appId, holder, now, log });
 * await tokens.start();                  // seed, finish a pending rotation, refresh if due, then the job
 * const token = await tokens.accessToken();
 * const fresh = await tokens.rejected(token);   // after -216/-220
 */
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { ChannelTokenPair, ChannelTokens, Store } from '../../store/types.js';
import { sealPair, TokenCipher, type PlainPair } from './token-cipher.js';
import { parseRefreshAnswer, type RefreshOutcome, type RefreshedTokens } from './client.js';
import { tokenOptions, type ZaloTokenOptions } from './token-options.js';

export type { ZaloTokenOptions } from './token-options.js';

/** No access token can be had now; `code` says why (the sender turns it into a retry). */
export class TokenUnavailableError extends Error {
  constructor(readonly code: 'no-token' | 'needs-reconnect' | 'refresh-busy' | 'refresh-unavailable') {
    super(`zalo token unavailable: ${code}`);
    this.name = 'TokenUnavailableError';
  }
}

export interface ZaloTokenDeps {
  store: Pick<Store, 'channelTokens' | 'leases' | 'audit' | 'committed'>;
  client: { refresh(refreshToken: string): Promise<RefreshOutcome> };
  cipher: TokenCipher;
  appId: string;
  /** Unique per process: the lease holder. */
  holder: string;
  now: () => Date;
  log: Logger;
  /** ZALO_REFRESH_TOKEN / ZALO_ACCESS_TOKEN: used only while the store holds none. */
  seed?: { refreshToken?: string; accessToken?: string };
  options?: ZaloTokenOptions;
}

/** A refresh answer on its way into the store. */
interface Unwritten {
  raw: string;
  tokens: RefreshedTokens;
  /** The fingerprint of the refresh token it answered. */
  forFingerprint: string;
  at: Date;
}

/** Why a refresh is wanted, and when the stored token already satisfies it. */
type Need = { why: 'expired' } | { why: 'rejected'; token: string } | { why: 'due' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ZaloTokenStore {
  readonly key: string;
  private readonly o: Required<ZaloTokenOptions>;
  private inflight: Promise<string> | null = null;
  private unavailableUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private warnedNoToken = false;
  /** A refresh answer whose write to the store failed; written before any new refresh. */
  private unwritten: Unwritten | null = null;

  constructor(private readonly deps: ZaloTokenDeps) {
    this.key = `zalo:${deps.appId}`;
    this.o = tokenOptions(deps.options);
  }

  /** Seeds the store from configuration if it holds no usable token, and finishes a rotation a crash left pending. */
  async init(): Promise<void> {
    const { store, cipher, seed, now, log } = this.deps;
    const row = await store.channelTokens.get(this.key);
    const seedRefresh = seed?.refreshToken;
    if (seedRefresh) {
      const pair = this.seal({ accessToken: seed?.accessToken ?? null, refreshToken: seedRefresh, accessExpiresAt: null, issuedAt: now() });
      if (!row) {
        if (await store.channelTokens.seed(this.key, pair, now())) {
          await this.audit('zalo.token.seeded', {});
          log.info('zalo: OA tokens seeded from ZALO_REFRESH_TOKEN');
        }
      } else if (row.status === 'needs-reconnect' && row.refreshFingerprint !== cipher.fingerprint(seedRefresh)) {
        // The centre consented again and configured the new refresh token.
        if (await store.channelTokens.rotate(this.key, row.refreshFingerprint, pair, now())) {
          await this.audit('zalo.token.reconnected', {});
          log.info('zalo: OA reconnected with the configured ZALO_REFRESH_TOKEN');
        }
      }
    }
    const current = await store.channelTokens.get(this.key);
    if (!current) this.warnNoToken();
    else if (this.pendingApplies(current)) await this.refresh({ why: 'due' }).catch(() => undefined);
  }

  /** Starts: init, a refresh if one is due, then the job. Never throws. */
  async start(): Promise<void> {
    try {
      await this.init();
    } catch (err) {
      this.deps.log.error({ err }, 'zalo: token store could not start');
    }
    const tick = () => void this.refreshIfDue().catch((err) => this.deps.log.warn({ err }, 'zalo: proactive token refresh failed'));
    tick();
    this.timer = setInterval(tick, this.o.checkEveryMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Resolves when a refresh under way in this process has finished. */
  async idle(): Promise<void> {
    await this.inflight?.catch(() => undefined);
  }

  /** A usable access token: the stored one, or a new one if it ran out. */
  async accessToken(): Promise<string> {
    const row = await this.deps.store.channelTokens.get(this.key);
    const ready = row && this.usable(row, { why: 'expired' });
    if (ready) return ready;
    return this.refresh({ why: 'expired' });
  }

  /**
   * Zalo refused `token` (-216/-220): the stored token if it is another one (rotated
   * meanwhile), otherwise a refresh. One call per refused send: the sender retries once.
   */
  async rejected(token: string): Promise<string> {
    const row = await this.deps.store.channelTokens.get(this.key);
    const ready = row && this.usable(row, { why: 'rejected', token });
    if (ready) return ready;
    const fresh = await this.refresh({ why: 'rejected', token });
    // Joined a refresh started for another reason that kept the refused token: one of our own.
    return sameToken(fresh, token) ? this.refresh({ why: 'rejected', token }) : fresh;
  }

  /** The job: refreshes when less than refreshBeforeMs is left (or the expiry is unknown). True when it refreshed. */
  async refreshIfDue(): Promise<boolean> {
    const row = await this.deps.store.channelTokens.get(this.key);
    if (!row) {
      this.warnNoToken();
      return false;
    }
    if (row.status === 'needs-reconnect' && !this.pendingApplies(row)) return false;
    if (this.usable(row, { why: 'due' })) return false;
    await this.refresh({ why: 'due' });
    return true;
  }

  /** Single-flight within the process. */
  private refresh(need: Need): Promise<string> {
    if (!this.inflight) {
      this.inflight = this.refreshAcrossInstances(need).finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  /** Single-flight across instances: the lease, waiting for another holder's rotation. */
  private async refreshAcrossInstances(need: Need): Promise<string> {
    const { store, holder, now } = this.deps;
    const deadline = now().getTime() + this.o.waitForOtherMs;
    // Each 'again' means the store changed under us (another writer); a few are plenty.
    for (let rounds = 0; rounds < 5; ) {
      const row = await store.channelTokens.get(this.key);
      if (!row) {
        this.warnNoToken();
        throw new TokenUnavailableError('no-token');
      }
      const ready = this.usable(row, need);
      if (ready) return ready;
      // Finishing a stored answer calls nobody and its write is conditional: no lease needed
      // (the one a killed process held may not run out for a while).
      if (this.pendingApplies(row)) {
        const applied = await this.applyPending(row);
        if (applied !== 'again') return applied;
        rounds++;
        continue;
      }
      if (row.status === 'needs-reconnect') throw new TokenUnavailableError('needs-reconnect');
      const t = now().getTime();
      // The lease is on spending THIS refresh token: once it is replaced, a lease left by a
      // process that died while refreshing it no longer stands in anyone's way.
      const lease = `zalo-token:${this.deps.appId}:${row.refreshFingerprint.slice(0, 16)}`;
      if (await store.leases.acquire(lease, holder, new Date(t), new Date(t + this.o.leaseMs))) {
        try {
          const result = await this.refreshHoldingLease(need, row.refreshFingerprint);
          if (result !== 'again') return result;
        } finally {
          await store.leases.release(lease, holder);
        }
        rounds++;
        continue;
      }
      // Another instance is refreshing: its rotation will show in the store.
      if (now().getTime() >= deadline) throw new TokenUnavailableError('refresh-busy');
      await sleep(100);
    }
    throw new TokenUnavailableError('refresh-busy');
  }

  /** Under the lease: finish a pending rotation, or spend the refresh token once. 'again': read the store again. */
  private async refreshHoldingLease(need: Need, leased: string): Promise<string | 'again'> {
    const { store, client, cipher, now, log } = this.deps;
    const row = await store.channelTokens.get(this.key);
    if (!row) throw new TokenUnavailableError('no-token');
    // Rotated since the lease was taken: the lease is for a token that is gone.
    if (row.refreshFingerprint !== leased) return 'again';
    const ready = this.usable(row, need);
    if (ready) return ready;
    if (row.pending) {
      if (this.pendingApplies(row)) return this.applyPending(row);
      // An answer to a refresh token that is no longer the stored one: already applied or superseded.
      await store.channelTokens.clearPending(this.key, row.pending.forFingerprint);
    }
    const spent = row.refreshFingerprint;
    // An answer this process got but could not write (the store failed): write it now, spend nothing.
    if (this.unwritten && this.unwritten.forFingerprint === spent) return this.keep(this.unwritten);
    this.unwritten = null;
    if (row.status === 'needs-reconnect') throw new TokenUnavailableError('needs-reconnect');
    if (now().getTime() < this.unavailableUntil) throw new TokenUnavailableError('refresh-unavailable');

    const outcome = await client.refresh(cipher.decrypt(row.refreshToken, `${this.key}:refresh`));
    if (outcome.kind === 'tokens') {
      // Held in memory until it is in the store: a failed write is tried again, not the refresh.
      return this.keep({ raw: outcome.raw, tokens: outcome.tokens, forFingerprint: spent, at: now() });
    }
    if (outcome.kind === 'unavailable') {
      this.unavailableUntil = now().getTime() + this.o.retryUnavailableMs;
      log.warn({ code: outcome.code }, 'zalo: token refresh got no answer; will try again later');
      throw new TokenUnavailableError('refresh-unavailable');
    }
    // Refused. Another instance may have rotated meanwhile (its answer burnt this token).
    const fresh = await store.channelTokens.get(this.key);
    if (fresh && fresh.refreshFingerprint !== spent) return 'again';
    if (await store.channelTokens.markNeedsReconnect(this.key, spent, outcome.code, now())) {
      await this.audit('zalo.token.needs-reconnect', { code: outcome.code });
      log.warn({ code: outcome.code }, 'zalo: the OA refresh token was refused; an OA admin must grant access again (set ZALO_REFRESH_TOKEN to the new one)');
      throw new TokenUnavailableError('needs-reconnect');
    }
    return 'again';
  }

  /** Writes a refresh answer: first as pending (from here on a crash cannot lose it), then the rotation. */
  private async keep(answer: Unwritten): Promise<string | 'again'> {
    const { store, cipher, log } = this.deps;
    this.unwritten = answer;
    const saved = await store.channelTokens.savePending(this.key, { answer: cipher.encrypt(answer.raw, `${this.key}:pending`), forFingerprint: answer.forFingerprint, at: answer.at });
    // On disk before the rotation: the refresh token Zalo just spent is worth nothing now.
    await store.committed();
    this.unwritten = null;
    if (!saved) {
      log.warn('zalo: a newer token pair was stored while this refresh ran; its answer is not used');
      return 'again';
    }
    return this.rotate(answer.forFingerprint, answer.tokens, answer.at);
  }

  /** Completes a rotation from the stored answer (a crash came between the answer and the rotation). */
  private async applyPending(row: ChannelTokens): Promise<string | 'again'> {
    const { store, cipher, log } = this.deps;
    const pending = row.pending!;
    let tokens: RefreshedTokens | null = null;
    try {
      tokens = parseRefreshAnswer(cipher.decrypt(pending.answer, `${this.key}:pending`));
    } catch {
      tokens = null;
    }
    if (!tokens) {
      log.error('zalo: a pending token answer could not be read; it is dropped');
      await store.channelTokens.clearPending(this.key, pending.forFingerprint);
      return 'again';
    }
    log.warn('zalo: finishing a token rotation that a stop interrupted');
    return this.rotate(row.refreshFingerprint, tokens, pending.at);
  }

  /** The one conditional write of the new pair; the new access token is handed out only after it. */
  private async rotate(spent: string, tokens: RefreshedTokens, issuedAt = this.deps.now()): Promise<string | 'again'> {
    const { store, now, log } = this.deps;
    const lifetimeMs = tokens.expiresIn !== null ? tokens.expiresIn * 1000 : this.o.fallbackLifetimeMs;
    const pair = this.seal({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, accessExpiresAt: new Date(issuedAt.getTime() + lifetimeMs), issuedAt });
    if (!(await store.channelTokens.rotate(this.key, spent, pair, now()))) {
      log.warn('zalo: another instance stored a newer token pair first');
      return 'again';
    }
    const row = await store.channelTokens.get(this.key);
    await this.audit('zalo.token.rotated', { version: row?.version ?? null, lifetimeSeconds: Math.round(lifetimeMs / 1000) });
    log.info({ version: row?.version ?? null }, 'zalo: OA access token refreshed');
    return tokens.accessToken;
  }

  /** The stored access token when it satisfies `need`; null when a refresh is needed. */
  private usable(row: ChannelTokens, need: Need): string | null {
    if (row.status !== 'ok' || !row.accessToken || this.pendingApplies(row)) return null;
    const t = this.deps.now().getTime();
    const expires = row.accessExpiresAt?.getTime() ?? null;
    if (expires !== null && expires - this.o.expirySkewMs <= t) return null;
    const token = this.open(row.accessToken, 'access');
    if (need.why === 'rejected' && sameToken(token, need.token)) return null;
    if (need.why === 'due') {
      if (expires === null) return null;
      const lifetime = expires - row.issuedAt.getTime();
      const before = lifetime > 0 ? Math.min(this.o.refreshBeforeMs, lifetime / 2) : this.o.refreshBeforeMs;
      if (expires - t < before) return null;
    }
    return token;
  }

  private pendingApplies(row: ChannelTokens): boolean {
    return row.pending !== null && row.pending.forFingerprint === row.refreshFingerprint;
  }

  private seal(p: PlainPair): ChannelTokenPair {
    return sealPair(this.deps.cipher, this.key, p);
  }

  private open(sealed: string, field: 'access' | 'refresh'): string {
    return this.deps.cipher.decrypt(sealed, `${this.key}:${field}`);
  }

  private warnNoToken(): void {
    if (this.warnedNoToken) return;
    this.warnedNoToken = true;
    this.deps.log.warn('zalo: no OA token in the store and ZALO_REFRESH_TOKEN is not set; replies wait until it is');
  }

  private audit(action: string, detail: Record<string, unknown>) {
    return this.deps.store.audit.append({ at: this.deps.now(), actor: 'system', action, subject: this.key, detail });
  }
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
