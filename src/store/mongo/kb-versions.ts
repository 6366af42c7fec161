import { Schema, type Connection, type Model } from 'mongoose';
import type { KbVersionStatus, NewDraft, Version, VersionRepository } from '../types.js';
import { schemaOptions } from './schema-options.js';

/** One version; `entry` is the item as JSON text (null withdraws it). */
interface KbVersionDoc {
  entryId: string;
  version: number;
  entry: string | null;
  status: KbVersionStatus;
  author: string;
  note: string | null;
  basedOn: number | null;
  createdAt: Date;
  reviewer: string | null;
  reviewedAt: Date | null;
  publishAt: Date | null;
}

/** The schema for one collection; index names carry the collection's name (kb_versions_entry…). */
const versionSchema = (collection: string) => {
  const schema = new Schema<KbVersionDoc>(
    {
      entryId: { type: String, required: true },
      version: { type: Number, required: true },
      entry: { type: String, default: null },
      status: { type: String, required: true },
      author: { type: String, required: true },
      note: { type: String, default: null },
      basedOn: { type: Number, default: null },
      createdAt: { type: Date, required: true },
      reviewer: { type: String, default: null },
      reviewedAt: { type: Date, default: null },
      publishAt: { type: Date, default: null },
    },
    schemaOptions,
  );
  // A version number is taken once per item: a simultaneous writer gets a duplicate key and takes the next.
  schema.index({ entryId: 1, version: 1 }, { unique: true, name: `${collection}_entry` });
  schema.index({ status: 1, entryId: 1 }, { name: `${collection}_status` });
  return schema;
};

function docToVersion<T>(d: KbVersionDoc): Version<T> {
  return {
    entryId: d.entryId,
    version: d.version,
    entry: d.entry === null || d.entry === undefined ? null : (JSON.parse(d.entry) as T),
    status: d.status,
    author: d.author,
    note: d.note ?? null,
    basedOn: d.basedOn ?? null,
    createdAt: new Date(d.createdAt),
    reviewer: d.reviewer ?? null,
    reviewedAt: d.reviewedAt ? new Date(d.reviewedAt) : null,
    publishAt: d.publishAt ? new Date(d.publishAt) : null,
  };
}

const isDuplicateKey = (err: unknown) => (err as { code?: number } | null)?.code === 11000;

/** Where each kind of version lives: the model name and its collection. */
export const VERSION_COLLECTIONS = {
  knowledge: { model: 'KbVersion', collection: 'kb_versions' },
  policy: { model: 'PolicyVersion', collection: 'policy_versions' },
} as const;

/**
 * Versioned items on MongoDB (knowledge entries or policy values, one collection each):
 * plain inserts under a unique (entryId, version) index, and a review as one
 * findOneAndUpdate whose filter expects a draft.
 *
 * @example knowledgeVersions: await openMongoVersions<KnowledgeEntry>(conn, VERSION_COLLECTIONS.knowledge),
 */
export async function openMongoVersions<T>(conn: Connection, where: { model: string; collection: string }): Promise<VersionRepository<T>> {
  const M: Model<KbVersionDoc> = conn.model<KbVersionDoc>(where.model, versionSchema(where.collection), where.collection);
  await M.createIndexes();

  const insert = async (d: NewDraft<T> & { status: 'draft' | 'approved'; publishAt: Date | null }): Promise<Version<T>> => {
    for (;;) {
      const last = await M.findOne({ entryId: d.entryId }, { version: 1 }).sort({ version: -1 }).lean<Pick<KbVersionDoc, 'version'>>();
      const doc: KbVersionDoc = {
        entryId: d.entryId,
        version: (last?.version ?? 0) + 1,
        entry: d.entry ? JSON.stringify(d.entry) : null,
        status: d.status,
        author: d.author,
        note: d.note,
        basedOn: d.basedOn,
        createdAt: d.createdAt,
        reviewer: d.status === 'approved' ? d.author : null,
        reviewedAt: d.status === 'approved' ? d.createdAt : null,
        publishAt: d.publishAt,
      };
      try {
        await M.create(doc);
        return docToVersion<T>(doc);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
  };

  return {
    addDraft: (draft) => insert({ ...draft, status: 'draft', publishAt: null }),
    async addApproved(versions) {
      const out: Array<Version<T>> = [];
      for (const v of versions) out.push(await insert({ ...v, status: 'approved' }));
      return out;
    },
    async review(entryId, version, d) {
      const set =
        d.status === 'approved'
          ? {
              status: 'approved',
              reviewer: d.reviewer,
              reviewedAt: d.at,
              publishAt: d.publishAt,
            }
          : {
              status: 'rejected',
              reviewer: d.reviewer,
              reviewedAt: d.at,
              ...(d.note ? { note: d.note } : {}),
            };
      const doc = await M.findOneAndUpdate({ entryId, version, status: 'draft' }, { $set: set }, { returnDocument: 'after' }).lean<KbVersionDoc>();
      return doc ? docToVersion<T>(doc) : null;
    },
    async get(entryId, version) {
      const doc = await M.findOne({ entryId, version }).lean<KbVersionDoc>();
      return doc ? docToVersion<T>(doc) : null;
    },
    async history(entryId) {
      return (await M.find({ entryId }).sort({ version: 1 }).lean<KbVersionDoc[]>()).map((d) => docToVersion<T>(d));
    },
    async listApproved() {
      return (await M.find({ status: 'approved' }).sort({ entryId: 1, version: 1 }).lean<KbVersionDoc[]>()).map((d) => docToVersion<T>(d));
    },
    async listDrafts() {
      return (await M.find({ status: 'draft' }).sort({ createdAt: 1, entryId: 1, version: 1 }).lean<KbVersionDoc[]>()).map((d) => docToVersion<T>(d));
    },
    async revision() {
      return M.countDocuments({ status: 'approved' });
    },
  };
}
