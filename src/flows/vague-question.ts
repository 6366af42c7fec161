import { normalizeSyllables } from '../kb/normalize.js';

/**
 * Words that only say "I am asking": who asks, politeness, "about". Folded syllables.
 */
const ASKING = new Set(
  'cho hoi xin muon can biet ve vu viec chuyen cai toi tui em anh chi con chau minh ban ad admin oi a ha nhe nha voi giup gium dum lam on thong tin duoc khong ko hong'.split(' '),
);

/**
 * Words that name help in general, every topic's: "trợ cấp", "hỗ trợ", "chế độ",
 * "chính sách", "tiền", "quyền lợi", "xã hội". Folded syllables ("hội" folds to "hoi",
 * already read as asking).
 */
const UMBRELLA = new Set('tro cap ho che do chinh sach tien quyen loi xa nha nuoc'.split(' '));

/** "giúp", "giùm", "dùm": a request for help, folded. */
const HELP_VERBS = new Set(['giup', 'gium', 'dum']);

/**
 * Whether a question names help in general and nothing else ("trợ cấp", "cho hỏi về tiền
 * hỗ trợ", "chế độ"): every topic of the knowledge fits it, so answering from the one that
 * happens to rank first guesses, and declining is unhelpful. The FAQ asks which help is
 * meant instead (src/flows/answer.ts).
 *
 * @example isUmbrellaQuestion('hỏi về tiền hỗ trợ') // true
 * @example isUmbrellaQuestion('tôi cần giúp') // true
 * @example isUmbrellaQuestion('trợ cấp người khuyết tật') // false: it says which
 */
export function isUmbrellaQuestion(question: string): boolean {
  const syllables = normalizeSyllables(question);
  const content = syllables.filter((s) => !ASKING.has(s));
  // "tôi cần giúp", "giúp em với": asking for help, not yet saying which.
  if (content.length === 0) return syllables.some((s) => HELP_VERBS.has(s));
  return content.every((s) => UMBRELLA.has(s));
}
