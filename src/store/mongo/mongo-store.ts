/**
 * The MongoDB store: several app instances share one database. It behaves as the
 * SQLite store does (tests/store.contract.test.ts holds both to it) and uses only plain
 * CRUD, findOneAndUpdate, updateOne/updateMany and the $set/$inc/$addToSet/$setOnInsert
 * update operators, so the jongodb test lane exercises the real code. Anything that must
 * happen once across instances is a conditional write: a unique index (duplicate key
 * 11000) or a compare-and-set filter, never a check in process memory.
 */
import { randomUUID } from 'node:crypto';
import mongoose, { type UpdateQuery } from 'mongoose';
import type { StoreItems } from 'botbuilder';
import type { KnowledgeEntry } from '../../kb/entry.js';
import { entryHash, newETag, newOutboundDelivery, redactActivity } from '../shared.js';
import {
  ETagConflictError,
  type AuditEvent,
  type AuditRepository,
  type KnowledgeRepository,
  type Delivery,
  type DeliveryStatus,
  type MessageRepository,
  type NewMessage,
  type Store,
  type StoredKnowledgeEntry,
  type StoredMessage,
} from '../types.js';
import {
  createAllIndexes,
  defineModels,
  type AuditEventDoc,
  type KnowledgeVersionDoc,
  type MessageDoc,
} from './models.js';
import { applyLimit, isDuplicateKey } from './helpers.js';
import { mongoCases } from './cases.js';
import { mongoChannelTokens } from './channel-tokens.js';
import { mongoConsents } from './consents.js';
import { mongoConversations } from './conversations.js';
import { mongoLeases } from './leases.js';
import { mongoNotes } from './notes.js';
import { mongoSessions } from './sessions.js';
import { mongoStaff } from './staff.js';
import { mongoTickets } from './tickets.js';

export interface MongoStoreOptions {
  /** Database name; defaults to the one in the URI (or mongoose's default). */
  dbName?: string;
  /** Connection pool size; 1 against jongodb, which is unsafe under concurrent connections. */
  maxPoolSize?: number;
}

function docToMessage(d: MessageDoc): StoredMessage {
  return {
    id: d.id,
    seq: d.seq,
    position: d.position,
    conversationId: d.conversationId,
    channel: d.channel,
    direction: d.direction,
    platformMessageId: d.platformMessageId ?? null,
    text: d.text ?? '',
    activity: JSON.parse(d.activity) as Record<string, unknown>,
    createdAt: new Date(d.createdAt),
    handledAt: d.handledAt ? new Date(d.handledAt) : null,
    delivery: docToDelivery(d),
  };
}

function docToDelivery(d: MessageDoc): Delivery | null {
  if (d.direction === 'in') return null;
  // An outbound message stored before the outbox existed went out inline, as it was stored.
  if (!d.deliveryStatus) return { status: 'sent', attempts: 0, nextAttemptAt: null, error: null, sentAt: new Date(d.createdAt) };
  return {
    status: d.deliveryStatus,
    attempts: d.attempts ?? 0,
    nextAttemptAt: d.nextAttemptAt ? new Date(d.nextAttemptAt) : null,
    error: d.deliveryError ?? null,
    sentAt: d.sentAt ? new Date(d.sentAt) : null,
  };
}

/** What an insert stores beyond the NewMessage: nothing for inbound, the outbox's fields for outbound. */
type OutboundFields = Pick<MessageDoc, 'replyTo' | 'replyIndex' | 'deliveryStatus' | 'attempts' | 'nextAttemptAt' | 'deliveryError' | 'sentAt'>;
const INBOUND: OutboundFields = {
  replyTo: null,
  replyIndex: null,
  deliveryStatus: null,
  attempts: 0,
  nextAttemptAt: null,
  deliveryError: null,
  sentAt: null,
};
/** Not yet sent, failed or unconfirmed: the outbox's messages, in each conversation's order. */
const UNSENT: DeliveryStatus[] = ['queued', 'sending'];

