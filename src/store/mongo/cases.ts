/**
 * Cases (phiếu tiếp nhận) in MongoDB (collection cases). create() takes the next number of
 * the case's year (its createdAt in Vietnam time) from the counter `case-<year>` with one
 * findOneAndUpdate ($inc, upsert), then inserts the case; the unique index cases_code
 * refuses a code handed out twice (which a correct server never does), and the insert then
 * takes the next number: a number is never reused, at worst one is skipped.
 */
import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import { caseYear, formatCaseCode, normaliseCaseCode } from '../shared.js';
import type { CaseRecord, CaseRepository } from '../types.js';
import { isDuplicateKey } from './helpers.js';
import type { CaseDoc, CounterDoc } from './models.js';

const MAX_ATTEMPTS = 5;

function docToCase(d: CaseDoc): CaseRecord {
  return {
    id: d.id,
    code: d.code,
    status: d.status,
    citizenKey: d.citizenKey ?? null,
    conversationId: d.conversationId ?? null,
    channel: d.channel,
    who: d.who,
    group: d.group,
    need: d.need,
    provinceCode: d.provinceCode ?? null,
    communeCode: d.communeCode ?? null,
    age: d.age ?? null,
    phone: d.phone ?? null,
    description: d.description ?? null,
    riskLevel: d.riskLevel ?? null,
    riskCategory: d.riskCategory ?? null,
    consentIds: [...(d.consentIds ?? [])],
    createdAt: new Date(d.createdAt),
    updatedAt: new Date(d.updatedAt),
    erasedAt: d.erasedAt ? new Date(d.erasedAt) : null,
  };
}

/** What erasure empties; code, group, need, province, status, risk and dates stay (counts). */
const erase = (now: Date) => ({
  $set: {
    citizenKey: null,
    conversationId: null,
    communeCode: null,
    age: null,
    phone: null,
    description: null,
    consentIds: [],
    erasedAt: now,
  },
});

export function mongoCases(M: Model<CaseDoc>, counters: Model<CounterDoc>): CaseRepository {
  const nextNumber = async (year: number): Promise<number> => {
    const inc = () =>
      counters
        .findOneAndUpdate({ _id: `case-${year}` }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' })
        .lean<CounterDoc>();
    let doc: CounterDoc | null;
    try {
      doc = await inc();
    } catch (err) {
      // The year's first cases on two instances at once: both upserts insert, one is refused.
      if (!isDuplicateKey(err)) throw err;
      doc = await inc();
    }
    if (!doc) throw new Error(`counter case-${year}: no document after upsert`);
    return doc.seq;
  };

  return {
    async create(c) {
      const year = caseYear(c.createdAt);
      for (let attempt = 1; ; attempt++) {
        const doc: CaseDoc = {
          ...c,
          id: randomUUID(),
          code: formatCaseCode(year, await nextNumber(year)),
          status: 'received',
          updatedAt: c.createdAt,
          consentIds: [...c.consentIds],
          erasedAt: null,
        };
        try {
          await M.create(doc);
          return docToCase(doc);
        } catch (err) {
          if (!isDuplicateKey(err) || attempt >= MAX_ATTEMPTS) throw err;
        }
      }
    },
    async get(id) {
      const doc = await M.findOne({ id }).lean<CaseDoc>();
      return doc ? docToCase(doc) : null;
    },
    async getByCode(code) {
      const doc = await M.findOne({ code: normaliseCaseCode(code) }).lean<CaseDoc>();
      return doc ? docToCase(doc) : null;
    },
    async listByCitizen(citizenKey) {
      const docs = await M.find({ citizenKey }).sort({ createdAt: 1, _id: 1 }).lean<CaseDoc[]>();
      return docs.map(docToCase);
    },
    async setStatus(id, status, now) {
      const res = await M.updateOne({ id }, { $set: { status, updatedAt: now } });
      return res.matchedCount === 1;
    },
    async eraseCitizen(citizenKey, now) {
      return (await M.updateMany({ citizenKey }, erase(now))).modifiedCount;
    },
    async eraseBefore(cutoff, now) {
      return (await M.updateMany({ createdAt: { $lt: cutoff }, erasedAt: null }, erase(now))).modifiedCount;
    },
  };
}
