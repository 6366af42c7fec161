/**
 * Internal notes in MongoDB (collection notes): inserted, listed by conversation oldest
 * first (then by _id, the insertion order, for notes of the same moment), deleted by
 * conversation on erasure and by age on retention.
 */
import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import type { Note, NoteRepository } from '../types.js';
import type { NoteDoc } from './models.js';

function docToNote(d: NoteDoc): Note {
  return {
    id: d.id,
    conversationId: d.conversationId,
    ticketId: d.ticketId ?? null,
    authorId: d.authorId,
    text: d.text ?? '',
    createdAt: new Date(d.createdAt),
  };
}

/** The NoteRepository on MongoDB: notes are never changed, only added and erased. */
export function mongoNotes(M: Model<NoteDoc>): NoteRepository {
  return {
    async add(n) {
      const doc: NoteDoc = {
        id: randomUUID(),
        conversationId: n.conversationId,
        ticketId: n.ticketId,
        authorId: n.authorId,
        text: n.text,
        createdAt: n.createdAt,
      };
      await M.create(doc);
      return docToNote(doc);
    },
    async listByConversations(conversationIds) {
      if (conversationIds.length === 0) return [];
      const docs = await M.find({ conversationId: { $in: [...conversationIds] } })
        .sort({ createdAt: 1, _id: 1 })
        .lean<NoteDoc[]>();
      return docs.map(docToNote);
    },
    async deleteByConversations(conversationIds) {
      if (conversationIds.length === 0) return 0;
      return (await M.deleteMany({ conversationId: { $in: [...conversationIds] } })).deletedCount;
    },
    async deleteBefore(cutoff) {
      return (await M.deleteMany({ createdAt: { $lt: cutoff } })).deletedCount;
    },
  };
}
