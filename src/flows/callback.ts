/**
 * "Để lại số gọi lại": a citizen waiting in the queue may leave a phone number instead of
 * waiting in the chat. Two questions, as a pure machine like the intake's: the call-back
 * consent (what the number is for, who sees it, that it can be erased), then the number
 * (any common Vietnamese format; three tries). The number becomes a small case attached
 * to the citizen's ticket, so a counsellor sees it and the data rights cover it.
 *
 * @example
 * startCallback()                          // { state: { step: 'consent', failures: 0 }, replies: [consent question] }
 * advanceCallback(state, 'đồng ý')         // → asks for the number, records the consent
 * advanceCallback(state, '0912 345 678')   // → { state: null, effects: [{ type: 'leave', phone: '+84912345678', display }] }
 */
import { foldedPhrase } from '../kb/normalize.js';
import { normalisePhone, parseYesNo } from './intake/answers.js';
import { phoneQuestion, phoneRetry } from './intake/questions.js';
import type { Reply } from './replies.js';

/** The quick reply under the queue message; the step also understands it typed freely. */
export const CHOICE_CALLBACK = 'Để lại số gọi lại';
const AGREE = 'Đồng ý';
const DECLINE = 'Không, tôi chờ';

export interface CallbackState {
  step: 'consent' | 'phone';
  failures: number;
}

export type CallbackEffect =
  | { type: 'consent'; decision: 'granted' | 'declined' }
  | { type: 'leave'; phone: string; display: string }
  /** The citizen's answer was a phone number: not kept beyond the turn. */
  | { type: 'forget-answer' };

export interface CallbackOutcome {
  state: CallbackState | null;
  replies: Reply[];
  effects: CallbackEffect[];
}

const MAX_TRIES = 3;

const ASKING = new Set(
  [CHOICE_CALLBACK, 'gọi lại cho tôi', 'gọi lại giúp tôi', 'gọi lại cho em', 'gọi lại cho cháu', 'để lại số', 'để lại số điện thoại', 'xin gọi lại', 'gọi điện cho tôi', 'gọi cho tôi'].map(foldedPhrase),
);

/** Does this text ask to be called back instead of waiting? */
export const asksForCallback = (text: string): boolean => ASKING.has(foldedPhrase(text));

export function startCallback(): CallbackOutcome {
  return {
    state: { step: 'consent', failures: 0 },
    replies: [
      {
        text:
          'Bạn để lại số điện thoại, cán bộ của trung tâm sẽ gọi lại cho bạn. Số này chỉ dùng để gọi lại về việc của bạn, ' +
          'chỉ cán bộ phụ trách xem được, và bạn nhắn "xóa thông tin của tôi" bất cứ lúc nào để xóa. Bạn đồng ý không?',
        choices: [AGREE, DECLINE],
      },
    ],
    effects: [],
  };
}

const keepWaiting: Reply = { text: 'Không sao ạ. Bạn cứ chờ ở đây, tư vấn viên sẽ nhắn bạn sớm nhất có thể.', choices: [] };

export function advanceCallback(state: CallbackState, text: string): CallbackOutcome {
  if (state.step === 'consent') {
    const folded = foldedPhrase(text);
    const answer = folded === foldedPhrase(AGREE) ? 'yes' : folded === foldedPhrase(DECLINE) ? 'no' : parseYesNo(text);
    if (answer === 'yes') return { state: { step: 'phone', failures: 0 }, replies: [phoneQuestion()], effects: [{ type: 'consent', decision: 'granted' }] };
    if (answer === 'no') return { state: null, replies: [keepWaiting], effects: [{ type: 'consent', decision: 'declined' }] };
    return { state: null, replies: [], effects: [] };
  }
  const phone = normalisePhone(text);
  if (phone.ok) {
    return {
      state: null,
      replies: [{ text: `Cảm ơn bạn. Cán bộ sẽ gọi lại số ${phone.display} sớm nhất có thể. Trong lúc chờ, bạn vẫn nhắn ở đây được.`, choices: [] }],
      effects: [{ type: 'leave', phone: phone.e164, display: phone.display }, { type: 'forget-answer' }],
    };
  }
  if (state.failures + 1 >= MAX_TRIES) return { state: null, replies: [keepWaiting], effects: [{ type: 'forget-answer' }] };
  return { state: { step: 'phone', failures: state.failures + 1 }, replies: [phoneRetry(phone.reason, phone.suggestion?.display)], effects: [{ type: 'forget-answer' }] };
}
