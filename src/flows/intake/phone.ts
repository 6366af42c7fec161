/**
 * Phone numbers in every way Vietnamese people write them, and masking phone and ID
 * numbers in transcripts. See answers.ts for why these parsers are forgiving.
 */
import { foldDiacritics } from '../../kb/normalize.js';
import { asciiDigits, answerText } from './answer-text.js';

export type PhoneKind = 'mobile' | 'landline';

/**
 * Why an answer is not one usable phone number. Each maps to a different question back:
 * - `empty`, `no_digits`: nothing that looks like a number ("hong nho", "ko co");
 * - `too_short`, `too_long`: a digit missing or one too many;
 * - `old_mobile`: an 11-digit 01xx mobile number from before the 2018 change
 *   (`suggestion` holds the number it became, to be confirmed, never assumed);
 * - `old_landline`: a Hà Nội landline with the pre-2017 area code 04 (`suggestion`: 024…);
 * - `unknown_prefix`: the right length but no Vietnamese number starts this way;
 * - `not_vietnamese`: an international number for another country;
 * - `looks_like_id`: twelve digits starting with 0, a citizen ID (CCCD) rather than a phone;
 * - `several_numbers`: two different numbers in one answer: ask for one.
 */
export type PhoneRejection =
  | 'empty'
  | 'no_digits'
  | 'too_short'
  | 'too_long'
  | 'old_mobile'
  | 'old_landline'
  | 'unknown_prefix'
  | 'not_vietnamese'
  | 'looks_like_id'
  | 'several_numbers';

export interface PhoneNumber {
  /** E.164, e.g. "+84912345678": what is stored and dialled. */
  e164: string;
  /** How it is read back to the citizen, e.g. "0912 345 678", "024 3825 1234". */
  display: string;
  kind: PhoneKind;
}

export type PhoneAnswer =
  | ({ ok: true } & PhoneNumber)
  | { ok: false; reason: PhoneRejection; suggestion?: PhoneNumber };

/**
 * 11-digit mobile prefixes retired in 2018 and the 10-digit prefixes they became
 * (the seven digits after the prefix did not change).
 */
const OLD_MOBILE_PREFIXES: Record<string, string> = {
  // MobiFone
  '0120': '070', '0121': '079', '0122': '077', '0126': '076', '0128': '078',
  // VinaPhone
  '0123': '083', '0124': '084', '0125': '085', '0127': '081', '0129': '082',
  // Viettel
  '0162': '032', '0163': '033', '0164': '034', '0165': '035', '0166': '036', '0167': '037', '0168': '038', '0169': '039',
  // Vietnamobile, Gmobile
  '0186': '056', '0188': '058', '0199': '059',
};

/**
 * One run of a number as written: digits with spaces, dots, dashes or brackets between
 * them, optionally after "+" or "(+84)". A line break or any other character ends it,
 * so "0912345678 / 0987654321" or "0912345678 hoặc 0987654321" are two runs.
 */
const NUMBER_RUN = /(?:\([ \t]{0,2}\+?[ \t]{0,2}\d{1,4}[ \t]{0,2}\)|\+)?[ \t]{0,2}\d(?:[ \t\u00a0.\-–—()]{0,3}\d)*/g;

interface DigitGroup {
  digits: string;
  /** Offsets of the digits in the run. */
  start: number;
  end: number;
}

interface NumberRun {
  groups: DigitGroup[];
  /** Written with a leading "+": an international number. */
  international: boolean;
}

function toRun(text: string): NumberRun {
  const groups = [...text.matchAll(/\d+/g)].map((m) => ({ digits: m[0], start: m.index, end: m.index + m[0].length }));
  const first = groups[0]?.start ?? 0;
  return { groups, international: text.slice(0, first).includes('+') };
}

type Reading =
  | { type: 'valid'; national: string; kind: PhoneKind }
  | { type: 'old_mobile' | 'old_landline'; national: string; suggestion?: string };

/**
 * The national form (leading 0) of a digit string, or null. "84…", "0084…" and "+84…"
 * lose the country code (and a stray 0 after it, as in "+84 0912…"). With `lenient`,
 * nine digits starting 3, 5, 7, 8 or 9 are a mobile number written without its 0, as on
 * forms that print "+84" in front of the box.
 */
