/**
 * Console passwords: scrypt (node:crypto), stored in a self-describing form so the cost
 * can be raised later without breaking stored accounts:
 *
 *   scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>
 *
 * Passwords are Unicode-normalised (NFC) before hashing: the same Vietnamese password
 * typed on different keyboards or systems (precomposed "ệ" or "e" + combining marks)
 * must give the same hash.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const SCRYPT_N = 2 ** 15;
export const SCRYPT_R = 8;
export const SCRYPT_P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

/** Bounds for parameters read back from a stored hash (a corrupt row must not cost minutes of CPU or GBs of memory). */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

/** scrypt needs 128·N·r bytes (plus a little); node's default cap (32 MiB) is exactly N=2^15, r=8, so raise it. */
const maxmemFor = (n: number, r: number, p: number): number => 128 * n * r * p + 16 * 1024 * 1024;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const normalise = (plain: string): string => plain.normalize('NFC');

export async function hashPassword(plain: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(normalise(plain), salt, KEY_BYTES, {
    N: SCRYPT_N,
    r: SCRYPT_R,
    p: SCRYPT_P,
    maxmem: maxmemFor(SCRYPT_N, SCRYPT_R, SCRYPT_P),
  });
  return ['scrypt', SCRYPT_N, SCRYPT_R, SCRYPT_P, salt.toString('base64'), key.toString('base64')].join('$');
}

interface ParsedHash {
  n: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const POSITIVE_INT = /^[1-9]\d{0,7}$/;

function parseStored(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6) return null;
  const [scheme, nText, rText, pText, saltText, keyText] = parts as [string, string, string, string, string, string];
  if (scheme !== 'scrypt') return null;
  if (![nText, rText, pText].every((t) => POSITIVE_INT.test(t))) return null;
  const n = Number(nText);
  const r = Number(rText);
  const p = Number(pText);
  // N must be a power of two above 1.
  if (n < 2 || n > MAX_N || (n & (n - 1)) !== 0 || r > MAX_R || p > MAX_P) return null;
  if (!BASE64.test(saltText) || !BASE64.test(keyText)) return null;
  const salt = Buffer.from(saltText, 'base64');
  const key = Buffer.from(keyText, 'base64');
  if (salt.length < 8 || key.length < 16 || key.length > 128) return null;
  return { n, r, p, salt, key };
}

/** True when `plain` matches the stored hash; false for a wrong password or a malformed hash (never throws for those). */
export async function verifyPassword(plain: string, stored: string): Promise<boolean> {
  const parsed = parseStored(stored);
  if (!parsed) return false;
  let key: Buffer;
  try {
    key = await scrypt(normalise(plain), parsed.salt, parsed.key.length, {
      N: parsed.n,
      r: parsed.r,
      p: parsed.p,
      maxmem: maxmemFor(parsed.n, parsed.r, parsed.p),
    });
  } catch {
    return false;
  }
  return timingSafeEqual(key, parsed.key);
}

/** True when the stored hash was made with other (older) parameters than today's: rehash at the next login. */
export function needsRehash(stored: string): boolean {
  const parsed = parseStored(stored);
  return !parsed || parsed.n !== SCRYPT_N || parsed.r !== SCRYPT_R || parsed.p !== SCRYPT_P || parsed.key.length !== KEY_BYTES;
}

/** Null when the password is acceptable, otherwise the reason in Vietnamese (shown to staff and to the IT person). */
export function checkPasswordPolicy(plain: string): string | null {
  const length = [...normalise(plain)].length;
  if (length < PASSWORD_MIN_LENGTH) return `Mật khẩu phải có ít nhất ${PASSWORD_MIN_LENGTH} ký tự.`;
  if (length > PASSWORD_MAX_LENGTH) return `Mật khẩu không được dài quá ${PASSWORD_MAX_LENGTH} ký tự.`;
  if (/^\d+$/.test(plain)) return 'Mật khẩu không được chỉ gồm chữ số.';
  if (plain.trim() === '') return 'Mật khẩu không được chỉ gồm khoảng trắng.';
  return null;
}

let dummy: Promise<string> | undefined;
/**
 * A hash of a random password, made once: checking a login for an unknown (or otherwise
 * refused) account against it costs the same time as a real check, so the answer's
 * timing does not tell whether the username exists.
 */
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(24).toString('base64'));
  return dummy;
}
