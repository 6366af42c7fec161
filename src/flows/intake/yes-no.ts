/**
 * Yes or no, the many ways Vietnamese people say them ("ừ", "dạ không", "không đồng ý").
 */
import { foldDiacritics } from '../../kb/normalize.js';
import { answerText } from './answer-text.js';


/** Spellings of the same answer word, folded: teencode, regional forms, telex left on. */
const YES_NO_VARIANTS: Record<string, string> = {
  ko: 'khong', k: 'khong', kh: 'khong', khg: 'khong', kg: 'khong', hk: 'khong', khog: 'khong', khon: 'khong',
  hong: 'khong', hok: 'khong', hem: 'khong', khum: 'khong', hum: 'khong', k0: 'khong',
  cos: 'co', coa: 'co', coo: 'co',
  dc: 'duoc',
  uh: 'u', uhm: 'u', um: 'u', uk: 'u', ukm: 'u', ua: 'u', uhuh: 'u', o: 'u', oh: 'u',
  oke: 'ok', okie: 'ok', oki: 'ok', okay: 'ok', okey: 'ok', okela: 'ok', oce: 'ok', okk: 'ok',
  yep: 'yes', yeah: 'yes', ye: 'yes',
  vg: 'vang', vag: 'vang', nope: 'no',
};

/** Opening words that are not the answer: pronouns, "thưa", "hoàn toàn" (as in "hoàn toàn đồng ý"). */
const OPENERS = new Set(['em', 'e', 'toi', 'tui', 't', 'minh', 'con', 'chau', 'tao', 'thua', 'hoan', 'toan', 'thi', 'a', 'cung', 'la']);
/** Acknowledgements: yes on their own, but "dạ không" and "vâng, không có" are no. */
const SOFT_YES = new Set(['da', 'vang', 'u', 'roi', 'thoi']);
/** Ending particles: "có ạ", "được nha", "đúng rồi", "có chứ". */
const PARTICLES = new Set(['a', 'nha', 'nhe', 'nhen', 'ne', 'nhi', 'day', 'luon', 'chu', 'roi', 'vay', 'the', 'ma', 'lam', 'ok']);
/** Answers that are neither: "không biết", "chưa chắc", "có lẽ", "không sao". */
const HEDGES = [
  'khong biet', 'khong bit', 'khong bt', 'chua biet', 'khong ro', 'chua ro', 'khong chac', 'chua chac', 'co le',
  'khong nho', 'khong hieu', 'chua hieu', 'de xem', 'suy nghi', 'khong sao', 'phan van', 'tuy', 'chac vay', 'co the',
  'hoi lai', 'la sao', 'nghia la', 'gi vay', 'hay khong', 'hoac khong', 'chac khong',
];
/** Words that end a question put back to the bot: "đúng không?", "có được không". */
const QUESTION_ENDS = new Set(['khong', 'chua', 'ha', 'sao']);

const YES_FIRST = new Set(['co', 'ok', 'dung', 'phai', 'duoc', 'yes', 'chuan', 'chinh', 'dong', 'chap', 'tat', 'nhat', 'chac']);
const NO_FIRST = new Set(['khong', 'chua', 'sai', 'no', 'khoi', 'chang']);
/** Yes words that need their second syllable: "đồng ý", "chấp nhận", "chính xác", "tất nhiên", "nhất trí", "chắc chắn". */
const YES_PAIRS: Record<string, string> = { dong: 'y', chap: 'nhan', chinh: 'xac', tat: 'nhien', nhat: 'tri', chac: 'chan' };

/** A folded word in its canonical spelling: stretched letters and telex doubles undone. */
function canonical(word: string): string {
  const known = (w: string) => YES_NO_VARIANTS[w] ?? w;
  const once = word.replace(/(.)\1{2,}/g, '$1');
  if (YES_NO_VARIANTS[once] || YES_FIRST.has(once) || NO_FIRST.has(once) || SOFT_YES.has(once)) return known(once);
  const doubles = once.replace(/(.)\1+/g, '$1');
  if (YES_NO_VARIANTS[doubles] || YES_FIRST.has(doubles) || NO_FIRST.has(doubles)) return known(doubles);
  return known(once);
}

