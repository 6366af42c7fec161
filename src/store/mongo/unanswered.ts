import { randomUUID } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { withSample, type UnansweredGroup, type UnansweredRepository, type UnansweredResolution } from '../types.js';
import { schemaOptions } from './schema-options.js';

/** One group of the unanswered questions inbox, `_id` the group id. */
interface UnansweredDoc {
  _id: string;
  sample: string;
  samples: string[];
  terms: string[];
  count: number;
  kinds: UnansweredGroup['kinds'];
  firstSeen: Date;
  lastSeen: Date;
  status: UnansweredGroup['status'];
  resolution: UnansweredResolution | null;
}

const unansweredSchema = new Schema<UnansweredDoc>(
  {
    _id: { type: String, required: true },
    sample: { type: String, required: true },
    samples: { type: [String], default: [] },
    terms: { type: [String], default: [] },
    count: { type: Number, required: true },
    kinds: {
      declined: { type: Number, default: 0 },
      clarified: { type: Number, default: 0 },
      unhelpful: { type: Number, default: 0 },
    },
    firstSeen: { type: Date, required: true },
    lastSeen: { type: Date, required: true },
    status: { type: String, required: true },
    resolution: {
      type: new Schema({ how: String, entryId: { type: String, default: null }, by: String, at: Date }, { _id: false }),
      default: null,
    },
  },
  schemaOptions,
);
unansweredSchema.index({ status: 1, lastSeen: -1 }, { name: 'unanswered_open' });

function docToGroup(d: UnansweredDoc): UnansweredGroup {
  return {
    id: d._id,
    sample: d.sample,
    samples: [...(d.samples ?? [])],
    terms: [...(d.terms ?? [])],
    count: d.count,
    kinds: { declined: d.kinds?.declined ?? 0, clarified: d.kinds?.clarified ?? 0, unhelpful: d.kinds?.unhelpful ?? 0 },
    firstSeen: new Date(d.firstSeen),
    lastSeen: new Date(d.lastSeen),
    status: d.status,
    resolution: d.resolution
      ? { how: d.resolution.how, entryId: d.resolution.entryId ?? null, by: d.resolution.by, at: new Date(d.resolution.at) }
      : null,
  };
}

/**
 * The unanswered questions inbox on MongoDB. Only $set and $inc (jongodb has no $push
 * with $slice): a hit reads the samples and writes them back, under a filter that expects
 * the group open; two hits at the same moment both count, and at worst one wording is not
 * among the samples. A resolution is one findOneAndUpdate whose filter expects it open.
 *
 * @example unanswered: await openMongoUnanswered(conn),
 */
export async function openMongoUnanswered(conn: Connection): Promise<UnansweredRepository> {
  const M: Model<UnansweredDoc> = conn.model<UnansweredDoc>('UnansweredGroup', unansweredSchema, 'unanswered_groups');
  await M.createIndexes();
  const getDoc = (id: string) => M.findOne({ _id: id }).lean<UnansweredDoc>();
  return {
    async listOpen(limit = 100) {
      if (limit <= 0) return [];
      return (await M.find({ status: 'open' }).sort({ lastSeen: -1, _id: 1 }).limit(Math.floor(limit)).lean<UnansweredDoc[]>()).map(docToGroup);
    },
    async get(id) {
      const d = await getDoc(id);
      return d ? docToGroup(d) : null;
    },
    async add(g) {
      const doc: UnansweredDoc = {
        _id: randomUUID(),
        sample: g.sample,
        samples: [g.sample],
        terms: [...g.terms],
        count: 1,
        kinds: { declined: 0, clarified: 0, unhelpful: 0, [g.kind]: 1 },
        firstSeen: g.at,
        lastSeen: g.at,
        status: 'open',
        resolution: null,
      };
      await M.create(doc);
      return docToGroup(doc);
    },
    async hit(id, seen) {
      const held = await getDoc(id);
      if (!held || held.status !== 'open') return null;
      const lastSeen = seen.at > new Date(held.lastSeen) ? seen.at : new Date(held.lastSeen);
      const d = await M.findOneAndUpdate(
        { _id: id, status: 'open' },
        { $inc: { count: 1, [`kinds.${seen.kind}`]: 1 }, $set: { lastSeen, samples: withSample(held.samples ?? [], seen.sample) } },
        { returnDocument: 'after' },
      ).lean<UnansweredDoc>();
      return d ? docToGroup(d) : null;
    },
    async resolve(id, resolution) {
      const d = await M.findOneAndUpdate({ _id: id, status: 'open' }, { $set: { status: 'resolved', resolution } }, { returnDocument: 'after' }).lean<UnansweredDoc>();
      return d ? docToGroup(d) : null;
    },
    async deleteLastSeenBefore(cutoff, limit) {
      const old = await M.find({ lastSeen: { $lt: cutoff } }, { _id: 1 }).sort({ lastSeen: 1 }).limit(Math.floor(limit)).lean<Array<{ _id: string }>>();
      if (old.length === 0) return 0;
      return (await M.deleteMany({ _id: { $in: old.map((d) => d._id) } })).deletedCount ?? 0;
    },
  };
}
