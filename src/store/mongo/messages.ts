/**
 * Messages in MongoDB (collection messages, see models.ts): inbound unique by channel and
 * platform message id, positions per conversation from a counter, claims for acting on an
 * inbound message, the outbox's delivery steps as compare-and-set writes, and redaction.
 */
import { randomUUID } from 'node:crypto';
import type { Model, UpdateQuery } from 'mongoose';
import { newOutboundDelivery, redactActivity } from '../shared.js';
import type { Delivery, DeliveryStatus, MessageRepository, NewMessage, StoredMessage } from '../types.js';
import { applyLimit, isDuplicateKey } from './helpers.js';
import type { MessageDoc } from './models.js';

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

/** `nextSeq(name)`: the next value of a store-wide sequence (see mongo-store.ts). */
export function mongoMessages(M: Model<MessageDoc>, nextSeq: (name: string) => Promise<number>): MessageRepository {
  const write = async (m: NewMessage, out: OutboundFields): Promise<{ message: StoredMessage; duplicate: boolean }> => {
    // As JSON text at once: what the caller does with the object after this call is not stored.
    const activity = JSON.stringify(m.activity);
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
        activity,
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
    async inboundTexts(conversationId, afterPosition, beforePosition, limit) {
      if (limit <= 0) return [];
      const docs = await M.find(
        { conversationId, direction: 'in', position: { $gt: afterPosition, $lt: beforePosition } },
        { position: 1, text: 1, createdAt: 1 },
      )
        .sort({ position: -1 })
        .limit(limit)
        .lean<Array<Pick<MessageDoc, 'position' | 'text' | 'createdAt'>>>();
      return docs.reverse().map((d) => ({ position: d.position, text: d.text, createdAt: new Date(d.createdAt) }));
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
    async lastSeq() {
      // The unique seq index read backwards: one key.
      const doc = await M.findOne({}, { seq: 1 }).sort({ seq: -1 }).lean<Pick<MessageDoc, 'seq'>>();
      return doc?.seq ?? 0;
    },
  };
}
