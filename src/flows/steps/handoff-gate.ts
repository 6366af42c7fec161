/**
 * Step 2: while a counsellor holds the conversation (assigned or on hold) the bot stays
 * silent. The message is already stored, so the counsellor reads it live in the console;
 * triage (step 1) has already run and alerted the counsellor if it showed danger.
 *
 * Put it right after triage and before anything that replies.
 */
import type { Step } from '../chain.js';

export const handoffGate: Step = (turn, next) => (turn.conversation.status === 'assigned' ? [] : next());
