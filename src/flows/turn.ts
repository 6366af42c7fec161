/**
 * The assistant's turn, step by step (see src/flows/chain.ts):
 *
 * 1. triage       every text, first, in every state: danger → safety reply, urgent handoff
 * 2. handoff gate a counsellor holds the conversation → the bot stays silent
 * 3. after close  a rating tap is recorded; writing again soon reopens the ticket
 * 4. non-text     a photo or voice message → ask for text
 * 5. data rights  "xem / xóa thông tin của tôi", "rút lại đồng ý", a case code's status
 * 6. call back    waiting in the queue: leave a phone number instead (call-back consent first)
 * 7. intake       consent, then the guided phiếu tiếp nhận → a case for the counsellors
 * 8. faq          answer with source | clarify | decline and offer a counsellor
 */
import type { CentreInfo } from '../server/config.js';
import type { AnswerPipeline } from './answer.js';
import { chain, type Effect, type TurnInput } from './chain.js';
import type { IntakeConfig } from './intake/machine.js';
import { withoutPlaceNames } from './intake/places.js';
import { callbackStep } from './steps/callback-step.js';
import { dataRightsStep } from './steps/data-rights-step.js';
import { faqStep } from './steps/faq-step.js';
import { intakeStep } from './steps/intake-step.js';
import { handoffGate } from './steps/handoff-gate.js';
import { afterCloseStep } from './steps/after-close-step.js';
import { nonTextStep } from './steps/non-text.js';
import { triageStep } from './steps/triage-step.js';
import type { Lexicon } from './triage/lexicon.js';
import type { SecondOpinion } from './triage/second-opinion.js';

export interface TurnDeps {
  pipeline: AnswerPipeline;
  lexicon: Lexicon;
  centre: CentreInfo;
  secondOpinion?: SecondOpinion;
  /** Consent notice, child age limit, how long an unfinished intake waits. Defaults suit tests. */
  intake?: { config: IntakeConfig; resumeDays: number };
}

/** The intake settings when none are given: the defaults of src/server/config.ts. */
export function defaultIntake(centre: CentreInfo): { config: IntakeConfig; resumeDays: number } {
  return {
    config: { notice: { version: '2026-11-30', centreName: centre.name, retentionDays: 730 }, childAgeLimit: 16, hotline: centre.hotline },
    resumeDays: 30,
  };
}

export type DecideTurn = (turn: TurnInput) => Promise<Effect[]>;

export function buildTurn(deps: TurnDeps): DecideTurn {
  const intake = deps.intake ?? defaultIntake(deps.centre);
  return chain(
    triageStep({ lexicon: deps.lexicon, centre: deps.centre, secondOpinion: deps.secondOpinion, withoutPlaceNames }),
    handoffGate,
    afterCloseStep,
    nonTextStep,
    dataRightsStep,
    callbackStep(intake.config.notice.version),
    intakeStep({ ...intake, pipeline: deps.pipeline, centre: deps.centre }),
    faqStep(deps.pipeline),
  );
}
