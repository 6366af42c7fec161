import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import type { HandoffRequest, HandoffRequestRepository, NewHandoffRequest } from '../types.js';
import { applyLimit, isDuplicateKey } from './helpers.js';
import type { HandoffRequestDoc } from './models.js';

/** A few rounds are enough: each one lost means another instance's write went through. */
const MAX_ATTEMPTS = 5;

function docToHandoffRequest(d: HandoffRequestDoc): HandoffRequest {
  return {
    id: d.id,
    conversationId: d.conversationId,
    status: d.status,
    priority: d.priority,
    reason: d.reason,
    riskCategory: d.riskCategory ?? null,
    messageId: d.messageId ?? null,
    raises: d.raises,
    createdAt: new Date(d.createdAt),
    updatedAt: new Date(d.updatedAt),
  };
}

/**
 * Handoff requests in MongoDB (collection handoff_requests). The unique index
 * handoff_requests_open (see models.ts) keeps one open request per conversation. open()
 * uses only conditional findOneAndUpdate ($set, $inc) and insert, each deciding on its own:
 *   1. the open request, if it is less urgent than the new one: take the new values;
 *   2. else the open request, if it is as urgent or more: count the raise only;
 *   3. else none is open: insert one; a duplicate key means another instance inserted it
 *      first, and the next round updates theirs.
 * Step 2 cannot undo step 1 of another instance: while a request is open its priority only
 * decreases. A request closed or opened by another instance between the steps makes the
 * round fall through to the insert, and a refused insert starts the next round.
 */
export function mongoHandoffRequests(M: Model<HandoffRequestDoc>): HandoffRequestRepository {
  const raiseOpen = async (r: NewHandoffRequest): Promise<HandoffRequestDoc | null> => {
    const moreUrgent = await M.findOneAndUpdate(
      { conversationId: r.conversationId, status: 'open', priority: { $gt: r.priority } },
      {
        $set: {
          priority: r.priority,
          reason: r.reason,
          riskCategory: r.riskCategory,
          messageId: r.messageId,
          updatedAt: r.createdAt,
        },
        $inc: { raises: 1 },
      },
      { returnDocument: 'after' },
    ).lean<HandoffRequestDoc>();
    if (moreUrgent) return moreUrgent;
    return M.findOneAndUpdate(
      { conversationId: r.conversationId, status: 'open', priority: { $lte: r.priority } },
      { $set: { updatedAt: r.createdAt }, $inc: { raises: 1 } },
      { returnDocument: 'after' },
    ).lean<HandoffRequestDoc>();
  };

  return {
    async open(request) {
      for (let attempt = 1; ; attempt++) {
        const raised = await raiseOpen(request);
        if (raised) return { request: docToHandoffRequest(raised), created: false };
        const doc: HandoffRequestDoc = {
          id: randomUUID(),
          conversationId: request.conversationId,
          status: 'open',
          priority: request.priority,
          reason: request.reason,
          riskCategory: request.riskCategory,
          messageId: request.messageId,
          raises: 1,
          createdAt: request.createdAt,
          updatedAt: request.createdAt,
        };
        try {
          await M.create(doc);
          return { request: docToHandoffRequest(doc), created: true };
        } catch (err) {
          if (!isDuplicateKey(err) || attempt >= MAX_ATTEMPTS) throw err;
        }
      }
    },
    async get(id) {
      const doc = await M.findOne({ id }).lean<HandoffRequestDoc>();
      return doc ? docToHandoffRequest(doc) : null;
    },
    async findOpen(conversationId) {
      const doc = await M.findOne({ conversationId, status: 'open' }).lean<HandoffRequestDoc>();
      return doc ? docToHandoffRequest(doc) : null;
    },
    async listOpen(limit = 100) {
      // _id last: ObjectIds grow with insertion, the nearest thing to SQLite's seq.
      const q = applyLimit(M.find({ status: 'open' }).sort({ priority: 1, createdAt: 1, _id: 1 }), limit);
      return q ? (await q.lean<HandoffRequestDoc[]>()).map(docToHandoffRequest) : [];
    },
    async close(id, now) {
      const closed = await M.findOneAndUpdate(
        { id, status: 'open' },
        { $set: { status: 'closed', updatedAt: now } },
        { returnDocument: 'after', projection: { _id: 1 } },
      ).lean();
      return closed !== null;
    },
  };
}
