/**
 * Reading one chat answer of the guided intake into a value.
 *
 * Why these parsers are more than a regular expression: the citizens who answer are
 * often elderly, with little schooling, typing on a small phone. They leave out
 * diacritics ("bay tuoi"), use chat abbreviations ("ko", "k", "dc", "sdt", "e"), make
 * typos, wrap the value in words ("sdt của tui là 0912 345 678 nha") and write numbers
 * every way they have seen them printed. A parser that says "sai định dạng" to them
 * loses the conversation; one that guesses loses the case. So each function here either
 * returns a value it is sure of, or a reason the bot can turn into a kind, specific
 * question ("số này giống số 11 số cũ…", "bác cho con một số thôi nhé"), or null
 * (ask again). None of them talk to anything: they are pure and cheap.
 *
 * Folding (case, diacritics, đ) is the project's one {@link foldDiacritics}; option
 * labels are compared through {@link normalizeSyllables}, so "người già", "NCT" and
 * "nguoi cao tuoi" meet, exactly as in retrieval.
 *
 * ```ts
 * normalisePhone('sdt của tui là 0912 345 678 nha'); // { ok: true, e164: '+84912345678', display: '0912 345 678', kind: 'mobile' }
 * parseAge('ông 80t', new Date());                  // 80
 * matchChoice('so 2', choices);                     // choices[1].id
 * parseYesNo('không đồng ý');                       // 'no'
 * maskPersonalNumbers('sdt 0912345678');            // 'sdt ***78'
 * ```
 */
import { z } from 'zod';
import { foldDiacritics, normalizeSyllables } from '../../kb/normalize.js';

// ---------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------

/** Full-width digits (some phone keyboards) to ASCII, one character for one, so offsets hold. */
function asciiDigits(text: string): string {
  return text.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
}

/** Whether two tokens are within one insertion, deletion, substitution or adjacent swap. */
function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  if (a.length === b.length) {
    const diff: number[] = [];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff.push(i);
    if (diff.length === 1) return true;
    // "khuyte" for "khuyet": two neighbours swapped.
    return diff.length === 2 && diff[1] === diff[0]! + 1 && a[diff[0]!] === b[diff[1]!] && a[diff[1]!] === b[diff[0]!];
  }
  const [long, short] = a.length > b.length ? [a, b] : [b, a];
  for (let i = 0; i < long.length; i++) if (long.slice(0, i) + long.slice(i + 1) === short) return true;
  return false;
}

/** Answers are one chat message; anything longer is read only this far (guards the fuzzy matching). */
const MAX_ANSWER_CHARS = 2000;

/** The text of an answer, or '' for anything that is not a string (a JS caller, a bad payload). */
function answerText(text: unknown): string {
  const parsed = z.string().safeParse(text);
  return parsed.success ? asciiDigits(parsed.data).normalize('NFC').slice(0, MAX_ANSWER_CHARS) : '';
}

// ---------------------------------------------------------------------------------------
// Phone numbers
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// Numbers written in words
// ---------------------------------------------------------------------------------------

/** A word of the answer: as typed (lowercase, NFC), folded, and where it is in the lowercased text. */
interface Tok {
  raw: string;
  f: string;
  start: number;
  end: number;
}

