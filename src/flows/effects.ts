/**
 * Carries out what the turn's steps decided, in the order they listed it: the one place
 * where decisions meet the store and the channel. Risk and handoff writes come before
 * the reply that announces them, so "a counsellor has been told" is already true in the
 * store when the citizen reads it.
 */
import { MessageFactory, type TurnContext } from 'botbuilder';
import { requestHandoff } from '../handoff/request-handoff.js';
import type { Conversation, Store } from '../store/types.js';
import type { Effect, TurnMemory } from './chain.js';
import type { Reply } from './replies.js';

/** Renders a Reply as an Activity: text plus quick replies as suggested actions. */
export function replyActivity(reply: Reply) {
  return reply.choices.length > 0 ? MessageFactory.suggestedActions(reply.choices, reply.text) : MessageFactory.text(reply.text);
}

export interface EffectContext {
  turn: TurnContext;
  store: Pick<Store, 'conversations' | 'handoffRequests' | 'audit'>;
  conversation: Conversation;
  messageId: string | null;
  memory: TurnMemory;
  now: () => Date;
}

export async function carryOut(effects: readonly Effect[], ctx: EffectContext): Promise<void> {
  const { store, conversation, messageId, now } = ctx;
  const audit = (action: string, detail?: Record<string, unknown>) =>
    store.audit.append({ at: now(), actor: 'bot', action, subject: conversation.id, detail });
  for (const effect of effects) {
    switch (effect.type) {
      case 'reply':
        await ctx.turn.sendActivity(replyActivity(effect.reply));
        break;
      case 'raise-risk': {
        const at = now();
        const raised = await store.conversations.raiseRisk(conversation.id, { level: effect.level, category: effect.category, at, messageId }, at);
        // The audit keeps which cues fired (ids), never what the citizen wrote.
        await audit(`risk.${effect.level}`, { category: effect.category, reasons: effect.reasons, raised, messageId });
        break;
      }
      case 'clear-check-in':
        await store.conversations.clearCheckIn(conversation.id, now());
        break;
      case 'request-handoff':
        await requestHandoff(store, {
          conversation,
          priority: effect.priority,
          reason: effect.reason,
          riskCategory: effect.riskCategory,
          messageId,
          now: now(),
        });
        break;
      case 'remember':
        Object.assign(ctx.memory, effect.patch);
        break;
      case 'faq':
        await audit(`faq.${effect.kind}`, {
          entryId: effect.entryId,
          topic: effect.topic,
          confidence: Math.round(effect.confidence * 1000) / 1000,
        });
        break;
      case 'audit':
        await audit(effect.action, effect.detail);
        break;
    }
  }
}
