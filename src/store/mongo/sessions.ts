/**
 * Console sessions in MongoDB (collection staff_sessions, one document per session with the
 * SHA-256 of the cookie token as its _id). A session is valid while expiresAt is after
 * `now`; the TTL index staff_sessions_expiry lets MongoDB delete expired ones on its own.
 */
import type { Model } from 'mongoose';
import type { SessionRepository, StaffSession } from '../types.js';
import type { StaffSessionDoc } from './models.js';

function docToSession(d: StaffSessionDoc): StaffSession {
  return {
    tokenHash: d._id,
    staffId: d.staffId,
    csrfToken: d.csrfToken,
    createdAt: new Date(d.createdAt),
    expiresAt: new Date(d.expiresAt),
  };
}

/** The SessionRepository on MongoDB: lookups filter on expiry, so a session the TTL monitor has not removed yet is still refused. */
export function mongoSessions(M: Model<StaffSessionDoc>): SessionRepository {
  return {
    async create(s) {
      await M.create({ _id: s.tokenHash, staffId: s.staffId, csrfToken: s.csrfToken, createdAt: s.createdAt, expiresAt: s.expiresAt });
    },
    async get(tokenHash, now) {
      const doc = await M.findOne({ _id: tokenHash, expiresAt: { $gt: now } }).lean<StaffSessionDoc>();
      return doc ? docToSession(doc) : null;
    },
    async extend(tokenHash, expiresAt) {
      // Only forwards: two requests extending at once keep the later expiry.
      await M.updateOne({ _id: tokenHash, expiresAt: { $lt: expiresAt } }, { $set: { expiresAt } });
    },
    async delete(tokenHash) {
      await M.deleteOne({ _id: tokenHash });
    },
    async deleteByStaff(staffId) {
      return (await M.deleteMany({ staffId })).deletedCount;
    },
  };
}