const YES_EMOJI = /[👍👌✅🆗]|✔/u;
const NO_EMOJI = /[👎❌🚫✖]/u;

/**
 * A yes or no answer in Vietnamese chat, or null for anything else (a hedge, a question
 * back, another subject).
 *
 * Reads "có", "co", "ừ", "uh", "ok", "vâng", "dạ", "đồng ý", "dong y", "đúng rồi",
 * "được", "dc" as yes and "không", "ko", "k", "hông", "hong", "chưa", "sai",
 * "không đồng ý", "không phải", "dạ không ạ" as no. The first answer word decides, after
 * pronouns and politeness ("em", "dạ", "thưa"), so "không đồng ý" is no and "đồng ý" is
 * yes; "dạ"/"vâng"/"ừ" alone are yes but only acknowledge what follows ("vâng, không có"
 * is no). "không biết", "có lẽ", "không sao" and questions back ("đúng không?") are null,
 * because guessing there would put words in the citizen's mouth.
 *
 * @example parseYesNo('dạ có ạ')        // 'yes'
 * @example parseYesNo('ko dong y')      // 'no'
 * @example parseYesNo('ko biet nua')    // null
 */
export function parseYesNo(text: string): 'yes' | 'no' | null {
  const t = answerText(text);
  const folded = foldDiacritics(t).replace(/\bo\s?ke\b/g, 'ok');
  const words = (folded.match(/[a-z0-9]+/g) ?? []).map(canonical);
  if (words.length === 0) {
    if (NO_EMOJI.test(t)) return 'no';
    return YES_EMOJI.test(t) ? 'yes' : null;
  }
  // "y" alone is yes (English); "ý tôi là…" (what I mean is…) is not.
  if (words.length === 1 && words[0] === 'y') return 'yes';

  let i = 0;
  let soft = false;
  while (i < words.length && (OPENERS.has(words[i]!) || SOFT_YES.has(words[i]!))) {
    if (SOFT_YES.has(words[i]!)) soft = true;
    i++;
  }
  const rest = words.slice(i);
  const first = rest[0];
  if (first === undefined) return soft ? (words.includes('thoi') ? 'no' : 'yes') : null;

  // Only the first clause answers: "có, nhưng ít thôi" is a yes; "ừ, chắc vậy" is a hedge.
  const clause = firstClause(folded, i);
  if (HEDGES.some((h) => ` ${clause.join(' ')} `.includes(` ${h} `))) return null;
  while (clause.length > 1 && PARTICLES.has(clause[clause.length - 1]!)) clause.pop();
  // A question back ("đúng không", "có được không"): not an answer yet.
  if (!NO_FIRST.has(first) && clause.length > 1 && QUESTION_ENDS.has(clause[clause.length - 1]!)) return null;

  if (NO_FIRST.has(first)) return 'no';
  if (first === 'dau' && (rest[1] === 'co' || rest[1] === 'phai')) return 'no';
  if (YES_FIRST.has(first)) {
    const second = YES_PAIRS[first];
    if (second === undefined || rest[1] === second) return 'yes';
    return null;
  }
  // "ừ thì", "rồi đó": an acknowledgement followed by something that is not an answer.
  return soft && rest.length <= 2 && rest.every((w) => PARTICLES.has(w)) ? 'yes' : null;
}

/** Canonical words of the first clause of folded `text`, from word index `skip` of the whole text on. */
function firstClause(folded: string, skip: number): string[] {
  const words: { w: string; clause: number }[] = [];
  folded
    .split(/[,;!?\n]|\.(?!\d)/)
    .forEach((c, n) => (c.match(/[a-z0-9]+/g) ?? []).forEach((w) => words.push({ w: canonical(w), clause: n })));
  const start = words[skip];
  if (!start) return [];
  return words.filter((x, k) => k >= skip && x.clause === start.clause).map((x) => x.w);
}
