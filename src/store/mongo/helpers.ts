/** Helpers shared by the MongoDB repositories. */

/** Duplicate key: a unique index refused the write. */
export function isDuplicateKey(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; writeErrors?: Array<{ code?: unknown }> };
  return e.code === 11000 || e.code === 11001 || (e.writeErrors?.some((w) => w.code === 11000) ?? false);
}

/** SQLite LIMIT semantics: 0 returns nothing, a negative limit means no limit. */
export function applyLimit<Q extends { limit(n: number): Q }>(query: Q, limit: number): Q | null {
  if (limit === 0) return null;
  return limit > 0 ? query.limit(Math.floor(limit)) : query;
}

/** What comes back for a Buffer field: a Buffer, or BSON Binary from a lean read. */
export function bytesOf(v: unknown, what: string): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v);
  const binary = v as { value?: () => Uint8Array; buffer?: Uint8Array };
  if (typeof binary?.value === 'function') return Buffer.from(binary.value());
  if (binary?.buffer instanceof Uint8Array) return Buffer.from(binary.buffer);
  throw new Error(`${what}: stored bytes in an unknown form`);
}
