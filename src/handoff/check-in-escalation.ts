/**
 * A citizen asked "Bạn có đang gặp nguy hiểm không?" who has not answered within
 * CHECK_IN_ESCALATE_SECONDS is treated as urgent: silence after a sign of distress is
 * itself a sign. Runs on a timer on every instance; the raise is a compare-and-set in
 * the store, so each check-in is escalated once however many instances run it.
 *
 * @example await escalateDueCheckIns(store, handoff, { now: new Date(), afterMs: 180_000 })
 */
import { HANDOFF_PRIORITY, type Conversation, type Store } from '../store/types.js';
import type { Handoff } from './service.js';

export async function escalateDueCheckIns(
  store: Pick<Store, 'conversations' | 'audit'>,
  handoff: Handoff,
  options: {
    now: Date;
    afterMs: number;
    limit?: number;
    /** Called once per conversation this call escalated (to tell the citizen); its failure is the caller's to log. */
    onEscalated?: (conversation: Conversation) => Promise<void>;
  },
): Promise<number> {
  const { now, afterMs } = options;
  const due = await store.conversations.listCheckInsDue(new Date(now.getTime() - afterMs), options.limit ?? 100);
  let escalated = 0;
  for (const conversation of due) {
    const category = conversation.risk?.category ?? null;
    const raised = await store.conversations.raiseRisk(conversation.id, { level: 'urgent', category, at: now, messageId: null }, now);
    if (!raised) continue; // another instance did it, or the citizen answered meanwhile
    await store.audit.append({
      at: now,
      actor: 'system',
      action: 'risk.urgent',
      subject: conversation.id,
      detail: { category, reasons: ['check-in:no-answer'], raised: true, messageId: null },
    });
    await store.audit.append({ at: now, actor: 'system', action: 'consent.exception.vital-interest', subject: conversation.id, detail: { category } });
    await handoff.open({
      conversation,
      priority: HANDOFF_PRIORITY.urgent,
      reason: 'risk',
      riskCategory: category,
      messageId: null,
      now,
      actor: 'system',
    });
    escalated++;
    await options.onEscalated?.(conversation);
  }
  return escalated;
}
