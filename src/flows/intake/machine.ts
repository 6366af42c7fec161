/**
 * The guided intake (phiếu tiếp nhận) as a pure state machine: (state, answer) → (next
 * state, replies, effects). No I/O, no clock of its own: every step is tested without a
 * store or a channel, and the same state can be resumed days later on another instance.
 *
 * Order: consent → who → group → [age → guardian] → need → place → [commune | pick] →
 * confirm place → call back? → [phone] → description → summary → submit.
 *
 * At any question the citizen may type "hủy" (nothing kept), "quay lại" (one step back)
 * or ask for a counsellor; an answer that fits no option is re-asked kindly with an
 * example, and after three in a row the bot offers a counsellor instead of a fourth
 * prompt. The summary lets one field be corrected without starting again.
 *
 * Nothing personal is asked before consent; a child's data also needs a parent's or
 * guardian's agreement (age limit from configuration), and a child who has none is never
 * blocked from a counsellor or from 111.
 *
 * @example
 * let { state, replies } = startIntake({ now, notice, childAgeLimit: 16 });
 * ({ state, replies } = advanceIntake(state!, { text: 'dong y', now }, config));
 */
import { foldedPhrase } from '../../kb/normalize.js';
import type { Reply } from '../replies.js';
import { matchChoice, normalisePhone, parseAge, parseYesNo, type Choice } from './answers.js';
import { shippedAdminUnits, type AdminUnits } from './admin-units.js';
import { resolveCommune, resolvePlace } from './places.js';
import { communeName, promptFor, summary } from './prompts.js';
import * as q from './questions.js';

export type IntakeStepId =
  | 'consent'
  | 'who'
  | 'group'
  | 'age'
  | 'guardian'
  | 'need'
  | 'place'
  | 'commune'
  | 'pick-province'
  | 'pick-commune'
  | 'confirm-place'
  | 'callback'
  | 'phone'
  | 'description'
  | 'summary'
  | 'edit'
  | 'offer-counsellor';

export type ConsentPurpose = 'intake' | 'callback' | 'guardian';
export type Decision = 'granted' | 'declined';

export interface IntakeAnswers {
  who?: q.Who;
  group?: q.Group;
  need?: q.Need;
  provinceCode?: string;
  communeCode?: string;
  /** Null: the citizen does not know or skipped. */
  age?: number | null;
  /** E.164; only under the call-back consent. */
  phone?: string | null;
  description?: string | null;
}

/** Where the intake stands; JSON-safe, kept in the conversation state between turns. */
export interface IntakeState {
  version: 1;
  step: IntakeStepId;
  answers: IntakeAnswers;
  consent: Partial<Record<ConsentPurpose, Decision>>;
  /** Place being resolved: the province found, and the codes offered to pick from. */
  place?: { provinceCode?: string; oldName?: string; candidates?: string[] };
  /** Invalid answers in a row at this step. */
  failures: number;
  /** Steps asked before, for "quay lại". */
  back: IntakeStepId[];
  /** Answering a correction from the summary: go back to the summary after it. */
  editing: boolean;
  /** Step to return to from the counsellor offer. */
  resume?: IntakeStepId;
  /** Position of the message that started the intake: what the bot echoed since is forgotten on cancel. */
  startPosition?: number;
  updatedAt: string;
}

export interface IntakeConfig {
  notice: q.ConsentNotice;
  /** Under this age the person's data also needs a parent's or guardian's agreement. */
  childAgeLimit: number;
  hotline?: string;
  units?: AdminUnits;
}

export interface IntakeInput {
  text: string;
  now: Date;
}

/** What the bot must do beyond replying; carried out by the turn's effects. */
export type IntakeEffect =
  | { type: 'consent'; purpose: ConsentPurpose; decision: Decision; version: string }
  /** The summary was confirmed: make the case (code told in the reply the executor adds). */
  | { type: 'submit'; answers: IntakeAnswers; consent: IntakeState['consent'] }
  /** The citizen wants a person. */
  | { type: 'counsellor' }
  /** Personal data the intake gathered is dropped (cancel, decline, no guardian). */
  | { type: 'discard' };

