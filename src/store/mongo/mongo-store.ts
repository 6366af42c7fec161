/**
 * The MongoDB store: several app instances share one database. It behaves as the
 * SQLite store does (tests/store.contract.test.ts holds both to it) and uses only plain
 * CRUD, findOneAndUpdate, updateOne/updateMany and the $set/$inc/$addToSet/$setOnInsert
 * update operators, so the jongodb test lane exercises the real code. Anything that must
 * happen once across instances is a conditional write: a unique index (duplicate key
 * 11000) or a compare-and-set filter, never a check in process memory.
 */
import mongoose from 'mongoose';
import type { StoreItems } from 'botbuilder';
import { newETag } from '../shared.js';
import {
  ETagConflictError,
  type AuditEvent,
  type AuditRepository,
  type Store,
} from '../types.js';
import {
  createAllIndexes,
  defineModels,
  type AuditEventDoc,
} from './models.js';
import { applyLimit, isDuplicateKey } from './helpers.js';
import { mongoCases } from './cases.js';
import { mongoChannelTokens } from './channel-tokens.js';
import { mongoConsents } from './consents.js';
import { mongoConversations } from './conversations.js';
import { mongoLeases } from './leases.js';
import { openMongoMedia } from './media.js';
import { openMongoEmbeddings } from './embeddings.js';
import type { KnowledgeEntry } from '../../kb/entry.js';
import type { PolicyValue } from '../../kb/policy-values.js';
import { VERSION_COLLECTIONS, openMongoVersions } from './kb-versions.js';
import { mongoMessages } from './messages.js';
import { mongoNotes } from './notes.js';
import { mongoSessions } from './sessions.js';
import { mongoStaff } from './staff.js';
import { mongoTickets } from './tickets.js';
import { openMongoUnanswered } from './unanswered.js';

export interface MongoStoreOptions {
  /** Database name; defaults to the one in the URI (or mongoose's default). */
  dbName?: string;
  /** Connection pool size; 1 against jongodb, which is unsafe under concurrent connections. */
  maxPoolSize?: number;
}

function docToAudit(d: AuditEventDoc): AuditEvent {
  return {
    at: new Date(d.at),
    actor: d.actor,
    action: d.action,
    subject: d.subject,
    ...(d.detail ? { detail: JSON.parse(d.detail) as Record<string, unknown> } : {}),
  };
}

export async function openMongoStore(uri: string, options: MongoStoreOptions = {}): Promise<Store> {
  const conn = mongoose.createConnection(uri, {
    ...(options.dbName ? { dbName: options.dbName } : {}),
    ...(options.maxPoolSize ? { maxPoolSize: options.maxPoolSize } : {}),
    autoCreate: false,
    autoIndex: false,
    serverSelectionTimeoutMS: 10_000,
  });
  await conn.asPromise();
  const models = defineModels(conn);
  try {
    await createAllIndexes(models);
  } catch (err) {
    await conn.close();
    throw err;
  }

  /** Next value of a store-wide sequence; starts at 1. */
  const nextSeq = async (name: string): Promise<number> => {
    const doc = await models.counters
      .findOneAndUpdate({ _id: name }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' })
      .lean();
    if (!doc) throw new Error(`counter ${name}: no document after upsert`);
    return doc.seq;
  };

  const conversations = mongoConversations(models.conversations);

  const messages = mongoMessages(models.messages, nextSeq);

  const botState = (() => {
    const M = models.botState;
    const writeOne = async (key: string, item: Record<string, unknown>): Promise<void> => {
      const { eTag, ...rest } = item as { eTag?: string };
      const etag = newETag();
      const data = JSON.stringify(rest);
      if (!eTag || eTag === '*') {
        try {
          await M.updateOne({ _id: key }, { $set: { etag, data } }, { upsert: true });
        } catch (err) {
          // Concurrent first writes of one key: the other insert won; overwrite it.
          if (!isDuplicateKey(err)) throw err;
          await M.updateOne({ _id: key }, { $set: { etag, data } });
        }
        return;
      }
      const updated = await M.findOneAndUpdate(
        { _id: key, etag: eTag },
        { $set: { etag, data } },
        { returnDocument: 'after', projection: { _id: 1 } },
      ).lean();
      if (updated) return;
      // MemoryStorage semantics: an eTag on an item that does not exist yet is a create.
      if ((await M.findOne({ _id: key }, { _id: 1 }).lean()) === null) {
        try {
          await M.create({ _id: key, etag, data });
          return;
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
        }
      }
      throw new ETagConflictError(key);
    };
    return {
      async read(keys: string[]): Promise<StoreItems> {
        const out: StoreItems = {};
        if (keys.length === 0) return out;
        const docs = await M.find({ _id: { $in: keys } }).lean();
        const byKey = new Map(docs.map((d) => [d._id, d]));
        for (const key of keys) {
          const d = byKey.get(key);
          if (d) out[key] = { ...(JSON.parse(d.data) as Record<string, unknown>), eTag: d.etag };
        }
        return out;
      },
      async write(changes: StoreItems): Promise<void> {
        for (const [key, item] of Object.entries(changes)) {
          await writeOne(key, (item ?? {}) as Record<string, unknown>);
        }
      },
      async delete(keys: string[]): Promise<void> {
        if (keys.length === 0) return;
        await M.deleteMany({ _id: { $in: keys } });
      },
    };
  })();

  const audit: AuditRepository = (() => {
    const M = models.audit;
    return {
      async append(e) {
        await M.create({
          seq: await nextSeq('audit'),
          at: e.at,
          actor: e.actor,
          action: e.action,
          subject: e.subject,
          detail: e.detail ? JSON.stringify(e.detail) : null,
        });
      },
      async list(filter = {}) {
        const where: Record<string, string> = {};
        if (filter.subject) where.subject = filter.subject;
        if (filter.action) where.action = filter.action;
        const q = applyLimit(M.find(where).sort({ seq: -1 }), filter.limit ?? 100);
        return q ? (await q.lean<AuditEventDoc[]>()).map(docToAudit) : [];
      },
    };
  })();

  return {
    kind: 'mongo',
    conversations,
    messages,
    botState,
    audit,
    consents: mongoConsents(models.consents),
    cases: mongoCases(models.cases, models.counters),
    leases: mongoLeases(models.leases),
    channelTokens: mongoChannelTokens(models.channelTokens),
    media: await openMongoMedia(conn),
    embeddings: await openMongoEmbeddings(conn),
    knowledgeVersions: await openMongoVersions<KnowledgeEntry>(conn, VERSION_COLLECTIONS.knowledge),
    policyVersions: await openMongoVersions<PolicyValue>(conn, VERSION_COLLECTIONS.policy),
    unanswered: await openMongoUnanswered(conn),
    tickets: mongoTickets(models.tickets),
    staff: mongoStaff(models.staff),
    sessions: mongoSessions(models.sessions),
    notes: mongoNotes(models.notes),
    // Each write is acknowledged by the server before its promise resolves.
    committed: () => Promise.resolve(),
    async close() {
      await conn.close();
    },
  };
}