function nationalForm(digits: string, international: boolean, lenient: boolean): string | null {
  let d = digits;
  let intl = international;
  if (d.startsWith('0084')) {
    d = d.slice(2);
    intl = true;
  }
  if (intl || (d.startsWith('84') && d.length >= 11)) {
    if (!d.startsWith('84')) return null;
    return `0${d.slice(2).replace(/^0/, '')}`;
  }
  if (d.startsWith('0')) return d;
  if (lenient && /^[35789]\d{8}$/.test(d)) return `0${d}`;
  return null;
}

/** What a digit string is, if it is any phone number we know, current or retired. */
function readDigits(digits: string, international: boolean, lenient: boolean): Reading | null {
  const n = nationalForm(digits, international, lenient);
  if (!n) return null;
  // Mobile since 15/9/2018: 03x, 05x, 07x, 08x, 09x and ten digits.
  if (/^0[35789]\d{8}$/.test(n)) return { type: 'valid', national: n, kind: 'mobile' };
  // Landline since 2017: area code 02x (Hà Nội 024, TP HCM 028) or 02xx, eleven digits.
  if (/^02\d{9}$/.test(n)) return { type: 'valid', national: n, kind: 'landline' };
  if (/^01\d{9}$/.test(n)) {
    const now = OLD_MOBILE_PREFIXES[n.slice(0, 4)];
    return { type: 'old_mobile', national: n, ...(now ? { suggestion: now + n.slice(4) } : {}) };
  }
  if (/^04\d{8}$/.test(n)) return { type: 'old_landline', national: n, suggestion: `024${n.slice(2)}` };
  return null;
}

interface Segment {
  from: number;
  to: number;
  reading?: Reading;
}

/**
 * Splits a run into the numbers it holds and the digits around them. From each group,
 * the longest stretch of groups that reads as a number is taken; a group that starts
 * none is left over. So "80 0912 345 678" is 80 and a number, and
 * "0912 345 678 - 0987 654 321" is two numbers.
 */
function segmentRun(run: NumberRun, lenient: boolean): { numbers: Segment[]; leftovers: Segment[] } {
  const { groups } = run;
  const numbers: Segment[] = [];
  const leftovers: Segment[] = [];
  let leftStart = -1;
  let i = 0;
  while (i < groups.length) {
    let best: Segment | undefined;
    let digits = '';
    for (let j = i; j < groups.length; j++) {
      digits += groups[j]!.digits;
      if (digits.length > 15) break;
      // Nine digits without the 0 only when they are the whole run: never a piece of a longer one.
      const whole = i === 0 && j === groups.length - 1;
      const reading = readDigits(digits, i === 0 && run.international, lenient && whole);
      if (reading) best = { from: i, to: j, reading };
    }
    if (best) {
      if (leftStart >= 0) leftovers.push({ from: leftStart, to: i - 1 });
      leftStart = -1;
      numbers.push(best);
      i = best.to + 1;
    } else {
      if (leftStart < 0) leftStart = i;
      i++;
    }
  }
  if (leftStart >= 0) leftovers.push({ from: leftStart, to: groups.length - 1 });
  return { numbers, leftovers };
}

const digitsOf = (run: NumberRun, s: Segment): string =>
  run.groups
    .slice(s.from, s.to + 1)
    .map((g) => g.digits)
    .join('');

/** A left-over stretch this long is someone's number (or ID), not an age or a house number. */
const NUMBER_LIKE_DIGITS = 9;

/** Why digits that read as no number are not one; `groups` are the lengths of the digit groups as written. */
function rejectionFor(digits: string, international: boolean, groups: readonly number[]): PhoneRejection {
  let d = digits;
  let intl = international;
  if (d.startsWith('0084')) {
    d = d.slice(2);
    intl = true;
  }
  if (intl && !d.startsWith('84')) return 'not_vietnamese';
  // Twelve digits from 0 in one block or in even groups (3-3-3-3, 4-4-4): a citizen ID (CCCD).
  if (!intl && /^0\d{11}$/.test(d) && groups.every((g) => g === groups[0])) return 'looks_like_id';
  if (intl || (d.startsWith('84') && d.length >= 11)) d = `0${d.slice(2).replace(/^0/, '')}`;
  if (!d.startsWith('0')) return d.length <= 9 ? 'too_short' : 'unknown_prefix';
  const expected = d[1] === '2' || d[1] === '1' ? 11 : 10;
  if (d.length < expected) return 'too_short';
  if (d.length > expected) return 'too_long';
  return 'unknown_prefix';
}

