import { Schema, type Connection, type Model } from 'mongoose';
import type { KnowledgeEntry } from '../../kb/entry.js';
import type { KbVersion, KnowledgeVersionRepository, NewKbDraft } from '../types.js';
import { schemaOptions } from './schema-options.js';

/** One knowledge version; `entry` is the entry as JSON text (null withdraws it). */
interface KbVersionDoc {
  entryId: string;
  version: number;
  entry: string | null;
  status: KbVersion['status'];
  author: string;
  note: string | null;
  basedOn: number | null;
  createdAt: Date;
  reviewer: string | null;
  reviewedAt: Date | null;
  publishAt: Date | null;
}

const kbVersionSchema = new Schema<KbVersionDoc>(
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
// A version number is taken once per entry: a simultaneous writer gets a duplicate key and takes the next.
kbVersionSchema.index({ entryId: 1, version: 1 }, { unique: true, name: 'kb_versions_entry' });
kbVersionSchema.index({ status: 1, entryId: 1 }, { name: 'kb_versions_status' });

function docToVersion(d: KbVersionDoc): KbVersion {
  return {
    entryId: d.entryId,
    version: d.version,
    entry: d.entry === null || d.entry === undefined ? null : (JSON.parse(d.entry) as KnowledgeEntry),
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

/**
 * Knowledge versions on MongoDB: plain inserts under a unique (entryId, version) index, and
 * a review as one findOneAndUpdate whose filter expects a draft.
 *
 * @example knowledgeVersions: await openMongoKbVersions(conn),
 */
export async function openMongoKbVersions(conn: Connection): Promise<KnowledgeVersionRepository> {
  const M: Model<KbVersionDoc> = conn.model<KbVersionDoc>('KbVersion', kbVersionSchema, 'kb_versions');
  await M.createIndexes();

  const insert = async (d: NewKbDraft & { status: 'draft' | 'approved'; publishAt: Date | null }): Promise<KbVersion> => {
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
        return docToVersion(doc);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
  };

  return {
    addDraft: (draft) => insert({ ...draft, status: 'draft', publishAt: null }),
    async addApproved(versions) {
      const out: KbVersion[] = [];
      for (const v of versions) out.push(await insert({ ...v, status: 'approved' }));
      return out;
    },
    async review(entryId, version, d) {
      const set =
        d.status === 'approved'
          ? { status: 'approved', reviewer: d.reviewer, reviewedAt: d.at, publishAt: d.publishAt }
          : { status: 'rejected', reviewer: d.reviewer, reviewedAt: d.at, ...(d.note ? { note: d.note } : {}) };
      const doc = await M.findOneAndUpdate({ entryId, version, status: 'draft' }, { $set: set }, { returnDocument: 'after' }).lean<KbVersionDoc>();
      return doc ? docToVersion(doc) : null;
    },
    async get(entryId, version) {
      const doc = await M.findOne({ entryId, version }).lean<KbVersionDoc>();
      return doc ? docToVersion(doc) : null;
    },
    async history(entryId) {
      return (await M.find({ entryId }).sort({ version: 1 }).lean<KbVersionDoc[]>()).map(docToVersion);
    },
    async listApproved() {
      return (await M.find({ status: 'approved' }).sort({ entryId: 1, version: 1 }).lean<KbVersionDoc[]>()).map(docToVersion);
    },
    async listDrafts() {
      return (await M.find({ status: 'draft' }).sort({ createdAt: 1, entryId: 1, version: 1 }).lean<KbVersionDoc[]>()).map(docToVersion);
    },
    async revision() {
      return M.countDocuments({ status: 'approved' });
    },
  };
}
