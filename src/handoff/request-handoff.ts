/**
 * The one way a conversation is handed to the counsellors: records (or raises) its open
 * handoff request, puts a bot conversation in the queue, and writes the audit event.
 * The counsellor queue and console (src/handoff, src/console) consume these requests;
 * urgent ones come first (HANDOFF_PRIORITY.urgent).
 *
 * When a counsellor already holds the conversation, the request is an alert to them
 * ("handoff.counsellor-alerted"), and the conversation stays with them.
 *
 * @example await requestHandoff(store, { conversation, priority: HANDOFF_PRIORITY.urgent, reason: 'risk', riskCategory: 'tu-hai', messageId, now })
 */
import type { Conversation, HandoffReason, HandoffRequest, RiskCategory, Store } from '../store/types.js';

export interface HandoffRequestInput {
  conversation: Conversation;
  priority: number;
  reason: HandoffReason;
  riskCategory: RiskCategory | null;
  /** The stored inbound message that led to it; null when raised by a timer. */
  messageId: string | null;
  now: Date;
  /** Who asked: 'bot' or 'system' (a scheduled job). */
  actor?: string;
}

export async function requestHandoff(store: Pick<Store, 'handoffRequests' | 'conversations' | 'audit'>, input: HandoffRequestInput): Promise<HandoffRequest> {
  const { conversation, priority, reason, riskCategory, messageId, now } = input;
  const { request, created } = await store.handoffRequests.open({
    conversationId: conversation.id,
    priority,
    reason,
    riskCategory,
    messageId,
    createdAt: now,
  });
  if (conversation.status === 'bot' || conversation.status === 'closed') {
    await store.conversations.setStatus(conversation.id, 'queued', now);
  }
  await store.audit.append({
    at: now,
    actor: input.actor ?? 'bot',
    action: conversation.status === 'assigned' ? 'handoff.counsellor-alerted' : 'handoff.requested',
    subject: conversation.id,
    detail: { requestId: request.id, priority: request.priority, reason, riskCategory, created },
  });
  return request;
}
