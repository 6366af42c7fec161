import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { Note, NoteRepository } from '../types.js';
import { toDate, type Row } from './rows.js';

function rowToNote(r: Row): Note {
  return {
    id: String(r.id),
    conversationId: String(r.conversation_id),
    ticketId: (r.ticket_id as string | null) ?? null,
    authorId: String(r.author_id),
    text: String(r.text),
    createdAt: toDate(r.created_at)!,
  };
}

/**
 * Internal notes in the embedded store (table notes, see schema.ts). The list of
 * conversations is passed as one JSON array parameter (json_each), so each query is a
 * single prepared statement whatever the number of conversations.
 */
export function sqliteNotes(db: Database.Database): NoteRepository {
  const insert = db.prepare(
    `INSERT INTO notes (id, conversation_id, ticket_id, author_id, text, created_at)
     VALUES (@id, @conversationId, @ticketId, @authorId, @text, @createdAt)
     RETURNING *`,
  );
  const list = db.prepare(
    'SELECT * FROM notes WHERE conversation_id IN (SELECT value FROM json_each(?)) ORDER BY created_at, seq',
  );
  const del = db.prepare('DELETE FROM notes WHERE conversation_id IN (SELECT value FROM json_each(?))');
  const delBefore = db.prepare('DELETE FROM notes WHERE created_at < ?');
  return {
    async add(n) {
      return rowToNote(insert.get({ ...n, id: randomUUID(), createdAt: +n.createdAt }) as Row);
    },
    async listByConversations(conversationIds) {
      if (conversationIds.length === 0) return [];
      return (list.all(JSON.stringify(conversationIds)) as Row[]).map(rowToNote);
    },
    async deleteByConversations(conversationIds) {
      if (conversationIds.length === 0) return 0;
      return del.run(JSON.stringify(conversationIds)).changes;
    },
    async deleteBefore(cutoff) {
      return delBefore.run(+cutoff).changes;
    },
  };
}
