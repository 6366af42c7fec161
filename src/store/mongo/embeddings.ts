/**
 * Knowledge embeddings in MongoDB (collection embeddings, `_id` the content key, the
 * vector as float32 bytes). Only find and insertOne, so the jongodb lane runs the real
 * code: a key another instance stored first is a duplicate key, and its vector stays.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { bytesToVector, checkEmbedding, vectorToBytes, type EmbeddingRepository } from '../embedding-types.js';
import { bytesOf, isDuplicateKey } from './helpers.js';
import { schemaOptions } from './schema-options.js';

interface EmbeddingDoc {
  _id: string;
  dims: number;
  vector: Buffer;
  createdAt: Date;
}

const embeddingSchema = new Schema<EmbeddingDoc>(
  {
    _id: { type: String, required: true },
    dims: { type: Number, required: true },
    vector: { type: Buffer, required: true },
    createdAt: { type: Date, required: true },
  },
  schemaOptions,
);

export function mongoEmbeddings(M: Model<EmbeddingDoc>): EmbeddingRepository {
  return {
    async getMany(keys) {
      const out = new Map<string, number[]>();
      if (keys.length === 0) return out;
      for (const d of await M.find({ _id: { $in: [...keys] } }).lean<EmbeddingDoc[]>()) out.set(d._id, bytesToVector(bytesOf(d.vector, 'embeddings')));
      return out;
    },
    async putMany(items, at) {
      items.forEach(checkEmbedding);
      for (const e of items) {
        try {
          await M.create({ _id: e.key, dims: e.vector.length, vector: vectorToBytes(e.vector), createdAt: at });
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
        }
      }
    },
  };
}

/** Defines the model on the store's connection and returns the repository: one line in openMongoStore. */
export async function openMongoEmbeddings(conn: Connection): Promise<EmbeddingRepository> {
  return mongoEmbeddings(conn.model<EmbeddingDoc>('Embedding', embeddingSchema, 'embeddings'));
}
