/**
 * The MongoDB collection of web chat files (media), in a file of its own so the store's
 * other models stay as they are. Like every collection, its indexes are declared here and
 * created explicitly at open, never by mongoose on its own (jongodb has no `create`).
 * A document holds the bytes as BSON binary: uploads are capped well below MongoDB's
 * 16 MiB document limit (DIRECTLINE_UPLOAD_MAX_BYTES).
 *
 * @example const M = defineMediaModel(conn); await M.createIndexes();
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { schemaOptions } from './schema-options.js';

/** A stored file; `_id` is the media id (random, URL-safe). */
export interface MediaDoc {
  _id: string;
  conversationId: string;
  contentType: string;
  name: string;
  size: number;
  bytes: Buffer;
  createdAt: Date;
}

export const mediaSchema = new Schema<MediaDoc>(
  {
    _id: { type: String, required: true },
    conversationId: { type: String, required: true },
    contentType: { type: String, required: true },
    // Not `required`: mongoose would refuse an empty name, which the store allows.
    name: { type: String },
    size: { type: Number, required: true },
    bytes: { type: Buffer, required: true },
    createdAt: { type: Date, required: true },
  },
  schemaOptions,
);
// Erasure removes a citizen's files by conversation.
mediaSchema.index({ conversationId: 1 }, { name: 'media_conversation' });
// Retention sweeps delete the oldest files first.
mediaSchema.index({ createdAt: 1, _id: 1 }, { name: 'media_age' });

/** Registers the model on the store's connection (never mongoose's global one). */
export function defineMediaModel(conn: Connection): Model<MediaDoc> {
  return conn.model<MediaDoc>('Media', mediaSchema, 'media');
}