function tokens(text: string): Tok[] {
  return [...text.toLowerCase().matchAll(/[\p{L}\p{M}]+|\d+(?:[.,]\d+)?/gu)].map((m) => ({
    raw: m[0],
    f: foldDiacritics(m[0]),
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/**
 * Number words, by folded form, with the spellings that carry diacritics. `tail`: only
 * after a tens word ("hai mươi tư", "mười lăm"), never on its own.
 */
const NUMERALS: Record<string, { v: number; forms: string[]; tail?: boolean }> = {
  mot: { v: 1, forms: ['một', 'mốt'] },
  hai: { v: 2, forms: ['hai'] },
  ba: { v: 3, forms: ['ba'] },
  bon: { v: 4, forms: ['bốn'] },
  tu: { v: 4, forms: ['tư'], tail: true },
  nam: { v: 5, forms: ['năm'] },
  lam: { v: 5, forms: ['lăm'], tail: true },
  nham: { v: 5, forms: ['nhăm'], tail: true },
  sau: { v: 6, forms: ['sáu'] },
  bay: { v: 7, forms: ['bảy', 'bẩy'] },
  tam: { v: 8, forms: ['tám'] },
  chin: { v: 9, forms: ['chín'] },
  muoi: { v: 10, forms: ['mười', 'mươi'] },
  chuc: { v: 10, forms: ['chục'], tail: true },
  tram: { v: 100, forms: ['trăm'] },
  le: { v: 0, forms: ['lẻ'], tail: true },
  linh: { v: 0, forms: ['linh'], tail: true },
};

/**
 * Words that look like a number word once folded but are not, by the word after them:
 * "năm nay" (this year), "bây giờ" (now), "sau khi" (after), "ba mẹ" (parents).
 */
const NOT_NUMERAL_BEFORE: Record<string, string[]> = {
  nam: ['nay', 'ngoai', 'sinh', 'toi', 'truoc', 'kia', 'roi', 'xua'],
  bay: ['gio', 'h', 'gi', 'lau'],
  sau: ['khi', 'nay', 'do', 'nua', 'luc'],
  ba: ['me', 'ma', 'noi', 'ngoai', 'con'],
  tam: ['thoi', 'tru', 'tru'],
};

/**
 * Whether a word is a number word here. When the citizen typed diacritics anywhere, a
 * word must be spelled as the number ("bà", "bây", "sau" are not 3, 7, 6); typed without
 * any, the folded form is enough.
 */
function numeralAt(toks: readonly Tok[], i: number, withDiacritics: boolean): boolean {
  const t = toks[i]!;
  const n = NUMERALS[t.f];
  if (!n) return false;
  if (withDiacritics && !n.forms.includes(t.raw)) return false;
  const next = toks[i + 1]?.f;
  if (next !== undefined && (NOT_NUMERAL_BEFORE[t.f]?.includes(next) || (t.f === 'nam' && /^\d/.test(next)))) return false;
  if (t.f === 'nam' && toks[i - 1]?.f === 'sinh') return false;
  return true;
}

const UNIT_WORDS = new Set(['mot', 'hai', 'ba', 'bon', 'tu', 'nam', 'lam', 'nham', 'sau', 'bay', 'tam', 'chin']);

/** 1–9 from a unit word; `tail` allows the forms used after a tens word (mốt, tư, lăm). */
function unitValue(w: string | undefined, tail: boolean): number | null {
  if (w === undefined || !UNIT_WORDS.has(w)) return null;
  const n = NUMERALS[w]!;
  if (n.tail && !tail) return null;
  return n.v;
}

/** 0–99 from number words: "bảy", "mười lăm", "hai mươi mốt", "tám lăm" (85), "hai chục". */
function parseTens(ws: readonly string[]): number | null {
  const [a, b, c] = ws;
  if (ws.length === 1) return a === 'muoi' ? 10 : unitValue(a, false);
  if (ws.length === 2) {
    if (a === 'muoi') {
      const u = unitValue(b, true);
      return u === null ? null : 10 + u;
    }
    const u = unitValue(a, false);
    if (u === null) return null;
    if (b === 'muoi' || b === 'chuc') return u >= 2 ? u * 10 : b === 'chuc' ? 10 : null;
    // Spoken short form "tám lăm" = 85, "bảy hai" = 72; but "bảy tám" (7 or 8) is a range,
    // and "bảy năm" is seven years.
    const v = unitValue(b, true);
    if (u < 2 || v === null || b === 'nam' || v === u + 1) return null;
    return u * 10 + v;
  }
  if (ws.length === 3 && b === 'muoi') {
    const u = unitValue(a, false);
    const v = unitValue(c, true);
    return u !== null && u >= 2 && v !== null ? u * 10 + v : null;
  }
  return null;
}

/** 0–999 from number words, all of them used: adds hundreds ("một trăm lẻ hai") to {@link parseTens}. */
function parseNumberWords(ws: readonly string[]): number | null {
  const h = ws.indexOf('tram');
  if (h < 0) return parseTens(ws);
  const before = ws.slice(0, h);
  const after = ws.slice(h + 1);
  const hundreds = before.length === 0 ? 1 : before.length === 1 ? unitValue(before[0], false) : null;
  if (hundreds === null) return null;
  if (after.length === 0) return hundreds * 100;
  if ((after[0] === 'le' || after[0] === 'linh') && after.length === 2) {
    const u = unitValue(after[1], true);
    return u === null ? null : hundreds * 100 + u;
  }
  const rest = parseTens(after);
  return rest === null || rest < 10 ? null : hundreds * 100 + rest;
}

// ---------------------------------------------------------------------------------------
// Age
// ---------------------------------------------------------------------------------------

type AgeUnit = 'y' | 'm' | 'w' | 'd';

const AGE_UNITS: Record<string, AgeUnit> = {
  tuoi: 'y', t: 'y', tui: 'y', tuoj: 'y', tuoii: 'y', nam: 'y',
  thang: 'm', th: 'm', thg: 'm',
  tuan: 'w',
  ngay: 'd',
};
/** Words allowed between a number and its unit: "80 mấy tuổi", "70 hơn tuổi". */
const BETWEEN_NUMBER_AND_UNIT = new Set(['may', 'hon', 'ngoai', 'xiu']);

interface Quantity {
  value: number;
  unit: AgeUnit | null;
  digits: boolean;
  /** Offsets in the lowercased answer. */
  start: number;
  end: number;
}

const MAX_AGE = 120;
/** Vietnam has one time zone and no daylight saving: UTC+7. */
const VN_OFFSET_MS = 7 * 3600 * 1000;

function ageInRange(v: number): number | null {
  const years = Math.floor(v);
  return Number.isFinite(years) && years >= 0 && years <= MAX_AGE ? years : null;
}

/** Age on `now` (Vietnam time) of someone born on the given day, or null for an impossible date. */
function ageFromBirthDate(day: number, month: number, year: number, now: Date): number | null {
  const vn = new Date(now.getTime() + VN_OFFSET_MS);
  const born = new Date(Date.UTC(year, month - 1, day));
  if (born.getUTCDate() !== day || born.getUTCMonth() !== month - 1 || born.getTime() > vn.getTime()) return null;
  const y = vn.getUTCFullYear();
  const hadBirthday = vn.getUTCMonth() > month - 1 || (vn.getUTCMonth() === month - 1 && vn.getUTCDate() >= day);
  return ageInRange(y - year - (hadBirthday ? 0 : 1));
}

/** Age from a birth year; a two-digit year is the latest one not in the future ("sinh năm 50" is 1950). */
function ageFromBirthYear(yearText: string, now: Date): number | null {
  const current = new Date(now.getTime() + VN_OFFSET_MS).getUTCFullYear();
  let year = Number(yearText);
  if (yearText.length === 2) year = 2000 + year > current ? 1900 + year : 2000 + year;
  if (year > current) return null;
  return ageInRange(current - year);
}

function single(values: number[]): number | null {
  const distinct = [...new Set(values.map(Math.floor))];
  return distinct.length === 1 ? ageInRange(distinct[0]!) : null;
}

/**
 * Age in whole years from a chat answer, or null when the answer holds no age or more
 * than one ("7-8 tuổi", "đứa 7 tuổi đứa 3 tuổi": ask again).
 *
 * Reads digits ("7", "7 tuổi", "7t", "ông 80t", "2.5 tuổi"), number words with or without
 * diacritics ("bảy tuổi", "bay tuoi", "mười lăm", "tám mươi lăm", spoken "tám lăm" = 85,
 * "một trăm lẻ hai"), babies' ages ("8 tháng", "3 tuần", "sơ sinh": 0) and birth dates
 * ("sinh năm 1950", "sn 85", "12/05/1950", "sinh ngày 12 tháng 5 năm 1950"). An age with
 * "tuổi" wins over other numbers in the answer ("bà năm nay 80 tuổi, có 3 đứa con").
 *
 * `now` is an argument so the function stays pure and testable; birth years are counted
 * as Vietnamese forms count them (this year minus the birth year), a full birth date
 * exactly, both in Vietnam time.
 *
 * @example parseAge('ông 80t', now)           // 80
 * @example parseAge('bay tuoi', now)          // 7
 * @example parseAge('8 tháng', now)           // 0
 * @example parseAge('sinh năm 1950', new Date('2025-06-01')) // 75
 * @example parseAge('150 tuổi', now)          // null
 */
export function parseAge(text: string, now: Date): number | null {
  const t = answerText(text);
  const lower = t.toLowerCase();
  const folded = foldDiacritics(lower);
  const withDiacritics = folded !== lower;
  const toks = tokens(t);
  if (toks.length === 0) return null;

  // 1. Numbers with their unit, in digits or in words.
  const quantities: Quantity[] = [];
  const unitAfter = (j: number): AgeUnit | null => {
    let k = j;
    if (toks[k] && BETWEEN_NUMBER_AND_UNIT.has(toks[k]!.f)) k++;
    const w = toks[k];
    if (!w) return null;
    // "bảy năm", "3 năm" are years; "tháng 5 năm 1950" is a date.
    const next = toks[k + 1]?.f ?? '';
    if (w.f === 'nam' && (/^\d/.test(next) || NOT_NUMERAL_BEFORE.nam!.includes(next))) return null;
    return AGE_UNITS[w.f] ?? null;
  };
  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i]!;
    if (/^\d/.test(tok.f)) {
      quantities.push({ value: Number(tok.f.replace(',', '.')), unit: unitAfter(i + 1), digits: true, start: tok.start, end: tok.end });
      continue;
    }
    if (!numeralAt(toks, i, withDiacritics) || NUMERALS[tok.f]!.tail) continue;
    let j = i + 1;
    while (j < toks.length && numeralAt(toks, j, withDiacritics)) {
      // "bảy năm": năm after a plain unit word is "years", not five.
      if (toks[j]!.f === 'nam' && UNIT_WORDS.has(toks[j - 1]!.f)) break;
      j++;
    }
    const run = toks.slice(i, j).map((w) => w.f);
    // "bảy tám tuổi", "hai ba tuổi": seven or eight, two or three.
    const [u, v] = [unitValue(run[0], false), unitValue(run[1], true)];
    if (run.length === 2 && u !== null && v === u + 1) return null;
    // "ba tam muoi" typed for "bà tám mươi": drop leading words until the rest is a number.
    for (let s = 0; s < run.length; s++) {
      const value = parseNumberWords(run.slice(s));
      if (value !== null) {
        quantities.push({ value, unit: unitAfter(j), digits: false, start: toks[i + s]!.start, end: toks[j - 1]!.end });
        break;
      }
    }
    i = j - 1;
  }
  // "7-8 tuổi", "7 đến 8 tuổi": a range shares its unit, and two values are no answer.
  for (let k = 0; k + 1 < quantities.length; k++) {
    const [a, b] = [quantities[k]!, quantities[k + 1]!];
    const between = foldDiacritics(lower.slice(a.end, b.start)).trim();
    if (a.unit === null && b.unit !== null && /^(?:-|–|~|den|toi|hoac|hay|\/)$/.test(between)) a.unit = b.unit;
  }
  const withUnit = (u: AgeUnit) => quantities.filter((q) => q.unit === u);
  if (withUnit('y').length) return single(withUnit('y').map((q) => q.value));

  // 2. A birth date or a birth year.
  const date =
    folded.match(/(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)/) ??
    folded.match(/(?<!\d)(\d{1,2})\s*thang\s*(\d{1,2})\s*(?:nam\s*)?(\d{4})(?!\d)/);
  if (date) return ageFromBirthDate(Number(date[1]), Number(date[2]), Number(date[3]), now);
  const born = folded.match(/\b(?:sinh|sn|ns|de|nam sinh)\b[\s:]*(?:(?:nam|vao|la)\b[\s:]*)*(\d{4}|\d{2})(?!\d)/);
  if (born) return ageFromBirthYear(born[1]!, now);
  const current = new Date(now.getTime() + VN_OFFSET_MS).getUTCFullYear();
  const years = quantities.filter((q) => q.digits && q.value >= 1900 && q.value <= current && Number.isInteger(q.value));
  if (years.length === 1) return ageFromBirthYear(String(years[0]!.value), now);

  // 3. Babies: months, weeks, days.
  if (/\b(?:so sinh|moi sinh|moi de)\b/.test(folded)) return 0;
  if (withUnit('m').length) return single(withUnit('m').map((q) => q.value / 12));
  if (withUnit('w').length) return single(withUnit('w').map((q) => q.value / 52));
  if (withUnit('d').length) return single(withUnit('d').map((q) => q.value / 365));

  // 4. A bare number; digits rather than words when both ("ba 80" is "bà 80").
  const digits = quantities.filter((q) => q.digits);
  return single((digits.length ? digits : quantities).map((q) => q.value));
}

// ---------------------------------------------------------------------------------------
// Choices
// ---------------------------------------------------------------------------------------

/** One option of a question: what the bot shows (`label`) and other ways people say it. */
export interface Choice<Id extends string = string> {
  id: Id;
  label: string;
  synonyms: string[];
}

export const ChoiceSchema = z.object({
  id: z.string().min(1),
  label: z.string().trim().min(1),
  synonyms: z.array(z.string()),
});

/** Options of one question: at least one, ids unique. Options come from flow code; a bad list is a bug. */
export const ChoicesSchema = z
  .array(ChoiceSchema)
  .min(1)
  .refine((cs) => new Set(cs.map((c) => c.id)).size === cs.length, { message: 'choice ids must be unique' });

export type ChoiceMatch<Id extends string = string> = Id | { ambiguous: Id[] } | null;

/** Words around an option number: "số 2", "chọn cái thứ 2 ạ", "phương án 1", "câu 3 nha". */
const NUMBER_FILLERS = new Set([
  'so', 'chon', 'lua', 'cai', 'thu', 'phuong', 'an', 'muc', 'cau', 'y', 'dap', 'option', 'lay',
  'da', 'vang', 'a', 'nha', 'nhe', 'nhen', 'ne', 'la', 'thi', 'oi', 'o',
  'em', 'e', 'toi', 'tui', 'minh', 'con', 'chau', 'cho', 'va', 'voi', 'hoac', 'hay',
]);
/** Ordinal and cardinal words 1–10 for options: "thứ nhất", "số hai", "cái thứ tư". */
const OPTION_WORDS: Record<string, { v: number; forms: string[] }> = {
  nhat: { v: 1, forms: ['nhất'] },
  nhi: { v: 2, forms: ['nhì'] },
  tu: { v: 4, forms: ['tư'] },
  ...Object.fromEntries(
    Object.entries(NUMERALS)
      .filter(([, n]) => n.v >= 1 && n.v <= 10 && !n.tail)
      .map(([k, n]) => [k, { v: n.v, forms: n.forms }]),
  ),
};

/** Words dropped before comparing an answer with an option when nothing else fits ("dạ … ạ"). */
const CHOICE_FILLERS = new Set(['da', 'vang', 'a', 'nha', 'nhe', 'nhen', 'ne', 'la', 'cai', 'chon', 'thi', 'oi', 'u', 'chac']);
/** A match right after these is negated: "không phải người già", "chứ không phải …". */
const NEGATIONS = new Set(['khong', 'chang', 'cha']);

interface PreparedChoice {
  id: string;
  phrases: string[][];
}

const prepared = new WeakMap<readonly Choice[], PreparedChoice[]>();

function prepare(choices: readonly Choice[]): PreparedChoice[] {
  const known = prepared.get(choices);
  if (known) return known;
  const valid = ChoicesSchema.parse(choices);
  const result = valid.map((c) => ({
    id: c.id,
    phrases: [c.label, ...c.synonyms].map((p) => normalizeSyllables(p)).filter((p) => p.length > 0),
  }));
  prepared.set(choices, result);
  return result;
}

/** Option numbers the answer consists of ("2", "số 2 ạ", "1 và 3"), or null if it says more. */
function optionNumbers(text: string): number[] | null {
  const lower = text.toLowerCase();
  const withDiacritics = foldDiacritics(lower) !== lower;
  const nums: number[] = [];
  for (const tok of tokens(text)) {
    if (/^\d+$/.test(tok.f)) nums.push(Number(tok.f));
    else if (OPTION_WORDS[tok.f] && (!withDiacritics || OPTION_WORDS[tok.f]!.forms.includes(tok.raw))) nums.push(OPTION_WORDS[tok.f]!.v);
    else if (!NUMBER_FILLERS.has(tok.f)) return null;
  }
  return nums.length ? nums : null;
}

type TokenMatch = (a: string, b: string) => boolean;
const exactly: TokenMatch = (a, b) => a === b;
const unstretched = (w: string) => w.replace(/(.)\1+/g, '$1');
/** One typo in a word of three letters or more, or stretched letters ("emmm", "khongg"). */
const fuzzily: TokenMatch = (a, b) =>
  a === b ||
  (!/\d/.test(a + b) && ((a.length >= 3 && b.length >= 3 && withinOneEdit(a, b)) || unstretched(a) === unstretched(b)));

/** Whether a phrase matches these words, one typo per word allowed under `fuzzy`, but not typos only. */
function phraseFits(words: readonly string[], phrase: readonly string[], match: TokenMatch): boolean {
  let exact = 0;
  for (let k = 0; k < phrase.length; k++) {
    const w = words[k];
    if (w === undefined || !match(w, phrase[k]!)) return false;
    if (w === phrase[k]) exact++;
  }
  // A one-word phrase may be typo'd only if long enough ("khuyt"); a longer one needs one word right.
  return exact > 0 || (phrase.length === 1 && phrase[0]!.length >= 4);
}

function negatedAt(words: readonly string[], at: number): boolean {
  const prev = words[at - 1];
  if (prev === undefined) return false;
  if (NEGATIONS.has(prev)) return true;
  return prev === 'phai' && NEGATIONS.has(words[at - 2] ?? '');
}

/** Ids of the options whose label or synonym occurs in the answer, the longer winning where they overlap. */
function containedIn(words: readonly string[], choices: readonly PreparedChoice[], match: TokenMatch): string[] {
  const hits: { id: string; from: number; to: number }[] = [];
  for (const c of choices) {
    let best: { from: number; to: number } | undefined;
    for (const p of c.phrases) {
      for (let s = 0; s + p.length <= words.length; s++) {
        if (!phraseFits(words.slice(s, s + p.length), p, match) || negatedAt(words, s)) continue;
        if (!best || p.length > best.to - best.from) best = { from: s, to: s + p.length };
      }
    }
    if (best) hits.push({ id: c.id, ...best });
  }
  // "người khuyết tật đặc biệt nặng" holds both "người khuyết tật" and itself: the longer one.
  return hits
    .filter((h) => !hits.some((o) => o !== h && o.from <= h.from && o.to >= h.to && o.to - o.from > h.to - h.from))
    .map((h) => h.id);
}

/** Ids of the options that hold every content word of a short answer ("khuyết tật" for "Người khuyết tật"). */
function partOf(content: readonly string[], choices: readonly PreparedChoice[], match: TokenMatch): string[] {
  if (content.length === 0) return [];
  const fits = (p: readonly string[]) =>
    content.every((w) => p.some((q) => w === q || (match(w, q) && w.length >= 4))) && content.some((w) => p.includes(w) || w.length >= 4);
  return choices.filter((c) => c.phrases.some(fits)).map((c) => c.id);
}

function outcome<Id extends string>(ids: string[]): ChoiceMatch<Id> | undefined {
  if (ids.length === 0) return undefined;
  return ids.length === 1 ? (ids[0] as Id) : { ambiguous: ids as Id[] };
}

/**
 * Which option an answer picks: its number ("1", "so 2", "số hai", "cái thứ 3 ạ"), its
 * label or one of its synonyms, typed with or without diacritics, with chat abbreviations
 * or one typo a word ("nguoi khuyet tac"), alone or inside a sentence. Returns the id, or
 * `{ ambiguous: ids }` when the answer fits several (ask which one), or null.
 *
 * Order, most certain first: the whole answer is a label or synonym; the answer is only
 * option numbers; a label occurs in the answer (not after "không"/"không phải"); the answer
 * is part of a label; then the same two allowing typos.
 *
 * `choices` are validated with zod (at least one, unique ids): a broken list throws.
 *
 * @example matchChoice('so 2', [{ id: 'nct', label: 'Người cao tuổi', synonyms: [] }, { id: 'nkt', label: 'Người khuyết tật', synonyms: [] }]) // 'nkt'
 * @example matchChoice('nguoi gia', same)  // 'nct'
 * @example matchChoice('người', same)      // { ambiguous: ['nct', 'nkt'] }
 */
export function matchChoice<Id extends string>(text: string, choices: readonly Choice<Id>[]): ChoiceMatch<Id> {
  const options = prepare(choices);
  const t = answerText(text);
  const words = normalizeSyllables(t);
  if (words.length === 0) return null;
  const content = words.filter((w) => !CHOICE_FILLERS.has(w));
  const key = (ws: readonly string[]) => ws.join(' ');

  const exact = options.filter((c) => c.phrases.some((p) => key(p) === key(words) || key(p) === key(content))).map((c) => c.id);
  const byLabel = outcome<Id>(exact);
  if (byLabel !== undefined) return byLabel;

  const nums = optionNumbers(t);
  if (nums && nums.every((n) => n >= 1 && n <= options.length)) {
    return outcome<Id>([...new Set(nums)].sort((a, b) => a - b).map((n) => options[n - 1]!.id))!;
  }

  for (const match of [exactly, fuzzily]) {
    const found = outcome<Id>(containedIn(words, options, match)) ?? outcome<Id>(partOf(content, options, match));
    if (found !== undefined) return found;
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// Yes / no
// ---------------------------------------------------------------------------------------

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
