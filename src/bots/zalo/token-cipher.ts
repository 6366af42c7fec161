/**
 * Zalo OA tokens at rest: AES-256-GCM under a key derived (HKDF-SHA256) from
 * CHANNEL_TOKEN_KEY, each value bound to its row and field, and the refresh token's
 * fingerprint as an HMAC under another derived key (src/bots/zalo/token-store.ts uses it).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { ChannelTokenPair } from '../../store/types.js';

/** AES-256-GCM for token values, and a keyed fingerprint for the refresh token. */
export class TokenCipher {
  private readonly encKey: Buffer;
  private readonly fpKey: Buffer;

  constructor(secret: string) {
    if (!secret || secret.length < 32) throw new Error('CHANNEL_TOKEN_KEY must be at least 32 characters');
    const salt = Buffer.from('ctxh-channel-tokens');
    this.encKey = Buffer.from(hkdfSync('sha256', secret, salt, 'aes-256-gcm v1', 32));
    this.fpKey = Buffer.from(hkdfSync('sha256', secret, salt, 'refresh fingerprint v1', 32));
  }

  /** `v1.<iv>.<tag>.<ciphertext>` (base64url); `context` (row and field) is authenticated, not stored. */
  encrypt(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encKey, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  /** Throws when the value was not made with this key for this context (tampered, or another key). */
  decrypt(sealed: string, context: string): string {
    const [version, iv, tag, ct] = sealed.split('.');
    if (version !== 'v1' || iv === undefined || tag === undefined || ct === undefined) throw new Error('not a sealed token');
    const decipher = createDecipheriv('aes-256-gcm', this.encKey, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }

  fingerprint(refreshToken: string): string {
    return createHmac('sha256', this.fpKey).update(refreshToken, 'utf8').digest('hex');
  }
}

export interface PlainPair {
  accessToken: string | null;
  refreshToken: string;
  accessExpiresAt: Date | null;
  issuedAt: Date;
}

/** A pair as the store keeps it: each token sealed for its row (`key`) and field, the refresh token's fingerprint beside it. */
export function sealPair(cipher: TokenCipher, key: string, p: PlainPair): ChannelTokenPair {
  return {
    accessToken: p.accessToken ? cipher.encrypt(p.accessToken, `${key}:access`) : null,
    accessExpiresAt: p.accessExpiresAt,
    refreshToken: cipher.encrypt(p.refreshToken, `${key}:refresh`),
    refreshFingerprint: cipher.fingerprint(p.refreshToken),
    issuedAt: p.issuedAt,
  };
}
