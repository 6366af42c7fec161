/**
 * Step 1, on every text in every state: is the citizen (or someone they tell of) in
 * danger now? Urgent → the conversation is marked urgent, a top-priority handoff is
 * requested (vital interest: no consent needed, and the audit log says so) and the
 * safety reply goes out before anything else; while a counsellor holds the conversation
 * the counsellor is alerted and the bot stays quiet. Ambiguous distress → one direct
 * question (check-in), after the answer when the knowledge base has one; "yes", any
 * further sign, or no answer in time (the escalation job) makes it urgent; "no" clears it.
 *
 * Use it first in the chain: nothing a later step does may delay a safety reply.
 */
import type { CentreInfo } from '../../server/config.js';
import { HANDOFF_PRIORITY, type RiskCategory } from '../../store/types.js';
import type { Effect, Step, TurnInput } from '../chain.js';
import { checkInReply, checkInSafeReply, safetyFollowUpReply, safetyReply } from '../safety-replies.js';
import { assess, contextMayCount, type Assessment } from '../triage/assess.js';
import { checkInAnswer } from '../triage/check-in-answer.js';
import type { Lexicon } from '../triage/lexicon.js';
import { raiseOnly, type SecondOpinion } from '../triage/second-opinion.js';

export interface TriageStepOptions {
  lexicon: Lexicon;
  centre: CentreInfo;
  /** An LLM that may raise (never lower) the level; absent unless configured. */
  secondOpinion?: SecondOpinion;
  /**
   * The answer to "where?" without the place it names (src/flows/intake/places.ts): a
   * commune's name is no sign of danger ("Hội An, Quảng Nam" is not "ăn … nấm"). Used only
   * while the intake waits for a place.
   */
  withoutPlaceNames?: (text: string) => string;
  /**
   * How long an urgent message's safety reply may wait for the knowledge base's answer to
   * a question in the same message. Default 300 ms: offline the answer takes a millisecond
   * or two; an LLM phrasing it or an embeddings endpoint can take seconds, and then the
   * safety reply goes out alone. Lower it only in tests.
   */
  answerWaitMs?: number;
}

const PLACE_STEPS = new Set(['place', 'commune', 'pick-province', 'pick-commune', 'confirm-place']);

/** What an urgent message leads to: marked urgent, head of the queue, safety reply (unless a counsellor holds it). */
export function urgentEffects(turn: TurnInput, category: RiskCategory | null, reasons: readonly string[], centre: CentreInfo): Effect[] {
  const alreadyUrgent = turn.conversation.risk?.level === 'urgent';
  const counsellorHolds = turn.conversation.status === 'assigned';
  const effects: Effect[] = [
    { type: 'raise-risk', level: 'urgent', category, reasons },
    { type: 'request-handoff', priority: HANDOFF_PRIORITY.urgent, reason: 'risk', riskCategory: category },
    // Vital interest (Luật 91/2025/QH15): acting without consent is lawful, and recorded.
    { type: 'audit', action: 'consent.exception.vital-interest', detail: { category } },
    { type: 'remember', patch: { riskResetAfter: turn.position } },
  ];
  if (counsellorHolds) return effects;
  effects.push({ type: 'reply', reply: alreadyUrgent ? safetyFollowUpReply(category) : safetyReply(category, centre) });
  return effects;
}

/**
 * Whether the safety reply may be followed by the knowledge base's answer to a question
 * asked in the same message ("đứa nhỏ nhà bên bị ba nó đánh hoài, báo ở đâu?", "bếp cháy
 * lan sang nhà trên, nhà nước có hỗ trợ gì không?"): whoever writes so is most often
 * telling of someone else, or of what just happened, and needs both. Never for self-harm
 * (the person is stayed with, not given reading), and not while a counsellor holds the
 * conversation (the bot is quiet then).
 */
function answersAfterSafety(turn: TurnInput, category: RiskCategory | null): boolean {
  return category !== 'tu-hai' && turn.conversation.status !== 'assigned';
}

/**
 * The rest of the chain's decision, kept only when it is an answer from the knowledge
 * base (its reply and its record): a decline, a clarifying question, an intake step or
 * anything else would only get in the way of the safety reply, and is dropped (steps
 * decide without doing, so nothing happened).
 */
function knowledgeAnswerIn(rest: readonly Effect[]): Effect[] {
  if (!rest.some((e) => e.type === 'faq' && e.kind === 'answer')) return [];
  return rest.filter((e) => e.type === 'reply' || e.type === 'faq');
}

/** The rest of the chain's decision if it comes within `ms`; nothing if it is later or fails (the safety reply never waits long, and never fails with it). */
async function within(ms: number, rest: () => Promise<Effect[]>): Promise<Effect[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Effect[]>((resolve) => {
    timer = setTimeout(() => resolve([]), ms);
  });
  try {
    return await Promise.race([rest().catch(() => []), late]);
  } finally {
    clearTimeout(timer);
  }
}

export function triageStep(options: TriageStepOptions): Step {
  const { lexicon, centre, secondOpinion, withoutPlaceNames, answerWaitMs = 300 } = options;
  return async (turn, next) => {
    if (!turn.text) return next();
    const answersWhere = withoutPlaceNames && PLACE_STEPS.has(turn.memory.intake?.step ?? '');
    const text = answersWhere ? withoutPlaceNames(turn.text) : turn.text;
    let assessment: Assessment = assess(text, [], lexicon);
    if (contextMayCount(assessment)) assessment = assess(text, await turn.earlier(), lexicon);
    if (secondOpinion && assessment.level !== 'urgent') {
      assessment = raiseOnly(assessment, await secondOpinion.review(text, await turn.earlier()));
    }
    const risk = turn.conversation.risk;
    const pendingCheckIn = risk?.level === 'check-in';

    if (assessment.level === 'urgent') {
      const urgent = urgentEffects(turn, assessment.category, assessment.reasons, centre);
      return answersAfterSafety(turn, assessment.category) ? [...urgent, ...knowledgeAnswerIn(await within(answerWaitMs, next))] : urgent;
    }
    if (pendingCheckIn && assessment.level === 'check-in') {
      // A further sign after the bot asked: no more asking.
      return urgentEffects(turn, assessment.category ?? risk.category, [...assessment.reasons, 'check-in:further-sign'], centre);
    }
    if (pendingCheckIn) {
      const answer = checkInAnswer(turn.text);
      if (answer === 'yes') return urgentEffects(turn, risk.category, ['check-in:yes'], centre);
      if (answer === 'no') {
        return [
          { type: 'clear-check-in' },
          { type: 'remember', patch: { riskResetAfter: turn.position } },
          { type: 'audit', action: 'risk.check-in.safe' },
          ...(turn.conversation.status === 'assigned' ? [] : [{ type: 'reply', reply: checkInSafeReply(centre) } as const]),
        ];
      }
      return next();
    }
    if (assessment.level === 'check-in' && risk?.level !== 'urgent') {
      const raise: Effect = { type: 'raise-risk', level: 'check-in', category: assessment.category, reasons: assessment.reasons };
      if (turn.conversation.status === 'assigned') {
        return [raise, { type: 'request-handoff', priority: HANDOFF_PRIORITY.checkIn, reason: 'risk', riskCategory: null }];
      }
      // A question the knowledge base answers gets its answer, then the one direct question;
      // otherwise the question stands alone (no decline or clarify in the way).
      const rest = await next();
      const answered = rest.some((e) => e.type === 'faq' && e.kind === 'answer');
      return [raise, ...(answered ? rest : []), { type: 'reply', reply: checkInReply(assessment.category) }];
    }
    return next();
  };
}
