import type Database from 'better-sqlite3';
import { describeNewMedia, type MediaRepository, type StoredMedia } from '../types.js';
import { toDate, type Row } from './rows.js';

function rowToMedia(r: Row): StoredMedia {
  return {
    id: String(r.id),
    conversationId: String(r.conversation_id),
    contentType: String(r.content_type),
    name: String(r.name),
    size: Number(r.size),
    createdAt: toDate(r.created_at)!,
  };
}

/**
 * Web chat files in the embedded store (table media, see schema.ts), the bytes as a BLOB.
 * Lists of ids are passed as one JSON array parameter (json_each), so each statement is
 * prepared once whatever the number of ids; with secure_delete on, removed bytes are
 * overwritten in the file.
 *
 * @example const media = sqliteMedia(db); await media.put({ conversationId, contentType: 'image/png', name, bytes, createdAt });
 */
export function sqliteMedia(db: Database.Database): MediaRepository {
  const insert = db.prepare(
    `INSERT INTO media (id, conversation_id, content_type, name, size, bytes, created_at)
     VALUES (@id, @conversationId, @contentType, @name, @size, @bytes, @createdAt)`,
  );
  const get = db.prepare('SELECT * FROM media WHERE id = ?');
  const del = db.prepare('DELETE FROM media WHERE id IN (SELECT value FROM json_each(?))');
  const delConversations = db.prepare('DELETE FROM media WHERE conversation_id IN (SELECT value FROM json_each(?))');
  const delBefore = db.prepare(
    'DELETE FROM media WHERE id IN (SELECT id FROM media WHERE created_at < ? ORDER BY created_at, id LIMIT ?)',
  );
  return {
    async put(file) {
      const stored = describeNewMedia(file);
      insert.run({ ...stored, bytes: file.bytes, createdAt: +file.createdAt });
      return stored;
    },
    async get(id) {
      const r = get.get(id) as Row | undefined;
      return r ? { ...rowToMedia(r), bytes: Buffer.from(r.bytes as Uint8Array) } : null;
    },
    async remove(ids) {
      return ids.length === 0 ? 0 : del.run(JSON.stringify(ids)).changes;
    },
    async removeConversations(conversationIds) {
      return conversationIds.length === 0 ? 0 : delConversations.run(JSON.stringify(conversationIds)).changes;
    },
    async removeBefore(cutoff, limit = 1000) {
      return limit <= 0 ? 0 : delBefore.run(+cutoff, Math.floor(limit)).changes;
    },
  };
}
