/**
 * What the intake says at each step: the question for the step it stands at, the
 * summary to confirm, a phone number as the citizen reads it. Pure functions of the
 * intake's state; src/flows/intake/machine.ts decides which step comes next.
 */
import type { Reply } from '../replies.js';
import { placeName, shippedAdminUnits, type AdminUnits } from './admin-units.js';
import type { IntakeAnswers, IntakeConfig, IntakeState } from './machine.js';
import * as q from './questions.js';

/** The question for the state's current step (asked again after a digression). */
export function promptFor(state: IntakeState, config: IntakeConfig): Reply {
  const units = config.units ?? shippedAdminUnits();
  const a = state.answers;
  switch (state.step) {
    case 'consent':
      return q.consentQuestion(config.notice);
    case 'who':
      return q.whoQuestion();
    case 'group':
      return q.groupQuestion(a.who);
    case 'age':
      return q.ageQuestion(a.who);
    case 'guardian':
      return q.guardianQuestion(a.who, config.childAgeLimit);
    case 'need':
      return q.needQuestion();
    case 'place':
      return q.placeQuestion(a.who);
    case 'commune':
      return q.communeQuestion(units.province(state.place?.provinceCode ?? '')?.name ?? '');
    case 'pick-province':
      return q.pickQuestion('province', (state.place?.candidates ?? []).map((c) => units.province(c)?.name ?? c));
    case 'pick-commune':
      return q.pickQuestion('commune', (state.place?.candidates ?? []).map((c) => communeName(units, state.place?.provinceCode, c)));
    case 'confirm-place':
      return q.placeConfirm(placeText(units, a), state.place?.oldName, units.province(a.provinceCode ?? '')?.name);
    case 'callback':
      return q.callbackQuestion();
    case 'phone':
      return q.phoneQuestion();
    case 'description':
      return q.descriptionQuestion();
    case 'summary':
      return summary(state, config);
    case 'edit':
      return q.editQuestion();
    case 'offer-counsellor':
      return q.offerCounsellor();
  }
}

export function communeName(units: AdminUnits, provinceCode: string | undefined, code: string): string {
  return units.communesOf(provinceCode ?? '').find((c) => c.code === code)?.name ?? code;
}

export function placeText(units: AdminUnits, a: IntakeAnswers): string {
  return placeName(a.provinceCode, a.communeCode, units) ?? '';
}

/** The summary to confirm: every answer, and how to correct one. */
export function summary(state: IntakeState, config: IntakeConfig): Reply {
  const units = config.units ?? shippedAdminUnits();
  const a = state.answers;
  const lines = [
    `• Ai cần giúp: ${q.labelOf(q.WHO, a.who)}`,
    `• Nhóm: ${q.labelOf(q.GROUPS, a.group)}`,
    `• Cần: ${q.labelOf(q.NEEDS, a.need)}`,
    `• Nơi ở: ${placeText(units, a)}`,
    ...(a.age !== undefined ? [`• Tuổi: ${a.age === null ? 'không rõ' : a.age}`] : []),
    `• Gọi lại: ${a.phone ? formatPhone(a.phone) : 'không'}`,
    `• Mô tả: ${a.description ?? '(không có)'}`,
  ];
  return { text: `Mình ghi lại như sau:\n${lines.join('\n')}\nĐúng thì bấm "${q.SUBMIT}", cần sửa thì bấm "${q.EDIT}".`, choices: [q.SUBMIT, q.EDIT, q.CANCEL] };
}

/** "+84912345678" → "0912 345 678"; landlines as stored. */
export function formatPhone(e164: string): string {
  const national = `0${e164.replace(/^\+84/, '')}`;
  return national.length === 10 ? `${national.slice(0, 4)} ${national.slice(4, 7)} ${national.slice(7)}` : national;
}
