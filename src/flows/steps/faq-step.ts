/**
 * The last step: answer from the knowledge base with its source, ask which topic was
 * meant, or say plainly that the bot does not know and offer a counsellor. A request
 * for a counsellor opens a normal-priority handoff request before the reply says so.
 */
import { HANDOFF_PRIORITY } from '../../store/types.js';
import type { AnswerPipeline } from '../answer.js';
import type { Effect, Step } from '../chain.js';

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
      { type: 'faq', kind: result.kind, topic: result.topic, entryId: result.entryId, confidence: result.confidence },
    );
    return effects;
  };
}
