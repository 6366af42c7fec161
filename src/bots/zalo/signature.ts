/**
 * The Zalo OA webhook signature (shared/channels.md 2.1): header `X-ZEvent-Signature:
 * mac=<hex>` with hex = SHA-256(app_id + raw body + timestamp + key), a plain digest (no
 * HMAC), where app_id and timestamp are the values inside the JSON body and the body is
 * the exact bytes received (re-serialised JSON would break it, most visibly with
 * Vietnamese text sent as \u escapes).
 *
 * Which key: [unconfirmed] the OA Secret Key of the app's Webhook page (most sources) or
 * the App Secret (one integration). Tolerant of both: verifyZaloSignature tries each key
 * it is given, in order, and says which one matched, so the first real deliveries settle
 * the point in the logs.
 *
 * @example
 * verifyZaloSignature(req.get('x-zevent-signature'), rawBody, { appId, timestamp }, [oaSecretKey, appSecret])
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The hex digest Zalo sends (without the `mac=` prefix). */
export function zaloMac(appId: string, rawBody: Buffer | string, timestamp: string, key: string): string {
  return createHash('sha256')
    .update(appId, 'utf8')
    .update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody)
    .update(timestamp, 'utf8')
    .update(key, 'utf8')
    .digest('hex');
}

/**
 * Index of the key that produced `header`'s signature, or -1 (missing, malformed or wrong).
 * The header is accepted with or without `mac=`, in either letter case; every candidate is
 * compared in constant time (all of them, whatever matched first).
 */
export function verifyZaloSignature(
  header: string | undefined,
  rawBody: Buffer,
  fields: { appId: string; timestamp: string },
  keys: readonly string[],
): number {
  if (typeof header !== 'string') return -1;
  const hex = header.trim().replace(/^mac=/i, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) return -1;
  const given = Buffer.from(hex, 'hex');
  let matched = -1;
  keys.forEach((key, i) => {
    if (!key) return;
    const expected = Buffer.from(zaloMac(fields.appId, rawBody, fields.timestamp, key), 'hex');
    if (timingSafeEqual(given, expected) && matched === -1) matched = i;
  });
  return matched;
}
