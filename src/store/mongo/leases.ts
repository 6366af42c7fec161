/**
 * Leases in MongoDB (collection leases, one document per name as its _id). acquire() is one
 * conditional findOneAndUpdate with upsert: it matches a lease that ran out or is already
 * the holder's, and otherwise inserts one; while another holder's lease runs, that insert
 * collides with its _id, and the duplicate key means "not acquired".
 */
import type { Model } from 'mongoose';
import type { LeaseRepository } from '../types.js';
import { isDuplicateKey } from './helpers.js';
import type { LeaseDoc } from './models.js';

export function mongoLeases(M: Model<LeaseDoc>): LeaseRepository {
  return {
    async acquire(name, holder, now, until) {
      try {
        const doc = await M.findOneAndUpdate(
          { _id: name, $or: [{ until: { $lte: now } }, { holder }] },
          { $set: { holder, until } },
          { upsert: true, returnDocument: 'after', setDefaultsOnInsert: false },
        ).lean<LeaseDoc>();
        return doc !== null && doc.holder === holder;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    async release(name, holder) {
      await M.deleteOne({ _id: name, holder });
    },
  };
}
