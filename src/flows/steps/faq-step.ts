/**
 * The last step: answer from the knowledge base with its source, ask which topic was
 * meant, or say plainly that the bot does not know and offer a counsellor. A request
 * for a counsellor opens a normal-priority handoff request before the reply says so.
 * A question it declined or had to clarify goes to the unanswered inbox (masked there).
 */
import { HANDOFF_PRIORITY } from '../../store/types.js';
import type { AnswerPipeline } from '../answer.js';
import type { Effect, Step } from '../chain.js';
import { isBotButton } from '../replies.js';

const UNANSWERED = { decline: 'declined', clarify: 'clarified' } as const;

export function faqStep(pipeline: AnswerPipeline): Step {
  return async (turn) => {
    const result = await pipeline.answer(turn.text);
    const effects: Effect[] = [];
    if (result.handoff) {
      // Queued before the reply goes out, so "a counsellor will answer" is already true in the store.
      effects.push({ type: 'request-handoff', priority: HANDOFF_PRIORITY.normal, reason: 'citizen-asked', riskCategory: null });
    }
    effects.push(
      { type: 'reply', reply: result.reply },
      { type: 'faq', kind: result.kind, topic: result.topic, entryId: result.entryId, confidence: result.confidence, referral: result.referral ?? null },
    );
    // Only a question the citizen typed, in a conversation with no sign of risk (what a
    // person in distress writes is not kept for the knowledge editors, not even masked).
    const unanswered = result.kind === 'decline' || result.kind === 'clarify' ? UNANSWERED[result.kind] : null;
    if (unanswered && turn.text && !turn.conversation.risk && !isBotButton(turn.text)) {
      effects.push({ type: 'record-unanswered', text: turn.text, kind: unanswered });
    }
    // "Chưa đúng ý" under an answer: the question it answered goes to the inbox.
    if (result.kind === 'not-helpful' && !turn.conversation.risk) effects.push({ type: 'record-unanswered', text: '', kind: 'unhelpful', previous: true });
    return effects;
  };
}