export interface IntakeOutcome {
  /** Null when the intake ended (submitted, cancelled, declined). */
  state: IntakeState | null;
  replies: Reply[];
  effects: IntakeEffect[];
  /** The answer fitted nothing: the caller may treat it as a question and answer it instead. */
  invalid?: boolean;
}

/** Invalid answers in a row before the counsellor is offered instead of a fourth prompt. */
export const MAX_FAILURES = 3;

const fold = foldedPhrase;
const CANCEL = /^(huy|huy phieu|huy bo|thoi khong dien nua|dung lai|khong dien nua|thoi huy)$/;
const BACK = /^(quay lai|tro lai|lui lai|back|quay lai buoc truoc)$/;
const COUNSELLOR = /^(gap tu van vien|gap can bo|noi chuyen voi nguoi|gap nguoi that|tu van vien)$/;

/** Starts an intake: the consent question comes before anything personal. */
export function startIntake(input: { now: Date }, config: IntakeConfig): IntakeOutcome {
  const state: IntakeState = { version: 1, step: 'consent', answers: {}, consent: {}, failures: 0, back: [], editing: false, updatedAt: input.now.toISOString() };
  return { state, replies: [q.consentQuestion(config.notice)], effects: [] };
}


/** The next question to ask after `from`, skipping the ones that do not apply. */
function nextStep(from: IntakeStepId, state: IntakeState, config: IntakeConfig): IntakeStepId {
  const a = state.answers;
  // Correcting one field from the summary goes back to it, unless the new answer needs another.
  const then = (step: IntakeStepId): IntakeStepId => (state.editing ? 'summary' : step);
  switch (from) {
    case 'consent':
      return 'who';
    case 'who':
      return then('group');
    case 'group':
      return needsAge(a) && (!state.editing || a.age === undefined) ? 'age' : then('need');
    case 'age':
      return isChild(a, config) && a.who !== 'other' && state.consent.guardian !== 'granted' ? 'guardian' : then('need');
    case 'guardian':
      return then('need');
    case 'need':
      return then('place');
    case 'place':
    case 'commune':
    case 'pick-province':
    case 'pick-commune':
      return 'confirm-place';
    case 'confirm-place':
      return then('callback');
    case 'callback':
      return state.consent.callback === 'granted' && !a.phone ? 'phone' : then('description');
    case 'phone':
      return then('description');
    default:
      return 'summary';
  }
}

/** Age matters for children (guardian consent) and old people; for a victim it tells which. */
const needsAge = (a: IntakeAnswers) => a.group === 'tre-em' || a.group === 'nguoi-cao-tuoi' || a.group === 'nan-nhan';
const isChild = (a: IntakeAnswers, config: IntakeConfig) =>
  (typeof a.age === 'number' && a.age < config.childAgeLimit) || (a.group === 'tre-em' && a.age === null);

function moveTo(state: IntakeState, step: IntakeStepId, now: Date, patch: Partial<IntakeState> = {}): IntakeState {
  const back = state.step === step ? state.back : [...state.back, state.step].slice(-20);
  return { ...state, ...patch, step, failures: 0, back, updatedAt: now.toISOString() };
}

function ask(state: IntakeState, config: IntakeConfig, effects: IntakeEffect[] = [], before: Reply[] = []): IntakeOutcome {
  return { state, replies: [...before, promptFor(state, config)], effects };
}

/** An answer that fits nothing: a kind re-prompt, or after three the counsellor offer. */
function invalid(state: IntakeState, retry: Reply, now: Date): IntakeOutcome {
  const failures = state.failures + 1;
  if (failures >= MAX_FAILURES) {
    const next: IntakeState = { ...state, step: 'offer-counsellor', resume: state.step, failures: 0, updatedAt: now.toISOString() };
    return { state: next, replies: [q.offerCounsellor()], effects: [], invalid: true };
  }
  return { state: { ...state, failures, updatedAt: now.toISOString() }, replies: [retry], effects: [], invalid: true };
}