function formatNational(n: string, kind: PhoneKind): string {
  if (kind === 'mobile') return `${n.slice(0, 4)} ${n.slice(4, 7)} ${n.slice(7)}`;
  // Hà Nội and TP HCM have three-digit area codes and eight-digit numbers; the rest 02xx + 7.
  if (/^02[48]/.test(n)) return `${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}`;
  return `${n.slice(0, 4)} ${n.slice(4, 8)} ${n.slice(8)}`;
}

function phoneNumber(national: string): PhoneNumber {
  const kind: PhoneKind = national.startsWith('02') ? 'landline' : 'mobile';
  return { e164: `+84${national.slice(1)}`, display: formatNational(national, kind), kind };
}

/**
 * Reads a Vietnamese phone number out of a chat answer.
 *
 * Accepts every way people write one: "0912345678", "0912.345.678", "0912-345-678",
 * "0912 345 678", "09 12 34 56 78", "+84 912 345 678", "84912345678", "(+84)912345678",
 * "0084…", with words around it. Mobile numbers are the post-2018 ten-digit ones
 * (03x 05x 07x 08x 09x); landlines are eleven digits with a 02x area code. Other digits
 * in the answer (an age, a house number) are ignored, but two different numbers are a
 * rejection, because the bot cannot know which one to call.
 *
 * Why an old 01xx number is rejected rather than converted: it no longer rings, and the
 * citizen may have changed SIM since; the conversion is offered as `suggestion` so the
 * bot can ask "có phải số 0382 345 678 không ạ?".
 *
 * @example normalisePhone('sdt của tui là 0912 345 678 nha') // { ok: true, e164: '+84912345678', display: '0912 345 678', kind: 'mobile' }
 * @example normalisePhone('024 3825 1234')                   // { ok: true, e164: '+842438251234', display: '024 3825 1234', kind: 'landline' }
 * @example normalisePhone('01682345678')                     // { ok: false, reason: 'old_mobile', suggestion: { e164: '+84382345678', … } }
 * @example normalisePhone('0912345678 hoặc 0987654321')      // { ok: false, reason: 'several_numbers' }
 */
export function normalisePhone(text: string): PhoneAnswer {
  const t = answerText(text);
  if (!t.trim()) return { ok: false, reason: 'empty' };
  const found = new Map<string, { reading?: Reading; digits: string; international: boolean; groups: number[] }>();
  let longestLeftover: { digits: string; international: boolean; groups: number[] } | undefined;
  for (const m of t.matchAll(NUMBER_RUN)) {
    const run = toRun(m[0]);
    const { numbers, leftovers } = segmentRun(run, true);
    for (const s of numbers) found.set(s.reading!.national, { reading: s.reading!, digits: '', international: false, groups: [] });
    for (const s of leftovers) {
      const digits = digitsOf(run, s);
      const international = s.from === 0 && run.international;
      const groups = run.groups.slice(s.from, s.to + 1).map((g) => g.digits.length);
      if (digits.length >= NUMBER_LIKE_DIGITS) found.set(`?${digits}`, { digits, international, groups });
      if (!longestLeftover || digits.length > longestLeftover.digits.length) longestLeftover = { digits, international, groups };
    }
  }
  if (found.size > 1) return { ok: false, reason: 'several_numbers' };
  const only = [...found.values()][0];
  if (!only) {
    if (!longestLeftover) return { ok: false, reason: 'no_digits' };
    return { ok: false, reason: rejectionFor(longestLeftover.digits, longestLeftover.international, longestLeftover.groups) };
  }
  const { reading } = only;
  if (!reading) return { ok: false, reason: rejectionFor(only.digits, only.international, only.groups) };
  if (reading.type === 'valid') return { ok: true, ...phoneNumber(reading.national) };
  return {
    ok: false,
    reason: reading.type,
    ...(reading.suggestion ? { suggestion: phoneNumber(reading.suggestion) } : {}),
  };
}

