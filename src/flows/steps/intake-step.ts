/**
 * Step 4: the guided intake (phiếu tiếp nhận). Starts when the citizen asks to be taken
 * on ("đăng ký hỗ trợ", the "Điền phiếu tiếp nhận" button, CHOICE_INTAKE), then reads every message as
 * the answer to the question asked (src/flows/intake/machine.ts), until the summary is
 * sent, the citizen cancels, or the intake lapses after `resumeDays`.
 *
 * An answer that fits no option but is a question the knowledge base answers is a
 * digression: the answer, then the same question again, with no failure counted. Every
 * message the intake reads is forgotten after the turn (its content lives on only in
 * the intake's fields, under consent).
 *
 * Put it after triage and data rights and before the FAQ.
 */
import { foldedPhrase } from '../../kb/normalize.js';
import type { CentreInfo } from '../../server/config.js';
import { HANDOFF_PRIORITY } from '../../store/types.js';
import type { AnswerPipeline } from '../answer.js';
import type { Effect, Step } from '../chain.js';
import { advanceIntake, startIntake, type IntakeConfig, type IntakeOutcome, type IntakeState } from '../intake/machine.js';
import { promptFor } from '../intake/prompts.js';
import { welcomeBack } from '../intake/questions.js';
import { counsellorRequestedReply, type Reply } from '../replies.js';


export interface IntakeStepOptions {
  config: IntakeConfig;
  pipeline: AnswerPipeline;
  centre: CentreInfo;
  /** An unfinished intake older than this is dropped (INTAKE_RESUME_DAYS). */
  resumeDays: number;
}

const TRIGGERS = new Set(
  [
    'dien phieu tiep nhan', 'dien phieu', 'lam phieu', 'lam phieu tiep nhan', 'phieu tiep nhan', 'dang ky ho tro', 'dang ki ho tro',
    'dang ky tiep nhan', 'gui yeu cau ho tro', 'yeu cau ho tro', 'can ho tro', 'can giup do', 'can duoc giup', 'can duoc ho tro',
    'xin ho tro', 'xin giup do', 'muon duoc ho tro', 'muon duoc giup', 'muon dang ky ho tro', 'nho ho tro', 'can tro giup',
  ],
);
const FILLERS = new Set(['toi', 'tui', 'em', 'minh', 'con', 'chau', 'a', 'voi', 'nhe', 'nha', 'giup', 'cho', 'oi', 'di', 'ad', 'admin', 'trung', 'tam', 'xin', 'muon']);

/** Whether the message asks to be taken on (the whole message, give or take polite words). */
export function wantsIntake(text: string): boolean {
  const words = foldedPhrase(text).split(' ').filter(Boolean);
  if (words.length === 0 || words.length > 9) return false;
  const whole = words.join(' ');
  if (TRIGGERS.has(whole)) return true;
  const core = words.filter((w) => !FILLERS.has(w)).join(' ');
  return TRIGGERS.has(core) || [...TRIGGERS].some((t) => core === t.replace(/^(xin|muon) /, ''));
}

const HOURS_FOR_WELCOME_BACK = 6;

export function intakeStep(options: IntakeStepOptions): Step {
  const { config, pipeline, centre, resumeDays } = options;
  return async (turn, next) => {
    if (!turn.text) return next();
    let state: IntakeState | undefined = turn.memory.intake;
    const age = state ? turn.now.getTime() - Date.parse(state.updatedAt) : 0;
    const lapsed: Effect[] = [];
    if (state && age > resumeDays * 86_400_000) {
      state = undefined;
      lapsed.push({ type: 'remember', patch: { intake: undefined } });
    }
    if (!state) {
      if (!wantsIntake(turn.text)) return [...lapsed, ...(await next())];
      const started = startIntake({ now: turn.now }, config);
      const state = { ...started.state!, startPosition: turn.position };
      return [{ type: 'remember', patch: { intake: state } }, ...started.replies.map((reply) => ({ type: 'reply', reply }) as const)];
    }

    // "Điền phiếu tiếp nhận" again while one is open: carry on where it stands.
    if (wantsIntake(turn.text)) return [{ type: 'reply', reply: promptFor(state, config) }];
    const outcome = advanceIntake(state, { text: turn.text, now: turn.now }, config);
    if (outcome.invalid && state.step !== 'description') {
      const faq = await pipeline.answer(turn.text);
      if (faq.kind === 'answer') {
        // A question mid-intake: answered, then the same question again; nothing counted.
        return [
          { type: 'reply', reply: faq.reply },
          { type: 'faq', kind: faq.kind, topic: faq.topic, entryId: faq.entryId, confidence: faq.confidence, referral: faq.referral ?? null },
          { type: 'reply', reply: promptFor(state, config) },
        ];
      }
    }
    const replies = outcome.replies.slice();
    if (age > HOURS_FOR_WELCOME_BACK * 3_600_000 && replies[0]) replies[0] = { ...replies[0], text: `${welcomeBack()}\n${replies[0].text}` };
    // Dropped answers go with everything the bot said back about them ("Mình ghi là: …").
    const dropped: Effect[] = outcome.effects.some((e) => e.type === 'discard') ? [{ type: 'forget-messages-since', fromPosition: state.startPosition ?? turn.position }] : [];
    return [...effectsOf(outcome, centre), ...replies.map((reply: Reply) => ({ type: 'reply', reply }) as const), { type: 'forget-message' }, ...dropped];
  };
}

/** The machine's effects as the turn's: consent records, the case, a counsellor request. */
function effectsOf(outcome: IntakeOutcome, centre: CentreInfo): Effect[] {
  const effects: Effect[] = [{ type: 'remember', patch: { intake: outcome.state ?? undefined } }];
  for (const e of outcome.effects) {
    switch (e.type) {
      case 'consent':
        effects.push({ type: 'record-consent', purpose: e.purpose, decision: e.decision, version: e.version });
        break;
      case 'submit':
        effects.push({ type: 'create-case', answers: e.answers });
        break;
      case 'counsellor':
        effects.push(
          { type: 'request-handoff', priority: HANDOFF_PRIORITY.normal, reason: 'citizen-asked', riskCategory: null },
          { type: 'reply', reply: counsellorRequestedReply(centre) },
        );
        break;
      case 'discard':
        effects.push({ type: 'audit', action: 'intake.discarded' });
        break;
    }
  }
  return effects;
}
