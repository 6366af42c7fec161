/**
 * Staff accounts in MongoDB (collection staff). The username is stored trimmed and lowercased
 * under the unique index staff_username, so two instances creating the same name cannot
 * both succeed and a lookup in any letter case finds the one account. The failed-login lock
 * is two conditional findOneAndUpdate steps, each deciding on its own (see recordFailedLogin).
 */
import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import { DuplicateUsernameError, type Staff, type StaffRepository } from '../types.js';
import { isDuplicateKey } from './helpers.js';
import type { StaffDoc } from './models.js';

/** Each round lost means another failure was counted in between: more rounds than concurrent failures of one account. */
const MAX_ATTEMPTS = 10;

/** How usernames are stored and looked up: trimmed, NFC (one form for Vietnamese letters), lowercased. */
const normaliseUsername = (username: string): string => username.trim().normalize('NFC').toLowerCase();

function docToStaff(d: StaffDoc): Staff {
  return {
    id: d.id,
    username: d.username,
    displayName: d.displayName,
    role: d.role,
    passwordHash: d.passwordHash,
    teams: [...(d.teams ?? [])],
    communeCodes: [...(d.communeCodes ?? [])],
    maxOpen: d.maxOpen,
    createdAt: new Date(d.createdAt),
    presence: d.presence,
    presenceAt: new Date(d.presenceAt),
    lastActiveAt: d.lastActiveAt ? new Date(d.lastActiveAt) : null,
    failedLogins: d.failedLogins ?? 0,
    lockedUntil: d.lockedUntil ? new Date(d.lockedUntil) : null,
    disabled: d.disabled === true,
    canEditKnowledge: d.canEditKnowledge === true,
  };
}

/** The fields update() may set. */
const UPDATABLE = ['displayName', 'role', 'passwordHash', 'teams', 'communeCodes', 'maxOpen', 'disabled', 'canEditKnowledge'] as const;

/** The StaffRepository on MongoDB: see the file comment for how each write stays safe across instances. */
export function mongoStaff(M: Model<StaffDoc>): StaffRepository {
  const after = { returnDocument: 'after' } as const;
  const get = async (id: string): Promise<Staff | null> => {
    const doc = await M.findOne({ id }).lean<StaffDoc>();
    return doc ? docToStaff(doc) : null;
  };
  return {
    async create(s) {
      const doc: StaffDoc = {
        id: randomUUID(),
        username: normaliseUsername(s.username),
        displayName: s.displayName,
        role: s.role,
        passwordHash: s.passwordHash,
        teams: [...s.teams],
        communeCodes: [...s.communeCodes],
        maxOpen: s.maxOpen,
        createdAt: s.createdAt,
        presence: 'offline',
        presenceAt: s.createdAt,
        lastActiveAt: null,
        failedLogins: 0,
        lockedUntil: null,
        disabled: false,
        canEditKnowledge: s.canEditKnowledge === true,
      };
      try {
        await M.create(doc);
      } catch (err) {
        // The id is a fresh UUID, so the unique index that refused it is the username's.
        if (isDuplicateKey(err)) throw new DuplicateUsernameError(doc.username);
        throw err;
      }
      return docToStaff(doc);
    },
    get,
    async getByUsername(username) {
      const doc = await M.findOne({ username: normaliseUsername(username) }).lean<StaffDoc>();
      return doc ? docToStaff(doc) : null;
    },
    async list() {
      return (await M.find().sort({ username: 1 }).lean<StaffDoc[]>()).map(docToStaff);
    },
    async update(id, patch) {
      const $set: Partial<StaffDoc> = {};
      for (const field of UPDATABLE) {
        const value = patch[field];
        if (value === undefined) continue;
        (($set as Record<string, unknown>)[field]) = Array.isArray(value) ? [...value] : value;
      }
      if (Object.keys($set).length === 0) return get(id);
      const doc = await M.findOneAndUpdate({ id }, { $set }, after).lean<StaffDoc>();
      return doc ? docToStaff(doc) : null;
    },
    async setPresence(id, presence, now) {
      const doc = await M.findOneAndUpdate({ id }, { $set: { presence, presenceAt: now } }, after).lean<StaffDoc>();
      return doc ? docToStaff(doc) : null;
    },
    async touchActive(id, now) {
      // Never moves backwards: two requests finishing out of order keep the later time.
      await M.updateOne({ id, $or: [{ lastActiveAt: null }, { lastActiveAt: { $lt: now } }] }, { $set: { lastActiveAt: now } });
    },
    async listIdle(idleSince) {
      // Setting oneself available counts as activity: idle is measured from the later of the two.
      const docs = await M.find({
        presence: 'available',
        presenceAt: { $lt: idleSince },
        $or: [{ lastActiveAt: null }, { lastActiveAt: { $lt: idleSince } }],
      })
        .sort({ username: 1 })
        .lean<StaffDoc[]>();
      return docs.map(docToStaff);
    },
    /**
     * Two conditional steps, each atomic on its own: the failure that reaches `lockAfter`
     * locks and starts the count again; any other failure is counted. If another instance
     * changed the count between the two filters, neither matches and the round is repeated.
     */
    async recordFailedLogin(id, now, lockAfter, lockMs) {
      for (let attempt = 1; ; attempt++) {
        const locked = await M.findOneAndUpdate(
          { id, failedLogins: { $gte: lockAfter - 1 } },
          { $set: { failedLogins: 0, lockedUntil: new Date(now.getTime() + lockMs) } },
          after,
        ).lean<StaffDoc>();
        if (locked) return docToStaff(locked);
        const counted = await M.findOneAndUpdate({ id, failedLogins: { $lt: lockAfter - 1 } }, { $inc: { failedLogins: 1 } }, after).lean<StaffDoc>();
        if (counted) return docToStaff(counted);
        if ((await M.findOne({ id }, { _id: 1 }).lean()) === null) return null;
        if (attempt >= MAX_ATTEMPTS) throw new Error(`staff ${id}: failed login not recorded after ${attempt} attempts`);
      }
    },
    async clearFailedLogins(id) {
      await M.updateOne({ id }, { $set: { failedLogins: 0 } });
    },
  };
}
