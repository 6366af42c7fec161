/**
 * Web chat files in MongoDB (collection media, one document per file, `_id` the media id).
 * Only insert, find and deleteMany, so the jongodb lane runs the real code; retention
 * deletes a bounded batch by reading the oldest ids first (deleteMany has no limit).
 */
import type { Connection, Model } from 'mongoose';
import { describeNewMedia, type MediaRepository, type StoredMedia } from '../types.js';
import { defineMediaModel, type MediaDoc } from './media-model.js';
import { bytesOf } from './helpers.js';

function docToMedia(d: MediaDoc): StoredMedia {
  return {
    id: d._id,
    conversationId: d.conversationId,
    contentType: d.contentType,
    name: d.name ?? '',
    size: d.size,
    createdAt: new Date(d.createdAt),
  };
}

/**
 * The MediaRepository on MongoDB.
 *
 * @example const media = mongoMedia(defineMediaModel(conn));
 */
export function mongoMedia(M: Model<MediaDoc>): MediaRepository {
  return {
    async put(file) {
      const stored = describeNewMedia(file);
      const { id, ...rest } = stored;
      await M.create({ _id: id, ...rest, bytes: file.bytes });
      return stored;
    },
    async get(id) {
      const d = await M.findOne({ _id: id }).lean<MediaDoc>();
      return d ? { ...docToMedia(d), bytes: bytesOf(d.bytes, 'media') } : null;
    },
    async remove(ids) {
      if (ids.length === 0) return 0;
      return (await M.deleteMany({ _id: { $in: [...ids] } })).deletedCount;
    },
    async removeConversations(conversationIds) {
      if (conversationIds.length === 0) return 0;
      return (await M.deleteMany({ conversationId: { $in: [...conversationIds] } })).deletedCount;
    },
    async removeBefore(cutoff, limit = 1000) {
      if (limit <= 0) return 0;
      const oldest = await M.find({ createdAt: { $lt: cutoff } }, { _id: 1 })
        .sort({ createdAt: 1, _id: 1 })
        .limit(Math.floor(limit))
        .lean<Array<{ _id: string }>>();
      if (oldest.length === 0) return 0;
      return (await M.deleteMany({ _id: { $in: oldest.map((d) => d._id) } })).deletedCount;
    },
  };
}

/**
 * Defines the media model on the store's connection, creates its indexes (idempotent) and
 * returns the repository: one line in openMongoStore.
 *
 * @example media: await openMongoMedia(conn),
 */
export async function openMongoMedia(conn: Connection): Promise<MediaRepository> {
  const M = defineMediaModel(conn);
  await M.createIndexes();
  return mongoMedia(M);
}
