/**
 * Step: while the citizen waits in the queue, "Để lại số gọi lại" starts the two-question
 * call-back flow (src/flows/callback.ts); its answers are read here until it ends. An
 * answer that is neither yes nor no to the consent question ends the flow and is read as
 * usual (a question, another request).
 *
 * Put it after data rights (so "xóa thông tin của tôi" always works) and before the intake.
 */
import type { Effect, Step } from '../chain.js';
import { advanceCallback, asksForCallback, startCallback, type CallbackOutcome } from '../callback.js';

function effectsOf(outcome: CallbackOutcome, version: string): Effect[] {
  const effects: Effect[] = [{ type: 'remember', patch: { callback: outcome.state ?? undefined } }];
  for (const e of outcome.effects) {
    if (e.type === 'consent') effects.push({ type: 'record-consent', purpose: 'callback', decision: e.decision, version });
    if (e.type === 'leave') effects.push({ type: 'leave-callback', phone: e.phone });
  }
  effects.push(...outcome.replies.map((reply) => ({ type: 'reply', reply }) as const));
  // After the replies: the number lives on only in the case.
  if (outcome.effects.some((e) => e.type === 'forget-answer')) effects.push({ type: 'forget-message' });
  return effects;
}

/** `version`: the consent notice version recorded with the decision (CONSENT_TEXT_VERSION). */
export function callbackStep(version: string): Step {
  return async (turn, next) => {
    const { memory, text } = turn;
    if (!text) return next();
    if (memory.callback) {
      const outcome = advanceCallback(memory.callback, text);
      if (outcome.replies.length === 0) return [{ type: 'remember', patch: { callback: undefined } }, ...(await next())];
      return effectsOf(outcome, version);
    }
    if (turn.ticket?.status === 'waiting' && asksForCallback(text)) return effectsOf(startCallback(), version);
    return next();
  };
}
