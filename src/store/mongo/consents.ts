/**
 * Consent records in MongoDB (collection consents). Records are never deleted: withdrawal
 * stamps them, erasure and retention empty who they belong to (''). Every write is one
 * insert or one updateMany with $set, whose filter makes a second pass change nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import type { ConsentRecord, ConsentRepository } from '../types.js';
import type { ConsentDoc } from './models.js';

function docToConsent(d: ConsentDoc): ConsentRecord {
  return {
    id: d.id,
    citizenKey: d.citizenKey ?? '',
    conversationId: d.conversationId ?? '',
    channel: d.channel,
    purpose: d.purpose,
    decision: d.decision,
    textVersion: d.textVersion,
    at: new Date(d.at),
    withdrawnAt: d.withdrawnAt ? new Date(d.withdrawnAt) : null,
  };
}

export function mongoConsents(M: Model<ConsentDoc>): ConsentRepository {
  const anonymise = { $set: { citizenKey: '', conversationId: '' } };
  return {
    async record(c) {
      const doc: ConsentDoc = {
        id: randomUUID(),
        citizenKey: c.citizenKey,
        conversationId: c.conversationId,
        channel: c.channel,
        purpose: c.purpose,
        decision: c.decision,
        textVersion: c.textVersion,
        at: c.at,
        withdrawnAt: null,
      };
      await M.create(doc);
      return docToConsent(doc);
    },
    async listByCitizen(citizenKey) {
      // '' is every anonymised record, nobody's.
      if (citizenKey === '') return [];
      // _id last: ObjectIds grow with insertion, the nearest thing to SQLite's seq.
      const docs = await M.find({ citizenKey }).sort({ at: -1, _id: -1 }).lean<ConsentDoc[]>();
      return docs.map(docToConsent);
    },
    async withdraw(citizenKey, now, purpose) {
      if (citizenKey === '') return 0;
      const res = await M.updateMany(
        { citizenKey, decision: 'granted', withdrawnAt: null, ...(purpose === undefined ? {} : { purpose }) },
        { $set: { withdrawnAt: now } },
      );
      return res.modifiedCount;
    },
    async anonymiseCitizen(citizenKey) {
      if (citizenKey === '') return 0;
      return (await M.updateMany({ citizenKey }, anonymise)).modifiedCount;
    },
    async anonymiseBefore(cutoff) {
      const res = await M.updateMany(
        { at: { $lt: cutoff }, $or: [{ citizenKey: { $ne: '' } }, { conversationId: { $ne: '' } }] },
        anonymise,
      );
      return res.modifiedCount;
    },
  };
}
