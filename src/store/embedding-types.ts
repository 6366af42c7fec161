/**
 * Vectors an embeddings model gave for the knowledge (src/kb/semantic.ts), kept in the
 * store so that each entry is embedded once per model and content, however often the
 * assistant restarts or how many instances share the store: re-exported by
 * src/store/types.ts. The key is a hash of the model and the text embedded, so an entry
 * staff change gets a new key (and one new call), and an unchanged one is never sent
 * again.
 */

/** A vector to keep under its content key. */
export interface NewEmbedding {
  /** sha256 hex of the model and the text embedded (src/kb/semantic.ts `embeddingKey`). */
  key: string;
  vector: readonly number[];
}

export interface EmbeddingRepository {
  /**
   * The vectors stored under these keys; a key never stored is absent from the map.
   *
   * @example const known = await store.embeddings.getMany(keys); known.get(keys[0])?.length // 1536
   */
  getMany(keys: readonly string[]): Promise<Map<string, number[]>>;
  /**
   * Keeps vectors under their keys. A key already stored keeps the vector it has (the same
   * model and text give the same vector; two instances embedding at once both succeed).
   * Checks every item first (checkEmbedding): one bad item stores nothing.
   */
  putMany(items: readonly NewEmbedding[], at: Date): Promise<void>;
}

const KEY = /^[0-9a-f]{64}$/;

/** Throws a clear error for a key that is not a sha256 hex or a vector that is empty or not finite. */
export function checkEmbedding(item: NewEmbedding): void {
  if (!KEY.test(item.key)) throw new Error(`embedding key must be 64 hex characters, got "${String(item.key).slice(0, 80)}"`);
  if (!Array.isArray(item.vector) || item.vector.length === 0) throw new Error(`embedding ${item.key}: the vector is empty`);
  if (!item.vector.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new Error(`embedding ${item.key}: every component must be a finite number`);
  }
}

/** The vector as the bytes both stores keep (float32, little-endian): 4 bytes per component. */
export function vectorToBytes(vector: readonly number[]): Buffer {
  const out = Buffer.alloc(vector.length * 4);
  vector.forEach((x, i) => out.writeFloatLE(x, i * 4));
  return out;
}

/** The vector back from vectorToBytes' bytes. */
export function bytesToVector(bytes: Uint8Array): number[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = new Array(b.length >> 2);
  for (let i = 0; i < out.length; i++) out[i] = b.readFloatLE(i * 4);
  return out;
}
