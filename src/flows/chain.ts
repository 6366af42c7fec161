/**
 * The turn as a chain of small steps, in the way grammY's Composer chains middleware.
 *
 * A step looks at the turn (the citizen's text, the conversation as stored, what the bot
 * remembers) and either handles it, returning the effects it wants (reply, raise the
 * risk, request a counsellor…), or passes it on with `next()`. Steps decide; they do no
 * I/O. One place (src/flows/effects.ts) carries the effects out, so every decision is
 * tested without a store or a channel, and `ask` runs the very same chain.
 *
 * A new feature is one more step in src/flows/turn.ts, not another `if` in the bot.
 *
 * @example
 * const turn = chain(triageStep(lexicon, centre), handoffGate, faqStep(pipeline));
 * const effects = await turn(input); // [{ type: 'reply', reply: … }, …]
 */
import type { ConsentPurpose, Conversation, RiskCategory, RiskLevel, Ticket, TicketReason } from '../store/types.js';
import type { CallbackState } from './callback.js';
import type { IntakeAnswers, IntakeState } from './intake/machine.js';
import type { Reply } from './replies.js';

/** What the bot keeps between turns of one conversation (botbuilder conversation state). */
export interface TurnMemory {
  turns?: number;
  /**
   * Position of the citizen's message after which earlier messages no longer count
   * towards risk (they said they were safe, or an urgent case was raised).
   */
  riskResetAfter?: number;
  /** The intake in progress (src/flows/intake/machine.ts); absent when none. */
  intake?: IntakeState;
  /** The bot asked "xóa hết?" and waits for the answer. */
  pendingErase?: boolean;
  /** The bot asked for the phone on file before telling a case's status. */
  caseLookup?: { code: string; tries: number };
  /** The call-back flow in progress (src/flows/callback.ts). */
  callback?: CallbackState;
}

/** Everything a step may look at. */
export interface TurnInput {
  /** The citizen's text, trimmed; '' for a photo, sticker or voice message. */
  text: string;
  /** Content types of what came besides text (image/jpeg, audio/ogg, …); absent or empty for plain text. */
  media?: readonly string[];
  /** The conversation as stored when this message arrived. */
  conversation: Conversation;
  /** The stored inbound message (null in `ask`, which stores nothing). */
  messageId: string | null;
  /** Its position in the conversation (0 in `ask`). */
  position: number;
  /**
   * The citizen's earlier texts inside the triage window, oldest first. A loader, not
   * the texts: triage reads them only when this message has a sign they could add to
   * (`contextMayCount`), and most messages have none.
   */
  earlier: () => Promise<readonly string[]>;
  memory: Readonly<TurnMemory>;
  now: Date;
  /**
   * The citizen's open ticket, else the one a counsellor closed within the reopen window
   * (HANDOFF_REOPEN_MINUTES); absent in `ask` and when there is none.
   */
  ticket?: TicketGlance | null;
}

/** What steps may know of the citizen's ticket. */
export type TicketGlance = Pick<Ticket, 'id' | 'status' | 'closedAt' | 'satisfaction' | 'assigneeId'>;

/** What a step asks to be done. Carried out in order by src/flows/effects.ts. */
export type Effect =
  | { type: 'reply'; reply: Reply }
  | {
      type: 'raise-risk';
      level: RiskLevel;
      category: RiskCategory | null;
      /** Cue ids and flags that explain it, for the audit log (never the text). */
      reasons: readonly string[];
    }
  | { type: 'clear-check-in' }
  | { type: 'request-handoff'; priority: number; reason: TicketReason; riskCategory: RiskCategory | null }
  /** The citizen wrote again soon after a counsellor closed: back to the queue. */
  | { type: 'reopen-ticket'; ticketId: string }
  /** A waiting citizen left a number to be called back (under the call-back consent): a small case on their ticket. */
  | { type: 'leave-callback'; phone: string }
  /** The citizen's one-tap rating of a closed ticket (3 good … 1 bad). */
  | { type: 'rate-ticket'; ticketId: string; score: number }
  | { type: 'remember'; patch: Partial<TurnMemory> }
  | {
      type: 'faq';
      kind: string;
      topic: string | null;
      entryId: string | null;
      confidence: number;
      /** Another office's business: the office a referral entry named. */
      referral?: string | null;
    }
  | { type: 'audit'; action: string; detail?: Record<string, unknown> }
  /** The citizen's own question, declined or clarified: masked, then grouped into the unanswered inbox (src/kb/unanswered.ts). */
  /** `previous`: the question is the citizen's message before this one (this one said the answer did not help). */
  | { type: 'record-unanswered'; text: string; kind: 'declined' | 'clarified' | 'unhelpful'; previous?: boolean }
  /** Record a consent decision, with the channel and the notice version shown. */
  | { type: 'record-consent'; purpose: ConsentPurpose; decision: 'granted' | 'declined'; version: string }
  /** A confirmed intake becomes a case, handed to the counsellors; the reply tells its code. */
  | { type: 'create-case'; answers: IntakeAnswers }
  /** This message was an intake answer: it is not kept beyond the turn. */
  | { type: 'forget-message' }
  /** A cancelled intake: every message of the conversation from `fromPosition` up to this one is forgotten (the bot's echoes of the answers too). */
  | { type: 'forget-messages-since'; fromPosition: number }
  /** Data rights: show what is kept, erase it, withdraw consent. */
  | { type: 'show-my-data' }
  | { type: 'erase-my-data' }
  | { type: 'withdraw-consent' }
  /** Tell a case's status: to its own citizen, or to whoever gives the phone on file. */
  | { type: 'case-status'; code: string; phone: string | null; tries: number };

export type Next = () => Promise<Effect[]>;

/** One step: handle the turn (return effects) or call `next()` to pass it on. */
export type Step = (turn: TurnInput, next: Next) => Effect[] | Promise<Effect[]>;

const done: Next = async () => [];

/**
 * Runs steps in order; each decides whether the rest run. The result is the effects
 * of the steps that handled the turn.
 *
 * @example chain(logStep, triageStep(...), faqStep(...))
 */
export function chain(...steps: Step[]): (turn: TurnInput) => Promise<Effect[]> {
  const run = async (i: number, turn: TurnInput): Promise<Effect[]> => {
    const step = steps[i];
    if (!step) return done();
    return step(turn, () => run(i + 1, turn));
  };
  return (turn) => run(0, turn);
}

/**
 * `yes` when the predicate holds, else `no` (which defaults to passing the turn on).
 * Use it when a whole part of the chain applies only in one state of the conversation.
 *
 * @example branch((t) => t.conversation.status === 'assigned', relayToCounsellor)
 */
export function branch(predicate: (turn: TurnInput) => boolean, yes: Step, no: Step = (_t, next) => next()): Step {
  return (turn, next) => (predicate(turn) ? yes(turn, next) : no(turn, next));
}