function docToKnowledge(d: KnowledgeVersionDoc): StoredKnowledgeEntry {
  return {
    ...(JSON.parse(d.data) as KnowledgeEntry),
    version: d.version,
    hash: d.hash,
    updatedAt: new Date(d.updatedAt),
  };
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

  const messages: MessageRepository = (() => {
    const M = models.messages;
    const write = async (m: NewMessage, out: OutboundFields): Promise<{ message: StoredMessage; duplicate: boolean }> => {
      const platformMessageId = m.platformMessageId ?? null;
      const replyTo = out.replyTo ?? null;
      // A turn run again (same reply key), or a redelivery (same platform id).
      const findStored = async (): Promise<MessageDoc | null> =>
        (replyTo !== null ? await M.findOne({ replyTo, replyIndex: out.replyIndex }).lean<MessageDoc>() : null) ??
        (platformMessageId !== null
          ? await M.findOne({ channel: m.channel, direction: m.direction, platformMessageId }).lean<MessageDoc>()
          : null);
      // A redelivery or a turn run again is answered from what is stored before any number
      // is handed out, so it leaves no gap in the conversation's positions (the insert below
      // still guards races).
      if (platformMessageId !== null || replyTo !== null) {
        const existing = await findStored();
        if (existing) return { message: docToMessage(existing), duplicate: true };
      }
      for (let attempt = 1; ; attempt++) {
        const doc: MessageDoc = {
          id: randomUUID(),
          seq: await nextSeq('messages'),
          position: await nextSeq(`conversation:${m.conversationId}`),
          conversationId: m.conversationId,
          channel: m.channel,
          direction: m.direction,
          platformMessageId,
          text: m.text,
          activity: JSON.stringify(m.activity),
          createdAt: m.createdAt,
          handledAt: null,
          ...out,
        };
        try {
          await M.create(doc);
          return { message: docToMessage(doc), duplicate: false };
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
          // A redelivery or a turn run again at the same moment: the platform-id or reply
          // index refused it. Return what is stored (the position taken is a gap readers
          // step over).
          if (platformMessageId !== null || replyTo !== null) {
            const existing = await findStored();
            if (existing) return { message: docToMessage(existing), duplicate: true };
          }
          // Otherwise the seq or position index refused a number already taken, which a
          // correct server never hands out twice (jongodb under concurrent connections
          // does): take the next ones. The skipped position is a gap readers step over.
          if (attempt >= 5) throw err;
        }
      }
    };
    /**
     * Redaction keeps the document (position, ids and platform id, so a redelivery stays a
     * duplicate) and forgets what it said. Each message is one updateOne ($set) conditional
     * on not being redacted yet, so two instances redacting at once count it once.
     */
    const redactMatching = async (filter: Record<string, unknown>, limit = 0): Promise<number> => {
      const docs = await M.find({ ...filter, redacted: { $ne: true } }, { id: 1, activity: 1 }).sort({ createdAt: 1, seq: 1 }).limit(limit).lean<
        Array<Pick<MessageDoc, 'id' | 'activity'>>
      >();
      let changed = 0;
      for (const d of docs) {
        const activity = JSON.stringify(redactActivity(JSON.parse(d.activity) as Record<string, unknown>));
        const res = await M.updateOne(
          { id: d.id, redacted: { $ne: true } },
          { $set: { text: '', activity, redacted: true } },
        );
        changed += res.modifiedCount;
      }
      return changed;
    };
    return {
      async recordInbound(m) {
        return write({ ...m, direction: 'in' }, INBOUND);
      },
      async recordOutbound(m) {
        return write(
          { ...m, direction: 'out' },
          {
            ...newOutboundDelivery(m),
            attempts: 0,
            nextAttemptAt: null,
            deliveryError: null,
          },
        );
      },
      async listOutboxDue(now, limit = 100) {
        if (limit === 0) return [];
        // Every unsent message (few: the outbox keeps up), then each conversation's head by
        // position; a head queued for later hides the rest of its conversation.
        const docs = await M.find(
          { deliveryStatus: { $in: UNSENT } },
          { conversationId: 1, position: 1, seq: 1, deliveryStatus: 1, nextAttemptAt: 1 },
        )
          .sort({ seq: 1 })
          .lean<Array<Pick<MessageDoc, 'conversationId' | 'position' | 'seq' | 'deliveryStatus' | 'nextAttemptAt'>>>();
        const heads = new Map<string, (typeof docs)[number]>();
        for (const d of docs) {
          const head = heads.get(d.conversationId);
          if (!head || d.position < head.position) heads.set(d.conversationId, d);
        }
        const due = [...heads.values()]
          .filter((h) => h.deliveryStatus === 'sending' || !h.nextAttemptAt || new Date(h.nextAttemptAt).getTime() <= now.getTime())
          .sort((a, b) => a.seq - b.seq)
          .map((h) => h.conversationId);
        return limit > 0 ? due.slice(0, Math.floor(limit)) : due;
      },
      async nextOutbound(conversationId) {
        const doc = await M.findOne({ deliveryStatus: { $in: UNSENT }, conversationId }).sort({ position: 1 }).lean<MessageDoc>();
        return doc ? docToMessage(doc) : null;
      },
      async setDelivery(id, change) {
        // One findOneAndUpdate, the allowed current statuses in its filter: a compare-and-set.
        let from: DeliveryStatus[];
        let update: UpdateQuery<MessageDoc>;
        switch (change.status) {
          case 'sending':
            from = ['queued'];
            update = { $set: { deliveryStatus: 'sending', nextAttemptAt: null }, $inc: { attempts: 1 } };
            break;
          case 'sent':
            from = ['sending'];
            update = {
              $set: {
                deliveryStatus: 'sent',
                sentAt: change.at,
                nextAttemptAt: null,
                ...(change.platformMessageId != null ? { platformMessageId: change.platformMessageId } : {}),
              },
            };
            break;
          case 'queued':
            from = ['sending'];
            update = { $set: { deliveryStatus: 'queued', nextAttemptAt: change.nextAttemptAt, deliveryError: change.error } };
            break;
          case 'failed':
            from = UNSENT;
            update = { $set: { deliveryStatus: 'failed', deliveryError: change.error, nextAttemptAt: null } };
            break;
          case 'unconfirmed':
            from = UNSENT;
            update = { $set: { deliveryStatus: 'unconfirmed', nextAttemptAt: null } };
            break;
          default:
            throw new Error(`unknown delivery status: ${String((change as { status: unknown }).status)}`);
        }
        const changed = await M.findOneAndUpdate({ id, deliveryStatus: { $in: from } }, update, {
          returnDocument: 'after',
          projection: { _id: 1 },
        }).lean();
        return changed !== null;
      },
      async extendClaim(id, until) {
        const extended = await M.findOneAndUpdate(
          { id, direction: 'in', handledAt: null, claimedUntil: { $ne: null } },
          { $set: { claimedUntil: until } },
          { returnDocument: 'after', projection: { _id: 1 } },
        ).lean();
        return extended !== null;
      },
      async markHandled(id, at) {
        await M.updateOne({ id, handledAt: null }, { $set: { handledAt: at } });
      },
      async claimInbound(id, now, until) {
        const claimed = await M.findOneAndUpdate(
          { id, direction: 'in', handledAt: null, $or: [{ claimedUntil: null }, { claimedUntil: { $lte: now } }] },
          { $set: { claimedUntil: until } },
          { returnDocument: 'after', projection: { _id: 1 } },
        ).lean();
        return claimed !== null;
      },
      async listByConversation(conversationId, afterPosition = 0, limit = 500) {
        const q = applyLimit(M.find({ conversationId, position: { $gt: afterPosition } }).sort({ position: 1 }), limit);
        return q ? (await q.lean<MessageDoc[]>()).map(docToMessage) : [];
      },
      async listUnhandledInbound(limit = 100) {
        const q = applyLimit(M.find({ direction: 'in', handledAt: null }).sort({ seq: 1 }), limit);
        return q ? (await q.lean<MessageDoc[]>()).map(docToMessage) : [];
      },
      async redact(ids) {
        if (ids.length === 0) return 0;
        return redactMatching({ id: { $in: [...ids] } });
      },
      async redactConversations(conversationIds, before) {
        if (conversationIds.length === 0) return 0;
        return redactMatching({
          conversationId: { $in: [...conversationIds] },
          ...(before === undefined ? {} : { createdAt: { $lt: before } }),
        });
      },
      async redactBefore(cutoff, limit = 1000) {
        return redactMatching({ createdAt: { $lt: cutoff } }, limit);
      },
      async lastInbound(conversationId) {
        // messages_position read backwards, as on SQLite.
        const doc = await M.findOne({ conversationId, direction: 'in' }).sort({ position: -1 }).lean<MessageDoc>();
        return doc ? docToMessage(doc) : null;
      },
    };
  })();

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

  const knowledge: KnowledgeRepository = (() => {
    const M = models.knowledge;
    const latest = (id: string) => M.findOne({ id }).sort({ version: -1 }).lean<KnowledgeVersionDoc>();
    /** Current versions, one per id (the newest if a concurrent sync left two). */
    const currentDocs = async (): Promise<KnowledgeVersionDoc[]> => {
      const docs = await M.find({ current: true }).sort({ id: 1, version: -1 }).lean<KnowledgeVersionDoc[]>();
      return docs.filter((d, i) => i === 0 || docs[i - 1]!.id !== d.id);
    };
    return {
      async sync(entries, now) {
        let added = 0;
        let changed = 0;
        let retired = 0;
        const wanted = new Set(entries.map((e) => e.id));
        for (const e of entries) {
          const hash = entryHash(e);
          const last = await latest(e.id);
          if (last && last.hash === hash) {
            if (!last.current) {
              await M.updateOne({ id: e.id, version: last.version }, { $set: { current: true } });
            }
            continue;
          }
          const version = last ? last.version + 1 : 1;
          try {
            // The new version first, then the older ones retired: a reader between the two
            // sees the entry (twice at worst, and currentDocs keeps the newest), never none.
            await M.create({ id: e.id, version, hash, data: JSON.stringify(e), updatedAt: now, current: true });
          } catch (err) {
            // Another instance synced the same entry at the same moment and took this version.
            if (!isDuplicateKey(err)) throw err;
            const theirs = await latest(e.id);
            if (theirs?.hash === hash) continue;
            throw err;
          }
          await M.updateMany({ id: e.id, version: { $lt: version }, current: true }, { $set: { current: false } });
          if (last) changed++;
          else added++;
        }
        const toRetire = [...new Set((await currentDocs()).map((d) => d.id).filter((id) => !wanted.has(id)))];
        if (toRetire.length > 0) {
          await M.updateMany({ id: { $in: toRetire }, current: true }, { $set: { current: false } });
          retired = toRetire.length;
        }
        return { added, changed, retired };
      },
      async list() {
        return (await currentDocs()).map(docToKnowledge);
      },
      async get(id) {
        const doc = await M.findOne({ id, current: true }).sort({ version: -1 }).lean<KnowledgeVersionDoc>();
        return doc ? docToKnowledge(doc) : null;
      },
      async versions(id) {
        return (await M.find({ id }).sort({ version: 1 }).lean<KnowledgeVersionDoc[]>()).map(docToKnowledge);
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
    knowledge,
    audit,
    consents: mongoConsents(models.consents),
    cases: mongoCases(models.cases, models.counters),
    leases: mongoLeases(models.leases),
    channelTokens: mongoChannelTokens(models.channelTokens),
    tickets: mongoTickets(models.tickets),
    staff: mongoStaff(models.staff),
    sessions: mongoSessions(models.sessions),
    notes: mongoNotes(models.notes),
    async close() {
      await conn.close();
    },
  };
}