// ---------------------------------------------------------------------------------------
// Masking
// ---------------------------------------------------------------------------------------

/** Money written with thousands separators ("1.500.000.000"): not a person's number. */
const THOUSANDS = /^[1-9]\d{0,2}(?:[.,]\d{3})+$/;
/** A currency word right after the digits ("150000000 đồng", "500000000k"), folded. */
const CURRENCY_AFTER = /^[ \t]*(?:d|dong|vnd|k|tr|trieu|nghin|ngan|ty|usd)\b/;

function maskDigits(digits: string): string {
  return `***${digits.slice(-2)}`;
}

/**
 * The text with phone numbers and ID numbers (CCCD, 12 digits; CMND, 9 digits) replaced
 * by "***" and their last two digits, for transcripts and anything else that must not
 * hold them. The last two digits let a counsellor tell "the number ending 78" from
 * another without holding the number.
 *
 * Why it masks more than it must: a transcript that keeps a number is a leak; one that
 * hides a nine-digit bank account is not. Every stretch of nine or more digits is masked,
 * whatever its grouping, except money (a sum written with thousands separators or
 * followed by "đồng", "k", "triệu"… that does not start with 0; an ID does). Shorter
 * numbers (ages, dates, house numbers, amounts) stay.
 *
 * @example maskPersonalNumbers('sdt 0912 345 678, cccd 001234567890') // 'sdt ***78, cccd ***90'
 * @example maskPersonalNumbers('ông 80 tuổi, số +84 912 345 678')    // 'ông 80 tuổi, số ***78'
 * @example maskPersonalNumbers('trợ cấp 1.500.000 đồng')             // unchanged
 */
export function maskPersonalNumbers(text: string): string {
  const t = asciiDigits(text);
  return t.replace(NUMBER_RUN, (match: string, offset: number) => {
    const run = toRun(match);
    const all = run.groups.map((g) => g.digits).join('');
    if (all.length < NUMBER_LIKE_DIGITS) return match;
    const after = foldDiacritics(t.slice(offset + match.length, offset + match.length + 12));
    const { numbers, leftovers } = segmentRun(run, false);
    const money = !all.startsWith('0') && (THOUSANDS.test(match.trim()) || CURRENCY_AFTER.test(after));
    if (numbers.length === 0 && money) return match;
    const masked = [...numbers, ...leftovers.filter((s) => digitsOf(run, s).length >= NUMBER_LIKE_DIGITS)].sort(
      (a, b) => a.from - b.from,
    );
    let out = '';
    let at = 0;
    for (const s of masked) {
      // The first number takes the "+" or "(+84)" in front of it with it.
      const start = s.from === 0 ? match.search(/[^ \t]/) : run.groups[s.from]!.start;
      out += match.slice(at, start) + maskDigits(digitsOf(run, s));
      at = run.groups[s.to]!.end;
    }
    return out + match.slice(at);
  });
}

/** What `maskPersonalNumbers` leaves in place of a number ("***" and its last two digits), as a pattern source. */
export const MASKED_NUMBER = String.raw`\*\*\*\d{0,2}`;
const EVERY_MASKED_NUMBER = new RegExp(MASKED_NUMBER, 'g');

/**
 * The text with its phone and ID numbers taken out (what `maskPersonalNumbers` masks
 * leaves a space), for readers that must not take a number for a word: a phone number
 * is no sign of danger and no part of a question, and its digit groups would count as
 * words.
 *
 * @example withoutPersonalNumbers('mẹ tôi ở một mình, số của mẹ 0912 345 678') // 'mẹ tôi ở một mình, số của mẹ  '
 */
export function withoutPersonalNumbers(text: string): string {
  const masked = maskPersonalNumbers(text);
  return masked === text ? text : masked.replace(EVERY_MASKED_NUMBER, ' ');
}
