/**
 * Knowledge embeddings in the embedded store (table embeddings, see schema.ts): one row
 * per content key, the vector as float32 bytes. Written in one transaction per batch,
 * INSERT … ON CONFLICT DO NOTHING: the first vector stored under a key stays.
 */
import type Database from 'better-sqlite3';
import { bytesToVector, checkEmbedding, vectorToBytes, type EmbeddingRepository, type NewEmbedding } from '../embedding-types.js';

export function sqliteEmbeddings(db: Database.Database): EmbeddingRepository {
  const select = db.prepare('SELECT key, vector FROM embeddings WHERE key IN (SELECT value FROM json_each(?))');
  const insert = db.prepare(
    'INSERT INTO embeddings (key, dims, vector, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING',
  );
  const insertAll = db.transaction((items: readonly NewEmbedding[], at: number) => {
    for (const e of items) insert.run(e.key, e.vector.length, vectorToBytes(e.vector), at);
  });
  return {
    async getMany(keys) {
      const out = new Map<string, number[]>();
      if (keys.length === 0) return out;
      for (const r of select.all(JSON.stringify(keys)) as Array<{ key: string; vector: Buffer }>) out.set(r.key, bytesToVector(r.vector));
      return out;
    },
    async putMany(items, at) {
      items.forEach(checkEmbedding);
      if (items.length > 0) insertAll(items, at.getTime());
    },
  };
}