function choose<Id extends string>(text: string, choices: readonly Choice<Id>[]): Id | null {
  const m = matchChoice(text, choices);
  return typeof m === 'string' ? m : null;
}

/** Whether the text is one of the intake's own commands; used before triage-free steps. */
export function intakeCommand(text: string): 'cancel' | 'back' | 'counsellor' | null {
  const t = fold(text);
  if (CANCEL.test(t)) return 'cancel';
  if (BACK.test(t)) return 'back';
  if (COUNSELLOR.test(t)) return 'counsellor';
  return null;
}

/** One answer from the citizen. */
export function advanceIntake(state: IntakeState, input: IntakeInput, config: IntakeConfig): IntakeOutcome {
  const { text, now } = input;
  const units = config.units ?? shippedAdminUnits();
  const command = intakeCommand(text);
  if (command === 'cancel') return { state: null, replies: [q.cancelled()], effects: [{ type: 'discard' }] };
  if (command === 'counsellor') {
    // The intake waits where it was; the counsellor sees the case so far once it is sent.
    return { state: { ...state, failures: 0, updatedAt: now.toISOString() }, replies: [], effects: [{ type: 'counsellor' }] };
  }
  if (command === 'back') {
    const back = [...state.back];
    let previous = back.pop();
    // Going back never lands on consent: withdrawing is its own command.
    while (previous === 'consent' && back.length > 0) previous = back.pop();
    if (!previous || previous === 'consent') return ask({ ...state, failures: 0 }, config);
    return ask({ ...state, step: previous, back, failures: 0, updatedAt: now.toISOString() }, config);
  }

  const a = state.answers;
  const go = (patch: Partial<IntakeState>, effects: IntakeEffect[] = []) => {
    const updated = { ...state, ...patch };
    return ask(moveTo(updated, nextStep(state.step, updated, config), now), config, effects);
  };

  switch (state.step) {
    case 'consent': {
      const c = choose(text, q.CONSENT) ?? parseYesNo(text);
      if (c === 'more') return { state: { ...state, failures: 0 }, replies: [q.consentDetails(config.notice)], effects: [] };
      const version = config.notice.version;
      if (c === 'no') {
        return { state: null, replies: [q.consentDeclined()], effects: [{ type: 'consent', purpose: 'intake', decision: 'declined', version }] };
      }
      if (c === 'yes') return go({ consent: { ...state.consent, intake: 'granted' } }, [{ type: 'consent', purpose: 'intake', decision: 'granted', version }]);
      return invalid(state, q.retry.yesNo({ text: '', choices: ['Đồng ý', 'Không đồng ý'] }), now);
    }
    case 'who': {
      const who = choose(text, q.WHO);
      return who ? go({ answers: { ...a, who } }) : invalid(state, q.retry.choice(q.whoQuestion()), now);
    }
    case 'group': {
      // "bà tôi 80 tuổi" names no group but says it: an old person (and the age is kept).
      const saidAge = /\d|tuoi|tuổi/i.test(text) ? parseAge(text, now) : null;
      const byAge = saidAge === null ? null : saidAge >= 60 ? 'nguoi-cao-tuoi' : saidAge < config.childAgeLimit ? 'tre-em' : null;
      const group = choose(text, q.GROUPS) ?? byAge;
      if (!group) return invalid(state, q.retry.choice(q.groupQuestion(a.who)), now);
      if (byAge === group && saidAge !== null) {
        const updated = { ...state, answers: { ...a, group, age: saidAge } };
        return ask(moveTo(updated, nextStep('age', updated, config), now), config);
      }
      // A group that no longer needs an age drops the one given for the old group.
      const answers = { ...a, group, ...(needsAge({ ...a, group }) ? {} : { age: undefined }) };
      return go({ answers });
    }
    case 'age': {
      const unknown = fold(text) === fold(q.UNKNOWN_AGE) || /^(khong biet|khong ro|ko ro|k ro|ko biet)$/.test(fold(text));
      const age = unknown ? null : parseAge(text, now);
      if (age === null && !unknown) return invalid(state, q.retry.age(), now);
      return go({ answers: { ...a, age } });
    }
    case 'guardian': {
      const yes = fold(text) === fold(q.GUARDIAN_YES) || parseYesNo(text) === 'yes';
      const no = fold(text) === fold(q.GUARDIAN_NO) || parseYesNo(text) === 'no' || fold(text) === 'chua';
      const version = config.notice.version;
      if (yes) return go({ consent: { ...state.consent, guardian: 'granted' } }, [{ type: 'consent', purpose: 'guardian', decision: 'granted', version }]);
      if (no) {
        return {
          state: null,
          replies: [q.guardianMissing(config.hotline)],
          effects: [{ type: 'consent', purpose: 'guardian', decision: 'declined', version }, { type: 'discard' }],
        };
      }
      return invalid(state, q.retry.yesNo(q.guardianQuestion(a.who, config.childAgeLimit)), now);
    }
    case 'need': {
      const need = choose(text, q.NEEDS);
      return need ? go({ answers: { ...a, need } }) : invalid(state, q.retry.choice(q.needQuestion()), now);
    }
    case 'place': {
      const found = resolvePlace(text, units);
      const p = found.province;
      if (p.kind === 'unknown') return invalid(state, q.retry.place(), now);
      if (p.kind === 'ambiguous') {
        const candidates = p.candidates.map((c) => c.province.code);
        return ask(moveTo(state, 'pick-province', now, { place: { candidates } }), config);
      }
      const place = { provinceCode: p.province.code, oldName: p.via === 'old-name' ? p.oldName : undefined };
      return communeStep(state, found.commune, place, now, config);
    }
    case 'pick-province': {
      const choices = (state.place?.candidates ?? []).map((code) => ({ id: code, label: units.province(code)?.name ?? code, synonyms: [units.province(code)?.short ?? code] }));
      const code = choices.length ? choose(text, choices) : null;
      if (!code) return invalid(state, q.retry.choice(promptFor(state, config)), now);
      return ask(moveTo(state, 'commune', now, { place: { provinceCode: code } }), config);
    }
    case 'commune': {
      const provinceCode = state.place?.provinceCode ?? '';
      return communeStep(state, resolveCommune(provinceCode, text, units), state.place ?? { provinceCode }, now, config, true);
    }
    case 'pick-commune': {
      const provinceCode = state.place?.provinceCode ?? '';
      const choices = (state.place?.candidates ?? []).map((code) => ({ id: code, label: communeName(units, provinceCode, code), synonyms: [] }));
      const code = choices.length ? choose(text, choices) : null;
      if (!code) return invalid(state, q.retry.choice(promptFor(state, config)), now);
      return go({ answers: { ...a, provinceCode, communeCode: code } });
    }
    case 'confirm-place': {
      const answer = fold(text) === fold(q.YES) ? 'yes' : fold(text) === fold(q.NO) ? 'no' : parseYesNo(text);
      if (answer === 'yes') return go({ place: undefined });
      if (answer === 'no') {
        const answers = { ...a, provinceCode: undefined, communeCode: undefined };
        return ask(moveTo({ ...state, answers }, 'place', now, { place: undefined }), config);
      }
      // A new place typed instead of "no": read it as the answer to the place question.
      if (resolvePlace(text, units).province.kind !== 'unknown') return advanceIntake({ ...state, step: 'place' }, input, config);
      return invalid(state, q.retry.yesNo(promptFor(state, config)), now);
    }
    case 'callback': {
      const t = fold(text);
      const yes = t === fold(q.CALL_ME) || parseYesNo(text) === 'yes' || normalisePhone(text).ok;
      const no = t === fold(q.NO_CALL) || parseYesNo(text) === 'no' || /^(khong can|ko can|k can)/.test(t);
      const version = config.notice.version;
      if (no) {
        const effects: IntakeEffect[] = [{ type: 'consent', purpose: 'callback', decision: 'declined', version }];
        return go({ consent: { ...state.consent, callback: 'declined' }, answers: { ...a, phone: null } }, effects);
      }
      if (yes) {
        const effects: IntakeEffect[] = [{ type: 'consent', purpose: 'callback', decision: 'granted', version }];
        const phone = normalisePhone(text);
        // "Có, số tui 0912…": consent and number in one answer.
        if (phone.ok) return go({ consent: { ...state.consent, callback: 'granted' }, answers: { ...a, phone: phone.e164 } }, effects);
        return go({ consent: { ...state.consent, callback: 'granted' }, answers: { ...a, phone: undefined } }, effects);
      }
      return invalid(state, q.retry.yesNo(q.callbackQuestion()), now);
    }
    case 'phone': {
      const phone = normalisePhone(text);
      if (!phone.ok) return invalid(state, q.phoneRetry(phone.reason, phone.suggestion?.display), now);
      return go({ answers: { ...a, phone: phone.e164 } });
    }
    case 'description': {
      const t = text.trim();
      if (fold(t) === fold(q.SKIP) || /^(khong|ko|k|thoi)$/.test(fold(t))) return go({ answers: { ...a, description: null } });
      if (fold(t).replace(/ /g, '').length < 3) return invalid(state, q.retry.description(), now);
      return go({ answers: { ...a, description: t.slice(0, 1000) } });
    }
    case 'summary': {
      const t = fold(text);
      if (t === fold(q.SUBMIT) || t === 'gui' || t === 'gui di' || parseYesNo(text) === 'yes') {
        return { state: null, replies: [], effects: [{ type: 'submit', answers: a, consent: state.consent }] };
      }
      const field = choose(text, q.EDITABLE);
      if (field && t !== fold(q.EDIT)) return editField(state, field, now, config);
      if (t === fold(q.EDIT) || t.startsWith('sua') || parseYesNo(text) === 'no') return ask(moveTo(state, 'edit', now), config);
      return invalid(state, q.retry.choice(summary(state, config)), now);
    }
    case 'edit': {
      const field = choose(text, q.EDITABLE);
      return field ? editField(state, field, now, config) : invalid(state, q.retry.choice(q.editQuestion()), now);
    }
    case 'offer-counsellor': {
      const t = fold(text);
      if (t === fold(q.COUNSELLOR) || parseYesNo(text) === 'yes') return { state: { ...state, step: state.resume ?? 'who', failures: 0 }, replies: [], effects: [{ type: 'counsellor' }] };
      if (t === fold(q.CONTINUE) || t.startsWith('tiep') || parseYesNo(text) === 'no') return ask({ ...state, step: state.resume ?? 'who', failures: 0, updatedAt: now.toISOString() }, config);
      return { state, replies: [q.offerCounsellor()], effects: [], invalid: true };
    }
  }
}

