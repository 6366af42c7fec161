/**
 * The assistant's turn, step by step (see src/flows/chain.ts):
 *
 * 1. triage       every text, first, in every state: danger → safety reply, urgent handoff
 * 2. handoff gate a counsellor holds the conversation → the bot stays silent
 * 3. non-text     a photo or voice message → ask for text
 * 4. faq          answer with source | clarify | decline and offer a counsellor
 *
 * Intake and data rights join as steps between 2 and 4.
 */
import type { CentreInfo } from '../server/config.js';
import type { AnswerPipeline } from './answer.js';
import { chain, type Effect, type TurnInput } from './chain.js';
import { faqStep } from './steps/faq-step.js';
import { handoffGate } from './steps/handoff-gate.js';
import { nonTextStep } from './steps/non-text.js';
import { triageStep } from './steps/triage-step.js';
import type { Lexicon } from './triage/lexicon.js';
import type { SecondOpinion } from './triage/second-opinion.js';

export interface TurnDeps {
  pipeline: AnswerPipeline;
  lexicon: Lexicon;
  centre: CentreInfo;
  secondOpinion?: SecondOpinion;
}

export type DecideTurn = (turn: TurnInput) => Promise<Effect[]>;

export function buildTurn(deps: TurnDeps): DecideTurn {
  return chain(
    triageStep({ lexicon: deps.lexicon, centre: deps.centre, secondOpinion: deps.secondOpinion }),
    handoffGate,
    nonTextStep,
    faqStep(deps.pipeline),
  );
}
