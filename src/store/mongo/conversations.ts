/**
 * Conversations in MongoDB (collection conversations): one per channel address, found or
 * created by an upsert that survives two instances inserting the same new address, and
 * the risk on it raised only upwards by a compare-and-set filter.
 */
import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import { riskLevelsBelow } from '../shared.js';
import type { Conversation, ConversationAddress, ConversationRepository } from '../types.js';
import { applyLimit, isDuplicateKey } from './helpers.js';
import type { ConversationDoc } from './models.js';

function docToConversation(d: ConversationDoc): Conversation {
  return {
    id: d.id,
    channel: d.channel,
    userId: d.userId,
    chatId: d.chatId,
    reference: JSON.parse(d.reference) as Record<string, unknown>,
    status: d.status,
    createdAt: new Date(d.createdAt),
    updatedAt: new Date(d.updatedAt),
    lastInboundAt: d.lastInboundAt ? new Date(d.lastInboundAt) : null,
    // Conversations stored before risks existed have no riskLevel field at all.
    risk: d.riskLevel
      ? {
          level: d.riskLevel,
          category: d.riskCategory ?? null,
          at: new Date(d.riskAt!),
          messageId: d.riskMessageId ?? null,
        }
      : null,
    // Null, or missing on conversations stored before it existed, when not set.
    undeliverable:
      d.undeliverableReason !== null && d.undeliverableReason !== undefined
        ? { reason: d.undeliverableReason, at: new Date(d.undeliverableAt!) }
        : null,
  };
}

export function mongoConversations(M: Model<ConversationDoc>): ConversationRepository {
  const byAddress = (a: ConversationAddress) => ({ channel: a.channel, chatId: a.chatId, userId: a.userId });
  const upsertOnce = (a: ConversationAddress, reference: Record<string, unknown>, now: Date) =>
    M.findOneAndUpdate(
      byAddress(a),
      {
        $setOnInsert: {
          id: randomUUID(),
          status: 'bot',
          createdAt: now,
          lastInboundAt: null,
          undeliverableReason: null,
          undeliverableAt: null,
        },
        $set: { reference: JSON.stringify(reference), updatedAt: now },
      },
      { upsert: true, returnDocument: 'after', setDefaultsOnInsert: false },
    ).lean<ConversationDoc>();
  return {
    async upsert(a, reference, now) {
      let doc: ConversationDoc | null;
      try {
        doc = await upsertOnce(a, reference, now);
      } catch (err) {
        // Two instances inserting the same new address: the loser updates the winner's.
        if (!isDuplicateKey(err)) throw err;
        doc = await upsertOnce(a, reference, now);
      }
      if (!doc) throw new Error('conversation upsert returned nothing');
      return docToConversation(doc);
    },
    async get(id) {
      const doc = await M.findOne({ id }).lean<ConversationDoc>();
      return doc ? docToConversation(doc) : null;
    },
    async findByAddress(a) {
      const doc = await M.findOne(byAddress(a)).lean<ConversationDoc>();
      return doc ? docToConversation(doc) : null;
    },
    async listByUser(channel, userId) {
      const docs = await M.find({ channel, userId }).sort({ createdAt: 1, id: 1 }).lean<ConversationDoc[]>();
      return docs.map(docToConversation);
    },
    async setStatus(id, status, now) {
      await M.updateOne({ id }, { $set: { status, updatedAt: now } });
    },
    async touchInbound(id, now) {
      // The citizen wrote: they can be reached again, so an undeliverable mark goes.
      await M.updateOne(
        { id },
        { $set: { lastInboundAt: now, updatedAt: now, undeliverableReason: null, undeliverableAt: null } },
      );
    },
    async markUndeliverable(id, reason, at) {
      await M.updateOne({ id }, { $set: { undeliverableReason: reason, undeliverableAt: at } });
    },
    async raiseRisk(id, risk, now) {
      // Compare-and-set: the filter admits only a conversation whose current level is
      // none (null or, for documents older than risks, missing) or lower, so of several
      // instances raising at once exactly one matches.
      const below = riskLevelsBelow(risk.level);
      const raised = await M.findOneAndUpdate(
        { id, $or: [{ riskLevel: null }, ...(below.length > 0 ? [{ riskLevel: { $in: below } }] : [])] },
        {
          $set: {
            riskLevel: risk.level,
            riskCategory: risk.category,
            riskAt: risk.at,
            riskMessageId: risk.messageId,
            updatedAt: now,
          },
        },
        { returnDocument: 'after', projection: { _id: 1 } },
      ).lean();
      return raised !== null;
    },
    async clearCheckIn(id, now) {
      const cleared = await M.findOneAndUpdate(
        { id, riskLevel: 'check-in' },
        { $set: { riskLevel: null, riskCategory: null, riskAt: null, riskMessageId: null, updatedAt: now } },
        { returnDocument: 'after', projection: { _id: 1 } },
      ).lean();
      return cleared !== null;
    },
    async listCheckInsDue(raisedBefore, limit = 100) {
      const q = applyLimit(
        M.find({ riskLevel: 'check-in', riskAt: { $lte: raisedBefore }, status: { $ne: 'closed' } }).sort({
          riskAt: 1,
          createdAt: 1,
          id: 1,
        }),
        limit,
      );
      return q ? (await q.lean<ConversationDoc[]>()).map(docToConversation) : [];
    },
    async listRecent(filter = {}) {
      const { statuses } = filter;
      if (statuses && statuses.length === 0) return [];
      const where = {
        ...(statuses ? { status: { $in: [...statuses] } } : {}),
        ...(filter.citizenWrote ? { lastInboundAt: { $ne: null } } : {}),
      };
      // Then by id, descending, as on SQLite: a stable order for conversations updated at the same moment.
      const q = applyLimit(M.find(where).sort({ updatedAt: -1, id: -1 }), filter.limit ?? 100);
      return q ? (await q.lean<ConversationDoc[]>()).map(docToConversation) : [];
    },
  };
}