/** After the province: the commune found, a pick between same-named ones, or its own question. */
function communeStep(
  state: IntakeState,
  commune: ReturnType<typeof resolveCommune>,
  place: NonNullable<IntakeState['place']>,
  now: Date,
  config: IntakeConfig,
  askedForCommune = false,
): IntakeOutcome {
  const units = config.units ?? shippedAdminUnits();
  const provinceCode = place.provinceCode!;
  if (commune.kind === 'found') {
    const answers = { ...state.answers, provinceCode, communeCode: commune.commune.code };
    return ask(moveTo({ ...state, answers }, 'confirm-place', now, { place }), config);
  }
  if (commune.kind === 'ambiguous') {
    return ask(moveTo(state, 'pick-commune', now, { place: { ...place, candidates: commune.candidates.map((c) => c.code) } }), config);
  }
  if (askedForCommune) return invalid(state, q.retry.commune(units.province(provinceCode)?.name ?? ''), now);
  return ask(moveTo(state, 'commune', now, { place }), config);
}

function editField(state: IntakeState, field: q.EditableField, now: Date, config: IntakeConfig): IntakeOutcome {
  const step: IntakeStepId = field === 'phone' ? (state.consent.callback === 'granted' ? 'phone' : 'callback') : field;
  return ask(moveTo(state, step, now, { editing: true }), config);
}

