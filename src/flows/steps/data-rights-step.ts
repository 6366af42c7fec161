/**
 * Step 3: a citizen's data rights, in every bot state: "xem thông tin của tôi" shows what
 * is kept, "xóa thông tin của tôi" erases it after one confirmation, "rút lại đồng ý"
 * withdraws consent and stops any intake, and a case code ("CTXH-2026-000123 tới đâu
 * rồi") tells its status to its own citizen or to whoever gives the phone on file.
 *
 * Put it after the handoff gate and before the intake, so that these words are never
 * read as an intake answer.
 */
import type { Effect, Step } from '../chain.js';
import { ERASE_NO, ERASE_YES, caseCodeIn, dataRightsCommand, eraseConfirmReply, eraseKeptReply } from '../data-rights.js';
import { normalisePhone, parseYesNo } from '../intake/answers.js';

const same = (a: string, b: string) => a.trim().toLowerCase() === b.toLowerCase();

export const dataRightsStep: Step = async (turn, next) => {
  const { memory, text } = turn;
  if (!text) return next();

  if (memory.pendingErase) {
    const answer = same(text, ERASE_YES) ? 'yes' : same(text, ERASE_NO) ? 'no' : parseYesNo(text);
    if (answer === 'yes') return [{ type: 'remember', patch: { pendingErase: false, intake: undefined } }, { type: 'erase-my-data' }];
    if (answer === 'no') return [{ type: 'remember', patch: { pendingErase: false } }, { type: 'reply', reply: eraseKeptReply() }];
    // Something else: the question lapses and the message is read as usual.
    return [{ type: 'remember', patch: { pendingErase: false } }, ...(await next())];
  }

  if (memory.caseLookup) {
    const phone = normalisePhone(text);
    const { code, tries } = memory.caseLookup;
    if (phone.ok) return [{ type: 'remember', patch: { caseLookup: undefined } }, { type: 'case-status', code, phone: phone.e164, tries }];
    return [{ type: 'remember', patch: { caseLookup: undefined } }, ...(await next())];
  }

  const command = dataRightsCommand(text);
  const effects: Effect[] = [];
  switch (command) {
    case 'show':
      return [{ type: 'show-my-data' }];
    case 'erase':
      return [{ type: 'remember', patch: { pendingErase: true } }, { type: 'reply', reply: eraseConfirmReply() }];
    case 'withdraw':
      // An intake in progress stops at once; what it had gathered is dropped.
      return [{ type: 'remember', patch: { intake: undefined } }, { type: 'withdraw-consent' }];
  }
  const code = caseCodeIn(text);
  if (code) effects.push({ type: 'case-status', code, phone: null, tries: 0 });
  return effects.length > 0 ? effects : next();
};
