/**
 * Channel tokens in the store (the Zalo OA's rotating OAuth pair): re-exported by
 * src/store/types.ts. The store keeps ciphertext; src/bots/zalo/token-store.ts encrypts.
 */

/**
 * One platform account's OAuth tokens (the Zalo OA's access and refresh token). The store
 * keeps what it is given: the token fields are ciphertext (src/bots/zalo/token-store.ts
 * encrypts them with AES-256-GCM before they reach a repository), and
 * `refreshFingerprint` is a keyed hash of the plain refresh token, never the token.
 *
 * A refresh token that works once (Zalo rotates it on every refresh) is the reason for the
 * shape: every change after the first write is conditional on the fingerprint of the
 * refresh token it replaces, so a stale instance (one that read an older pair) cannot
 * overwrite a newer one; and a refresh's answer is written as `pending` before the
 * rotation, so a process that dies between the two leaves the new pair in the store.
 */
export interface ChannelTokens {
  /** Which account: 'zalo:<app id>'. */
  key: string;
  /** Ciphertext of the access token; null when only a refresh token is known (seeded). */
  accessToken: string | null;
  /** When the access token runs out; null when unknown (a seeded token). */
  accessExpiresAt: Date | null;
  /** Ciphertext of the refresh token. */
  refreshToken: string;
  /** Keyed hash of the plain refresh token: the fencing value of every conditional write. */
  refreshFingerprint: string;
  /** When this refresh token was issued (Zalo no longer says when it runs out). */
  issuedAt: Date;
  /** 1 at the first write, +1 at every rotation. */
  version: number;
  /** 'needs-reconnect': the refresh token was refused; an OA admin must consent again. */
  status: 'ok' | 'needs-reconnect';
  /** Why it needs reconnecting (a short code); null when ok. */
  statusReason: string | null;
  /**
   * A refresh answer not yet applied: ciphertext of the raw answer, and the fingerprint of
   * the refresh token it answered. Cleared by the rotation it leads to.
   */
  pending: { answer: string; forFingerprint: string; at: Date } | null;
  updatedAt: Date;
}

/** A new pair of tokens, encrypted, as a seed or a rotation writes it. */
export type ChannelTokenPair = Pick<ChannelTokens, 'accessToken' | 'accessExpiresAt' | 'refreshToken' | 'refreshFingerprint' | 'issuedAt'>;

export interface ChannelTokenRepository {
  get(key: string): Promise<ChannelTokens | null>;
  /** Writes the first pair (version 1, status ok) if the key has none; false when it had one (nothing changes). */
  seed(key: string, pair: ChannelTokenPair, now: Date): Promise<boolean>;
  /**
   * Keeps a refresh answer before it is applied, only while the stored refresh token is
   * the one it answered (`forFingerprint`); false otherwise (nothing changes).
   */
  savePending(key: string, pending: { answer: string; forFingerprint: string; at: Date }): Promise<boolean>;
  /**
   * The rotation: the new pair replaces the one whose refresh token has fingerprint
   * `expectFingerprint` (version + 1, status ok, pending cleared). One conditional write;
   * false, and nothing changes, when the stored refresh token is another one (a stale writer).
   */
  rotate(key: string, expectFingerprint: string, pair: ChannelTokenPair, now: Date): Promise<boolean>;
  /** The refresh token with this fingerprint was refused: status needs-reconnect, only if it is still the stored one. */
  markNeedsReconnect(key: string, expectFingerprint: string, reason: string, now: Date): Promise<boolean>;
  /** Drops a pending answer, only if it is the one for `forFingerprint` (it no longer applies). */
  clearPending(key: string, forFingerprint: string): Promise<boolean>;
}
