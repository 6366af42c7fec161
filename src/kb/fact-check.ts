import { foldDiacritics } from './normalize.js';

/**
 * Fact check for LLM-phrased answers: every amount, age, date, coefficient, percentage
 * and count of days, months or years in a reply must be a fact of the entries it was
 * given, said of a compatible group.
 *
 * A fact is a quantity with its attachment: the words of its own line, list item,
 * clause or table row that say who or what it is for ("khuyết tật đặc biệt nặng",
 * "trẻ em dưới 6 tuổi", "từ đủ 80 tuổi"), plus the lead-in line of its list, the
 * head of its clause ("Nếu người khuyết tật là trẻ em hoặc người cao tuổi: …") and the
 * other quantities beside it (the date a rate applies from, the coefficient it comes
 * from). Words next to another quantity of the same kind are that quantity's, not its.
 *
 * The reply is read the same way. A reply quantity passes when some entry fact has the
 * same value (after normalising "1.000.000 đồng", "1 triệu", "1tr", "1.000 nghìn") and
 * none of the reply's group words or qualifiers:
 *
 * 1. contradicts the fact's on the same scale ("nặng" against "đặc biệt nặng", "hộ
 *    cận nghèo" against "hộ nghèo", an age range outside the fact's, a date or
 *    coefficient the fact's line does not give, "có lương hưu" against "không có
 *    lương hưu", "hiện nay" against a rate that ended);
 * 2. is missing from the fact but belongs to another fact of a different value, while
 *    the reply names nothing that sets this fact apart from that one ("trẻ em" said of
 *    750.000 đồng when only the 1.000.000 đồng line names "trẻ em");
 * 3. states a special case's value without its condition while a plainer fact of
 *    another value fits the reply better ("khuyết tật nặng: 1.000.000 đồng" when
 *    1.000.000 đồng is for "trẻ em hoặc người cao tuổi" nặng and plain nặng is 750.000).
 *
 * Words are compared with diacritics folded ("khuyet tat nang" is "khuyết tật nặng"),
 * but a word written with diacritics must be that word ("nâng" is not "nặng"). A reply
 * that restates a fact with fewer words passes. Pure: no I/O, the clock comes in.
 */

export type QuantityKind = 'money' | 'age' | 'date' | 'coefficient' | 'percent' | 'days' | 'months' | 'years';

/** A calendar date as far as the text gives it: "01/7/2024", "tháng 7/2025", "năm 2014". */
export interface DateParts {
  y?: number;
  m?: number;
  d?: number;
}

/** How a date is used: "từ" (from), "trước" (before), "đến" (until), "sau" (after), or plain. */
export type DateRelation = 'from' | 'before' | 'until' | 'after' | 'on';

/** Ages in years; `hiOpen` for "dưới 80" (80 itself excluded). */
export interface AgeRange {
  lo: number;
  hi: number;
  hiOpen: boolean;
}

export interface Quantity {
  kind: QuantityKind;
  /** As written, e.g. "750 nghìn", "từ đủ 80 tuổi", "01/7/2024". */
  text: string;
  start: number;
  end: number;
  /** Đồng for money, years for ages, the number itself otherwise; for dates y·10000+m·100+d. */
  value: number;
  date?: DateParts;
  rel?: DateRelation;
  /** Ages: the bound this number is ("từ 60" lo, "dưới 80" hi) and the whole range it belongs to. */
  role?: 'lo' | 'hi' | 'point';
  range?: AgeRange;
  /** Numbers of one range ("từ 60 đến dưới 80 tuổi") share a group. */
  group?: number;
  /** Money: "ít nhất", "trên" (up) or "dưới", "tối đa" (down) right before or after it. */
  bound?: 'up' | 'down';
}

/** A group or condition word ("đặc biệt nặng", "không có lương hưu") or a quantity qualifying another. */
export type FactTerm =
  | { type: 'word'; key: string; axis?: string; neg: boolean; text: string; start?: number }
  | { type: 'quantity'; quantity: Quantity };

export interface Fact {
  quantity: Quantity;
  terms: FactTerm[];
  /** The words the quantity is attached to, for messages. */
  attachment: string;
  /** The entry it came from; empty for reply quantities. */
  entryId: string;
  /** From the source line or the effective date: may back a reply, never stands against one. */
  weak?: boolean;
  /** Other quantities of its kind in the same attachment ("dưới 16 tuổi … nếu dưới 4 tuổi"). */
  peers?: Quantity[];
}

/** An entry as the checker needs it: its rendered body (placeholders filled), its source and date. */
export interface FactSource {
  id: string;
  body: string;
  source?: string;
  effective?: string;
}

export interface FactProblem {
  /** The number as the reply wrote it. */
  quantity: string;
  kind: QuantityKind;
  reason: 'not-in-entries' | 'contradicts-entries';
  /** The reply's group words and qualifiers for it. */
  words: string[];
  /** Why, naming the entry facts it was compared with. */
  detail: string;
}

export interface FactCheckOptions {
  /** Today, to tell a rate that ended ("đến 30/6/2024") from one in force. Defaults to now. */
  at?: Date;
}

// ---------------------------------------------------------------------------------------
// Text preparation

/** NFC, lowercase, bold markers and citation markers out; one character per character. */
function prepare(text: string): string {
  const plain = text
    .normalize('NFC')
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/\[\d+\]/g, '')
    .replace(/\u00a0/g, ' ');
  let out = '';
  for (const ch of plain) {
    const lower = ch.toLowerCase();
    out += lower.length === ch.length ? lower : ch;
  }
  return out;
}

/** Legal references ("Nghị định 20/2021/NĐ-CP", "Điều 6", "Mẫu số 01") are not quantities. */
const LEGAL_REFS = [
  /\d+\/\d{4}\/[a-zđ][\p{L}\d-]*/gu,
  /\d+\/[a-zđ]{2,}[\p{L}\d-]*/gu,
  /(?<![\p{L}])(?:điều|dieu|khoản|khoan|điểm|diem|mẫu số|mau so|chương|chuong|nghị định|nghi dinh|thông tư|thong tu|quyết định|quyet dinh|nghị quyết|nghi quyet|pháp lệnh|phap lenh)\s+(?:số\s+)?\d+/gu,
];

function maskLegalRefs(text: string): string {
  let out = text;
  for (const re of LEGAL_REFS) out = out.replace(re, (m) => m.replace(/\d/g, '#'));
  return out;
}

/** `w('từ đủ')` → a regex source matching "từ đủ" or "tu du" (typed without diacritics). */
function w(...words: string[]): string {
  const forms = new Set<string>();
  for (const word of words) {
    forms.add(word);
    forms.add(foldDiacritics(word));
  }
  return `(?:${[...forms].sort((a, b) => b.length - a.length).map((f) => f.replace(/ /g, '\\s+')).join('|')})`;
}

const NUM = String.raw`\d+(?:[.,]\d+)*`;
const NOT_LETTER_AFTER = String.raw`(?![\p{L}\d])`;
const NOT_LETTER_BEFORE = String.raw`(?<![\p{L}\d#])`;
const DONG = `(?:\\s*(?:${w('đồng')}|vnđ|vnd|đ|₫)${NOT_LETTER_AFTER})`;

/** "1.000.000" and "1,000,000" group thousands; "1,5" and "2.0" are decimals. */
export function parseNumber(raw: string): number {
  const compact = raw.replace(/ /g, '');
  const groups = compact.split(/[.,]/);
  if (groups.length === 1) return Number(compact);
  const seps = compact.replace(/\d/g, '');
  const thousands = groups.slice(1).every((g) => g.length === 3) && groups[0]!.length <= 3;
  if (new Set(seps).size === 1) {
    if (seps[0] === '.' && thousands) return Number(groups.join(''));
    if (seps[0] === ',' && thousands && groups.length > 2) return Number(groups.join(''));
    if (groups.length === 2) return Number(`${groups[0]}.${groups[1]}`);
    return Number.NaN;
  }
  // "1.000,5": dots group, the comma is the decimal point.
  const [int, dec] = compact.split(',');
  return Number(`${int!.replace(/\./g, '')}.${dec ?? ''}`);
}

// ---------------------------------------------------------------------------------------
// Quantities

interface Scan {
  text: string; // prepared
  masked: string;
  claimed: boolean[];
  out: Quantity[];
  nextGroup: number;
}

function claim(scan: Scan, q: Quantity): boolean {
  for (let i = q.start; i < q.end; i++) if (scan.claimed[i]) return false;
  for (let i = q.start; i < q.end; i++) scan.claimed[i] = true;
  scan.out.push(q);
  return true;
}

function before(scan: Scan, at: number, chars = 30): string {
  return scan.text.slice(Math.max(0, at - chars), at);
}

const DATE_WORD = `(?:\\s*${w('ngày', 'tháng', 'năm')})?\\s*$`;
const REL_FROM = new RegExp(`(?:^|[^\\p{L}])${w('từ', 'kể từ', 'bắt đầu', 'hiệu lực')}${DATE_WORD}`, 'u');
const REL_BEFORE = new RegExp(`(?:^|[^\\p{L}])${w('trước')}${DATE_WORD}`, 'u');
const REL_UNTIL = new RegExp(`(?:^|[^\\p{L}])${w('đến', 'tới', 'đến hết', 'hết')}${DATE_WORD}`, 'u');
const REL_AFTER = new RegExp(`(?:^|[^\\p{L}])${w('sau')}${DATE_WORD}`, 'u');

function dateRelation(scan: Scan, start: number): DateRelation {
  const b = before(scan, start, 24);
  if (REL_UNTIL.test(b)) return 'until';
  if (REL_BEFORE.test(b)) return 'before';
  if (REL_AFTER.test(b)) return 'after';
  if (REL_FROM.test(b)) return 'from';
  return 'on';
}

function dateQuantity(scan: Scan, start: number, end: number, parts: DateParts): Quantity | null {
  const { y, m, d } = parts;
  if (m !== undefined && (m < 1 || m > 12)) return null;
  if (d !== undefined && (d < 1 || d > 31)) return null;
  return {
    kind: 'date',
    text: scan.text.slice(start, end),
    start,
    end,
    value: (y ?? 0) * 10000 + (m ?? 0) * 100 + (d ?? 0),
    date: parts,
    rel: dateRelation(scan, start),
  };
}

function scanDates(scan: Scan): void {
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const patterns: Array<[RegExp, (m: RegExpExecArray) => DateParts]> = [
    [/(?<![\d#/.,])(\d{1,2})\s?([/.-])\s?(\d{1,2})\2(\d{4})(?![\d#/])/gu, (m) => ({ d: num(m[1]), m: num(m[3]), y: num(m[4]) })],
    [
      new RegExp(`${w('ngày')}\\s+(\\d{1,2})\\s+${w('tháng')}\\s+(\\d{1,2})(?:\\s*(?:${w('năm')}\\s+|[/-])(\\d{4}))?(?![\\d#])`, 'gu'),
      (m) => ({ d: num(m[1]), m: num(m[2]), y: num(m[3]) }),
    ],
    [new RegExp(`${w('ngày')}\\s+(\\d{1,2})\\/(\\d{1,2})(?![\\d#/])`, 'gu'), (m) => ({ d: num(m[1]), m: num(m[2]) })],
    [
      new RegExp(`${NOT_LETTER_BEFORE}${w('tháng')}\\s+(\\d{1,2})(?:\\s*(?:${w('năm')}\\s+|[/-]\\s*)(\\d{4}))?(?![\\d#/])`, 'gu'),
      (m) => ({ m: num(m[1]), y: num(m[2]) }),
    ],
    [/(?<![\d#/.,])(\d{1,2})\/(\d{4})(?![\d#/])/gu, (m) => ({ m: num(m[1]), y: num(m[2]) })],
  ];
  for (const [re, parts] of patterns) {
    for (const m of scan.masked.matchAll(re)) {
      const q = dateQuantity(scan, m.index, m.index + m[0].length, parts(m as RegExpExecArray));
      if (q) claim(scan, q);
    }
  }
}

function scanYears(scan: Scan): void {
  const re = new RegExp(`(?:${w('năm')}\\s+)?(?<![\\d#.,/]|\\d )(19[5-9]\\d|20\\d\\d)(?![\\d#/]|[.,]\\d| \\d)`, 'gu');
  let previous: Quantity | undefined;
  for (const m of scan.masked.matchAll(re)) {
    const q = dateQuantity(scan, m.index, m.index + m[0].length, { y: Number(m[1]) });
    if (!q || !claim(scan, q)) continue;
    // "2021–2030", "2022-2025": a span of years.
    if (previous && /^\s*[-–—]\s*$/.test(scan.text.slice(previous.end, q.start))) {
      if (previous.rel === 'on') previous.rel = 'from';
      if (q.rel === 'on') q.rel = 'until';
    }
    previous = q;
  }
}

const MONEY_UP = new RegExp(`(?:^|[^\\p{L}])${w('ít nhất', 'tối thiểu', 'trên', 'hơn', 'cao hơn', 'nhiều hơn', 'từ')}(?:\\s+${w('mức')})?\\s*$`, 'u');
const MONEY_DOWN = new RegExp(
  `(?:^|[^\\p{L}])${w('dưới', 'thấp hơn', 'ít hơn', 'chưa đến', 'chưa tới', 'chưa đủ', 'không quá', 'tối đa', 'nhiều nhất', 'tới', 'đến')}(?:\\s+${w('mức')})?\\s*$`,
  'u',
);
const AFTER_UP = new RegExp(`^(?:\\/\\s*${w('tháng')})?\\s*${w('trở lên')}`, 'u');
const AFTER_DOWN = new RegExp(`^(?:\\/\\s*${w('tháng')})?\\s*${w('trở xuống')}`, 'u');

function moneyQuantity(scan: Scan, start: number, end: number, value: number): Quantity | null {
  if (!Number.isFinite(value) || value <= 0) return null;
  const b = before(scan, start, 20);
  const a = scan.text.slice(end, end + 20);
  // "từ 270.000 lên 360.000" is a change, not a bound: "từ" counts only with "trở lên".
  const up = AFTER_UP.test(a) || (MONEY_UP.test(b) && !/(?:^|[^\p{L}])(?:từ|tu)\s*$/u.test(b));
  const down = AFTER_DOWN.test(a) || MONEY_DOWN.test(b);
  return {
    kind: 'money',
    text: scan.text.slice(start, end),
    start,
    end,
    value: Math.round(value),
    bound: up && !down ? 'up' : down && !up ? 'down' : undefined,
  };
}

function scanMoney(scan: Scan): void {
  const million = new RegExp(
    `(?<![\\d#.,])(${NUM})\\s*${w('triệu', 'tr')}${NOT_LETTER_AFTER}(?:\\s*(\\d{1,3})(?![\\d.,])(?:\\s*(${w('nghìn', 'ngàn')}|k${NOT_LETTER_AFTER}))?|\\s*(${w('rưỡi')}))?${DONG}?`,
    'gu',
  );
  for (const m of scan.masked.matchAll(million)) {
    const base = parseNumber(m[1]!);
    let extra = 0;
    if (m[2] !== undefined) {
      const n = Number(m[2]);
      extra = m[3] ? n * 1000 : m[2].length === 1 ? n * 100_000 : m[2].length === 2 ? n * 10_000 : n * 1000;
    }
    if (m[4]) extra = 500_000;
    // "1 triệu 2 tuổi" never happens; "2 triệu, 3 người" is cut at the comma by \s*.
    const q = moneyQuantity(scan, m.index, m.index + m[0].length, base * 1_000_000 + extra);
    if (q) claim(scan, q);
  }
  const simple: Array<[RegExp, number]> = [
    [new RegExp(`(?<![\\d#.,])(${NUM})\\s*${w('tỷ', 'tỉ')}${NOT_LETTER_AFTER}${DONG}?`, 'gu'), 1_000_000_000],
    [new RegExp(`(?<![\\d#.,])(${NUM})\\s*(?:${w('nghìn', 'ngàn')}|k)${NOT_LETTER_AFTER}${DONG}?`, 'gu'), 1000],
    [new RegExp(`(?<![\\d#.,])(${NUM}|\\d{1,3}(?: \\d{3})+)${DONG}`, 'gu'), 1],
    // A grouped number of ten thousand or more is money here even without "đồng".
    [/(?<![\d#.,/])(\d{1,3}(?:\.\d{3})+)(?![\d#/]|[.,]\d)/gu, 1],
  ];
  for (const [re, scale] of simple) {
    for (const m of scan.masked.matchAll(re)) {
      const value = parseNumber(m[1]!) * scale;
      if (scale === 1 && !/đ|₫|vnd|dong/u.test(m[0]) && value < 10_000) continue;
      const q = moneyQuantity(scan, m.index, m.index + m[0].length, value);
      if (q) claim(scan, q);
    }
  }
}

const AGE_UNIT = `(${w('tháng tuổi')}|${w('tuổi')})`;
const LO_WORDS = ['từ đủ', 'từ', 'đủ', 'trên', 'ngoài', 'hơn'];
const HI_OPEN_WORDS = ['dưới', 'chưa đủ', 'chưa tới', 'chưa đến'];
const HI_WORDS = ['đến', 'tới', 'hết'];

function ageRole(word: string | undefined, after: string | undefined): { role: 'lo' | 'hi' | 'point'; open: boolean } {
  const f = word ? foldDiacritics(word).replace(/\s+/g, ' ') : '';
  const fa = after ? foldDiacritics(after) : '';
  if (fa.startsWith('tro len') || LO_WORDS.some((x) => foldDiacritics(x) === f)) return { role: 'lo', open: false };
  if (HI_OPEN_WORDS.some((x) => foldDiacritics(x) === f)) return { role: 'hi', open: true };
  if (fa.startsWith('tro xuong') || HI_WORDS.some((x) => foldDiacritics(x) === f)) return { role: 'hi', open: false };
  return { role: 'point', open: false };
}

function rangeOf(role: 'lo' | 'hi' | 'point', value: number, open: boolean): AgeRange {
  if (role === 'lo') return { lo: value, hi: Infinity, hiOpen: false };
  if (role === 'hi') return { lo: -Infinity, hi: value, hiOpen: open };
  return { lo: value, hi: value, hiOpen: false };
}

function scanAges(scan: Scan): void {
  const years = (n: string, unit: string) => parseNumber(n) / (foldDiacritics(unit).startsWith('thang') ? 12 : 1);
  // "từ 60 đến dưới 80 tuổi", "75–80 tuổi", "từ đủ 70 đến dưới 75 tuổi"
  const range = new RegExp(
    `${NOT_LETTER_BEFORE}(?:${w('từ')}\\s+)?(?:${w('đủ')}\\s+)?(${NUM})\\s*(?:${w('tuổi')}\\s*)?(?:${w('đến', 'tới')}|[-–—])\\s*(?:(${w('dưới', 'hết')})\\s+)?(${NUM})\\s*${AGE_UNIT}`,
    'gu',
  );
  for (const m of scan.masked.matchAll(range)) {
    const lo = years(m[1]!, m[4]!);
    const hi = years(m[3]!, m[4]!);
    const open = m[2] !== undefined && foldDiacritics(m[2]).startsWith('duoi');
    if (!(lo < hi) || hi > 130) continue;
    const r: AgeRange = { lo, hi, hiOpen: open };
    const group = scan.nextGroup++;
    const start = m.index;
    const end = m.index + m[0].length;
    const text = scan.text.slice(start, end);
    const first: Quantity = { kind: 'age', text, start, end, value: lo, role: 'lo', range: r, group };
    const second: Quantity = { kind: 'age', text, start, end, value: hi, role: 'hi', range: r, group };
    if (claim(scan, first)) scan.out.push(second);
  }
  const single = new RegExp(
    `${NOT_LETTER_BEFORE}(?:(${w(...LO_WORDS, ...HI_OPEN_WORDS, ...HI_WORDS)})\\s+)?(${NUM})\\s*${AGE_UNIT}(?:\\s+(${w('trở lên', 'trở xuống')}))?`,
    'gu',
  );
  for (const m of scan.masked.matchAll(single)) {
    const value = years(m[2]!, m[3]!);
    if (!(value > 0) || value > 130) continue;
    const { role, open } = ageRole(m[1], m[4]);
    const q: Quantity = {
      kind: 'age',
      text: scan.text.slice(m.index, m.index + m[0].length),
      start: m.index,
      end: m.index + m[0].length,
      value,
      role,
      range: rangeOf(role, value, open),
      group: scan.nextGroup++,
    };
    claim(scan, q);
  }
  // "người cao tuổi từ 80", "NCT trên 75": a bound after an age word, without "tuổi".
  const bare = new RegExp(
    `${NOT_LETTER_BEFORE}(${w('từ đủ', 'từ', 'đủ', 'trên', 'dưới', 'ngoài', 'đến', 'tới')})\\s+(\\d{1,3})(?![\\d.,#/%]|\\s*(?:${w('tuổi', 'tháng', 'ngày', 'năm', 'đồng', 'triệu', 'nghìn', 'ngàn', 'phần trăm', 'lần', 'giờ')}|đ|k)${NOT_LETTER_AFTER})`,
    'gu',
  );
  const ageContext = new RegExp(`${w('tuổi', 'già', 'cụ')}|(?:^|[^\\p{L}])nct(?![\\p{L}])`, 'u');
  for (const m of scan.masked.matchAll(bare)) {
    const value = Number(m[2]);
    if (value < 1 || value > 120 || !ageContext.test(before(scan, m.index, 30))) continue;
    const { role, open } = ageRole(m[1], undefined);
    claim(scan, {
      kind: 'age',
      text: scan.text.slice(m.index, m.index + m[0].length),
      start: m.index,
      end: m.index + m[0].length,
      value,
      role,
      range: rangeOf(role, value, open),
      group: scan.nextGroup++,
    });
  }
}

function scanOthers(scan: Scan): void {
  const patterns: Array<[RegExp, QuantityKind, number]> = [
    [new RegExp(`${w('hệ số')}\\s*(?:${w('là', 'bằng')}\\s*|:\\s*)?(${NUM})`, 'gu'), 'coefficient', 1],
    [new RegExp(`(?<![\\d#.,])(${NUM})\\s*(?:%|${w('phần trăm')}${NOT_LETTER_AFTER})`, 'gu'), 'percent', 1],
    [new RegExp(`(?<![\\d#.,/])(${NUM})\\s*${w('ngày')}${NOT_LETTER_AFTER}(?!\\s*\\d)`, 'gu'), 'days', 2],
    [new RegExp(`(?<![\\d#.,/])(${NUM})\\s*${w('tháng')}${NOT_LETTER_AFTER}(?!\\s*(?:\\d|${w('tuổi')}))`, 'gu'), 'months', 2],
    [new RegExp(`(?<![\\d#.,/])(${NUM})\\s*${w('năm')}${NOT_LETTER_AFTER}(?!\\s*\\d)`, 'gu'), 'years', 2],
  ];
  for (const [re, kind, min] of patterns) {
    for (const m of scan.masked.matchAll(re)) {
      const value = parseNumber(m[1]!);
      // "1 tháng" after an amount is "per month", not a count.
      if (!Number.isFinite(value) || value < min) continue;
      claim(scan, { kind, text: scan.text.slice(m.index, m.index + m[0].length), start: m.index, end: m.index + m[0].length, value });
    }
  }
}

// Numbers written in words: "một triệu", "bảy trăm năm mươi nghìn đồng", "tám mươi tuổi".
const DIGIT_WORDS: Record<string, number> = {
  không: 0, một: 1, mốt: 1, hai: 2, ba: 3, bốn: 4, tư: 4, năm: 5, lăm: 5, sáu: 6, bảy: 7, bẩy: 7, tám: 8, chín: 9,
};
const SCALE_WORDS = new Set(['mười', 'mươi', 'trăm', 'nghìn', 'ngàn', 'triệu', 'tỷ', 'tỉ', 'rưỡi', 'linh', 'lẻ']);

function wordNumber(words: string[]): number | null {
  let total = 0;
  let hundreds = 0;
  let tens = 0;
  let pending: number | null = null;
  let last = 0;
  const group = () => hundreds + tens + (pending ?? 0);
  for (const word of words) {
    const d = DIGIT_WORDS[word];
    if (d !== undefined) {
      if (pending !== null) return null;
      pending = d;
    } else if (word === 'mười') tens = 10;
    else if (word === 'mươi') {
      tens = (pending ?? 1) * 10;
      pending = null;
    } else if (word === 'trăm') {
      hundreds = (pending ?? 1) * 100;
      pending = null;
      last = 100;
    } else if (word === 'nghìn' || word === 'ngàn' || word === 'triệu' || word === 'tỷ' || word === 'tỉ') {
      const scale = word === 'triệu' ? 1e6 : word === 'tỷ' || word === 'tỉ' ? 1e9 : 1e3;
      total += (group() || 1) * scale;
      hundreds = tens = 0;
      pending = null;
      last = scale;
    } else if (word === 'rưỡi') {
      if (last === 100) hundreds += 50;
      else if (last > 100) total += last / 2;
      else return null;
    }
  }
  // "một triệu hai" is 1.200.000.
  if (pending !== null && hundreds === 0 && tens === 0 && last >= 1000) return total + (pending * last) / 10;
  return total + group();
}

function scanWordNumbers(scan: Scan): void {
  const tokens = [...scan.text.matchAll(/[\p{L}\d%]+/gu)];
  for (let i = 0; i < tokens.length; i++) {
    let j = i;
    while (j < tokens.length && (DIGIT_WORDS[tokens[j]![0]] !== undefined || SCALE_WORDS.has(tokens[j]![0]))) j++;
    if (j === i) continue;
    const run = tokens.slice(i, j).map((t) => t[0]);
    const unit = tokens[j]?.[0];
    const unit2 = tokens[j + 1]?.[0];
    const hasScale = run.some((x) => ['nghìn', 'ngàn', 'triệu', 'tỷ', 'tỉ'].includes(x));
    let kind: QuantityKind | null = null;
    let unitEnd = tokens[j - 1]!.index + tokens[j - 1]![0].length;
    let divide = 1;
    if (unit === 'đồng' || hasScale) {
      kind = 'money';
      if (unit === 'đồng') unitEnd = tokens[j]!.index + unit.length;
    } else if (unit === 'tuổi' || (unit === 'tháng' && unit2 === 'tuổi')) {
      kind = 'age';
      if (unit === 'tháng') divide = 12;
      const u = unit === 'tháng' ? tokens[j + 1]! : tokens[j]!;
      unitEnd = u.index + u[0].length;
    } else if (unit === 'ngày' && run.some((x) => SCALE_WORDS.has(x))) {
      kind = 'days';
      unitEnd = tokens[j]!.index + unit.length;
    } else if (unit === 'phần' && unit2 === 'trăm') {
      kind = 'percent';
      unitEnd = tokens[j + 1]!.index + unit2.length;
    }
    const value = kind ? wordNumber(run) : null;
    const start = tokens[i]!.index;
    if (kind && value !== null && value > 0 && !(kind !== 'money' && value <= 1)) {
      const text = scan.text.slice(start, unitEnd);
      if (kind === 'money') {
        const q = moneyQuantity(scan, start, unitEnd, value);
        if (q) claim(scan, q);
      } else if (kind === 'age') {
        const relWord = /(?:^|[^\p{L}])(từ đủ|từ|đủ|trên|ngoài|hơn|dưới|chưa đủ|đến|tới)\s*$/u.exec(before(scan, start, 12))?.[1];
        const { role, open } = ageRole(relWord, scan.text.slice(unitEnd, unitEnd + 12).trim());
        const years = value / divide;
        claim(scan, { kind, text, start, end: unitEnd, value: years, role, range: rangeOf(role, years, open), group: scan.nextGroup++ });
      } else claim(scan, { kind, text, start, end: unitEnd, value });
    }
    i = j - 1;
  }
}

function scanText(text: string): Scan {
  const scan: Scan = { text, masked: maskLegalRefs(text), claimed: new Array<boolean>(text.length).fill(false), out: [], nextGroup: 1 };
  scanDates(scan);
  scanMoney(scan);
  scanAges(scan);
  scanOthers(scan);
  scanYears(scan);
  scanWordNumbers(scan);
  scan.out.sort((a, b) => a.start - b.start || a.value - b.value);
  return scan;
}

/**
 * The quantities in a text, with their kind and normalised value.
 *
 * @example
 * quantitiesIn('Khuyết tật nặng: 750 nghìn/tháng từ 01/7/2024').map((q) => [q.kind, q.value])
 * // → [['money', 750000], ['date', 20240701]]
 */
export function quantitiesIn(text: string): Quantity[] {
  return scanText(prepare(text)).out;
}

/**
 * The text with every quantity blanked out, so other checks see only the numbers that
 * are not amounts, ages, dates… (phone numbers, legal references).
 *
 * @example
 * textOutsideQuantities('Gọi 111, được 750 nghìn').trim() // → 'gọi 111, được'
 */
export function textOutsideQuantities(text: string): string {
  const prepared = prepare(text);
  let out = prepared;
  for (const q of scanText(prepared).out) out = out.slice(0, q.start) + ' '.repeat(q.end - q.start) + out.slice(q.end);
  return out;
}

// ---------------------------------------------------------------------------------------
// Group and condition words

interface LexiconEntry {
  key: string | null;
  axis?: string;
  /** Keys on other scales this one cannot go with ("thành thị" and a remote mountain commune). */
  excludes?: string[];
  /** Group words count in rules 2 and 3; bound and time words only in rule 1. */
  group: boolean;
  phrases: string[];
}

const LEXICON: LexiconEntry[] = [
  { key: 'đặc biệt nặng', axis: 'severity', group: true, phrases: ['đặc biệt nặng'] },
  { key: 'nặng', axis: 'severity', group: true, phrases: ['nặng'] },
  { key: 'nhẹ', axis: 'severity', group: true, phrases: ['nhẹ'] },
  { key: 'trẻ em', axis: 'population', group: true, phrases: ['trẻ em', 'trẻ', 'trẻ nhỏ'] },
  { key: 'người cao tuổi', axis: 'population', group: true, phrases: ['người cao tuổi', 'cao tuổi', 'người già', 'nct', 'cụ', 'ông bà cụ'] },
  { key: 'người lớn', axis: 'population', group: true, phrases: ['người lớn', 'người trưởng thành', 'người thành niên'] },
  { key: 'hộ nghèo', axis: 'poverty', group: true, phrases: ['hộ nghèo', 'nghèo'] },
  { key: 'hộ cận nghèo', axis: 'poverty', group: true, phrases: ['hộ cận nghèo', 'cận nghèo'] },
  { key: 'nông thôn', axis: 'area', group: true, phrases: ['nông thôn'] },
  { key: 'thành thị', axis: 'area', group: true, phrases: ['thành thị', 'đô thị', 'thành phố'] },
  { key: 'khuyết tật', group: true, phrases: ['khuyết tật', 'người khuyết tật', 'nkt', 'tàn tật'] },
  { key: 'lương hưu', group: true, phrases: ['lương hưu'] },
  { key: 'bảo hiểm xã hội', group: true, phrases: ['bảo hiểm xã hội', 'bhxh'] },
  { key: 'hưu trí xã hội', group: true, phrases: ['hưu trí xã hội'] },
  { key: 'phụng dưỡng', group: true, phrases: ['phụng dưỡng'] },
  { key: 'nhận chăm sóc', group: true, phrases: ['nhận chăm sóc', 'nhận nuôi dưỡng', 'nhận nuôi'] },
  { key: 'kinh phí chăm sóc', group: true, phrases: ['kinh phí chăm sóc', 'hỗ trợ chăm sóc', 'tiền chăm sóc'] },
  { key: 'mang thai', group: true, phrases: ['mang thai', 'có thai', 'có bầu'] },
  { key: 'nuôi con', group: true, phrases: ['nuôi con'] },
  { key: 'đơn thân', group: true, phrases: ['đơn thân'] },
  { key: 'mồ côi', group: true, phrases: ['mồ côi'] },
  { key: 'bỏ rơi', group: true, phrases: ['bỏ rơi'] },
  { key: 'nguồn nuôi dưỡng', group: true, phrases: ['nguồn nuôi dưỡng'] },
  { key: 'hiv', group: true, phrases: ['hiv', 'nhiễm hiv'] },
  { key: 'vùng đặc biệt khó khăn', group: true, excludes: ['thành thị'], phrases: ['đặc biệt khó khăn', 'dân tộc thiểu số', 'miền núi', 'vùng cao', 'vùng sâu'] },
  { key: 'cơ sở bảo trợ', group: true, phrases: ['cơ sở bảo trợ', 'cơ sở bảo trợ xã hội', 'cơ sở trợ giúp xã hội', 'trung tâm bảo trợ', 'cơ sở nuôi dưỡng'] },
  { key: 'mai táng', group: true, phrases: ['mai táng'] },
  { key: 'mức chuẩn', group: true, phrases: ['mức chuẩn'] },
  { key: 'chuẩn nghèo', group: true, phrases: ['chuẩn nghèo'] },
  { key: 'đi học', group: true, phrases: ['đi học', 'đang học'] },
  { key: 'bảo hiểm y tế', group: true, phrases: ['bảo hiểm y tế', 'bhyt'] },
  { key: 'trợ cấp tuất', group: true, phrases: ['trợ cấp tuất'] },
  // "một số bài báo ghi nhầm là 70.000 đồng": a figure the entry says is wrong.
  { key: 'ghi nhầm', group: false, phrases: ['ghi nhầm', 'nhầm', 'ghi sai', 'hiểu nhầm', 'tin đồn'] },
  { key: 'hiện nay', axis: 'time', group: false, phrases: ['hiện nay', 'hiện tại', 'hiện giờ', 'hiện hành', 'hiện là', 'bây giờ', 'đang áp dụng', 'mới nhất', 'năm nay'] },
  { key: 'trước đây', axis: 'time', group: false, phrases: ['trước đây', 'trước đó', 'trước là', 'hồi trước', 'lúc trước', 'ngày trước', 'trước kia', 'hồi đó', 'mức cũ', 'chuẩn cũ'] },
  { key: 'sắp tới', axis: 'time', group: false, phrases: ['sắp tới', 'năm tới', 'năm sau', 'tới đây'] },
  { key: 'ít nhất', axis: 'bound', group: false, phrases: ['ít nhất', 'tối thiểu', 'trở lên', 'thấp nhất', 'cao hơn'] },
  { key: 'tối đa', axis: 'bound', group: false, phrases: ['tối đa', 'nhiều nhất', 'không quá', 'trở xuống', 'thấp hơn'] },
  // Read as one phrase so their words are not taken for the words above.
  { key: null, group: false, phrases: ['cụ thể', 'thoát nghèo', 'giảm nghèo', 'nặng hơn', 'nhẹ hơn'] },
];

interface Syllable {
  tone: string;
  fold: string;
}
interface CompiledPhrase {
  entry: LexiconEntry;
  syllables: Syllable[];
}

const syllablesOf = (phrase: string): Syllable[] =>
  phrase
    .toLowerCase()
    .normalize('NFC')
    .split(/\s+/)
    .filter(Boolean)
    .map((tone) => ({ tone, fold: foldDiacritics(tone) }));

const PHRASES: CompiledPhrase[] = LEXICON.flatMap((entry) => entry.phrases.map((p) => ({ entry, syllables: syllablesOf(p) }))).sort(
  (a, b) => b.syllables.length - a.syllables.length,
);

const NEGATORS = new Set(['không', 'khong', 'chưa', 'chua', 'chẳng', 'ko', 'k', 'hông', 'hổng']);
const NEGATION_STOPS = new Set(['nhưng', 'mà', 'thì', 'nếu', 'đang']);
/** "cao hơn người lớn", "tăng theo mức chuẩn", "so với …": the group after these is compared with, not meant. */
const COMPARATIVE = new Set(['hơn', 'hon', 'theo']);

interface Token {
  tone: string;
  fold: string;
  start: number;
  end: number;
}

function tokensIn(text: string, start: number, end: number): Token[] {
  const out: Token[] = [];
  const re = /[\p{L}\p{N}#]+/gu;
  re.lastIndex = start;
  for (let m = re.exec(text); m && m.index < end; m = re.exec(text)) {
    if (m.index + m[0].length > end) break;
    out.push({ tone: m[0], fold: foldDiacritics(m[0]), start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** A word typed without diacritics matches by its folded form; one typed with them must be that word. */
const sameSyllable = (t: Token, s: Syllable): boolean => t.fold === s.fold && (t.tone === t.fold || t.tone === s.tone);

function wordTerms(text: string, start: number, end: number): FactTerm[] {
  const tokens = tokensIn(text, start, end);
  const out: FactTerm[] = [];
  let lastTermEnd = 0; // token index after the last phrase read: a negator reaches only the next one
  for (let i = 0; i < tokens.length; ) {
    const hit = PHRASES.find((p) => p.syllables.every((s, k) => tokens[i + k] !== undefined && sameSyllable(tokens[i + k]!, s)));
    if (!hit) {
      i++;
      continue;
    }
    const n = hit.syllables.length;
    const prev = tokens[i - 1];
    const prev2 = tokens[i - 2];
    const comparative =
      prev !== undefined &&
      !/[,;:.()]/.test(text.slice(prev.end, tokens[i]!.start)) &&
      (COMPARATIVE.has(prev.tone) || (sameSyllable(prev, { tone: 'với', fold: 'voi' }) && prev2 !== undefined && sameSyllable(prev2, { tone: 'so', fold: 'so' })));
    if (hit.entry.key && !comparative) {
      let neg = false;
      for (let k = i - 1; k >= lastTermEnd && k >= i - 8; k--) {
        if (/[,;:.()!?]/.test(text.slice(tokens[k]!.end, tokens[k + 1]!.start))) break;
        if (NEGATION_STOPS.has(tokens[k]!.tone)) break;
        if (NEGATORS.has(tokens[k]!.tone)) {
          neg = true;
          break;
        }
      }
      // "không có lương hưu, trợ cấp bảo hiểm xã hội": a list after "không" is all denied.
      const last = out.at(-1);
      if (!neg && last?.type === 'word' && last.neg && !hit.entry.axis && !last.axis && last.start !== undefined) {
        const gap = tokens.filter((t) => t.start > last.start! && t.start < tokens[i]!.start).length - last.text.split(/\s+/).length;
        if (gap <= 3 && /^[^;:.()]*,[^;:.()]*$|^\s*(?:,\s*)?(?:hoặc|hay|và)\s/u.test(text.slice(last.start + last.text.length, tokens[i]!.start))) neg = true;
      }
      // Bound words say which way, not whether: "không quá" is already "tối đa".
      if (hit.entry.axis === 'bound') neg = false;
      out.push({
        type: 'word',
        key: hit.entry.key,
        axis: hit.entry.axis,
        neg,
        text: text.slice(tokens[i]!.start, tokens[i + n - 1]!.end),
        start: tokens[i]!.start,
      });
    }
    i += n;
    lastTermEnd = i;
  }
  return out;
}

const excludes = (a: string, b: string): boolean =>
  (LEXICON.find((e) => e.key === a)?.excludes ?? []).includes(b) || (LEXICON.find((e) => e.key === b)?.excludes ?? []).includes(a);

const isGroupWord = (t: FactTerm): boolean =>
  t.type === 'word' && (LEXICON.find((e) => e.key === t.key)?.group ?? false);

// ---------------------------------------------------------------------------------------
// Segments: lines, list lead-ins, sentences, clause heads, items, comma parts, brackets

type Role = 'line' | 'sentence' | 'head' | 'item' | 'itemhead' | 'part' | 'paren' | 'cell';

interface Seg {
  start: number;
  end: number;
  role: Role;
  children: Seg[];
  parent?: Seg;
  /** "nặng, đặc biệt nặng: 750.000 hoặc 1.000.000 đồng": quantities given respectively. */
  respective?: Quantity[];
}

interface LineInfo {
  seg: Seg;
  kind: 'list' | 'para' | 'table' | 'heading';
  /** For list items: the paragraph line that introduces the list (ends with ":"). */
  lead?: LineInfo;
  heading?: LineInfo;
  /** Table rows: the header row's cells. */
  header?: Seg[];
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** Top-level separator positions in [s, e), brackets skipped. */
function topSplit(text: string, s: number, e: number, isSep: (i: number) => boolean): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let depth = 0;
  let from = s;
  for (let i = s; i < e; i++) {
    const c = text[i]!;
    if (c === '(' || c === '[') depth++;
    else if ((c === ')' || c === ']') && depth > 0) depth--;
    else if (depth === 0 && isSep(i)) {
      out.push([from, i]);
      from = i + 1;
    }
  }
  out.push([from, e]);
  return out.filter(([a, b]) => text.slice(a, b).trim().length > 0);
}

function topParens(text: string, s: number, e: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let depth = 0;
  let open = -1;
  for (let i = s; i < e; i++) {
    const c = text[i];
    if (c === '(') {
      if (depth === 0) open = i;
      depth++;
    } else if (c === ')' && depth > 0) {
      depth--;
      if (depth === 0) out.push([open, i + 1]);
    }
  }
  return out;
}

function node(start: number, end: number, role: Role, parent?: Seg): Seg {
  const seg: Seg = { start, end, role, children: [], parent };
  parent?.children.push(seg);
  return seg;
}

/** Brackets inside [s, e) that no child holds become children, parsed as clauses. */
function addParens(text: string, seg: Seg, qs: readonly Quantity[]): void {
  for (const [ps, pe] of topParens(text, seg.start, seg.end)) {
    if (seg.children.some((c) => c.start <= ps && pe <= c.end)) continue;
    clause(text, ps + 1, pe - 1, 'paren', seg, qs);
  }
}

/** A clause: "head: item; item", each item perhaps "part, part" when its parts hold like quantities. */
function clause(text: string, s: number, e: number, role: Role, parent: Seg | undefined, qs: readonly Quantity[]): Seg {
  const seg = node(s, e, role, parent);
  const isColon = (i: number) => text[i] === ':' && !(isDigit(text[i - 1]) && isDigit(text[i + 1]));
  const semis = topSplit(text, s, e, (i) => text[i] === ';');
  // "nặng: 750.000 đồng; đặc biệt nặng: 1.000.000 đồng": each item has its own head.
  if (semis.length > 1 && semis.filter(([a, b]) => topSplit(text, a, b, isColon).length > 1).length > 1) {
    for (const [a, b] of semis) clause(text, a, b, 'item', seg, qs);
    return seg;
  }
  const colon = topSplit(text, s, e, isColon);
  let bodyStart = s;
  if (colon.length > 1 && colon[0]![0] === s) {
    const head = node(s, colon[0]![1], 'head', seg);
    addParens(text, head, qs);
    bodyStart = colon[0]![1] + 1;
  }
  for (const [is, ie] of topSplit(text, bodyStart, e, (i) => text[i] === ';')) {
    const item = node(is, ie, 'item', seg);
    splitItem(text, item, qs);
    addParens(text, item, qs);
  }
  return seg;
}

/** Only a unit and "hoặc", "và" or a comma between two amounts: "750.000 hoặc 1.000.000 đồng/tháng". */
const RESPECTIVELY = new RegExp(`^\\s*(?:(?:${w('đồng')}|đ|vnđ)\\s*)?(?:\\/\\s*${w('tháng')}\\s*)?(?:,|${w('hoặc', 'và', 'hay')})\\s*$`, 'u');
const CONJUNCTIONS = /(?<![\p{L}])(?:và|còn|hoặc|hay|nhưng|va|hoac|nhung)(?![\p{L}])/gu;

function cutsBetween(text: string, list: readonly Quantity[], parens: ReadonlyArray<[number, number]>): number[] {
  const cuts: number[] = [];
  for (let k = 0; k + 1 < list.length; k++) {
    const from = list[k]!.end;
    const to = list[k + 1]!.start;
    let depth = 0;
    let comma = -1;
    for (let i = from; i < to; i++) {
      const c = text[i];
      if (c === '(') depth++;
      else if (c === ')' && depth > 0) depth--;
      else if (depth === 0 && c === ',' && !(isDigit(text[i - 1]) && isDigit(text[i + 1]))) comma = i;
    }
    if (comma >= 0) {
      cuts.push(comma);
      continue;
    }
    const between = text.slice(from, to);
    const conj = [...between.matchAll(CONJUNCTIONS)].filter((m) => !parens.some(([a, b]) => from + m.index >= a && from + m.index < b)).at(-1);
    if (conj) cuts.push(from + conj.index - 1);
  }
  return cuts;
}

/**
 * An item with two quantities of one kind is cut between them, at the last comma there,
 * else at the last "và", "còn", "hoặc": "đặc biệt nặng 1.250.000 đồng, nặng 1.000.000
 * đồng", "1.250.000 đồng nếu đặc biệt nặng và 1.000.000 đồng nếu nặng". Leading comma
 * parts without a quantity are shared ("Với người cao tuổi, …").
 */
function splitItem(text: string, item: Seg, qs: readonly Quantity[]): void {
  const parens = topParens(text, item.start, item.end);
  const inside = qs.filter((q) => within(q, item.start, item.end) && !parens.some(([a, b]) => q.start >= a && q.end <= b));
  const byKind = new Map<QuantityKind, Quantity[]>();
  for (const q of inside) {
    const list = byKind.get(q.kind) ?? [];
    if (q.group === undefined || !list.some((o) => o.group === q.group)) list.push(q);
    byKind.set(q.kind, list);
  }
  const all = new Set<number>();
  for (const [, list] of byKind) {
    list.sort((a, b) => a.start - b.start);
    if (list.length >= 2 && list.every((q, k) => k === 0 || RESPECTIVELY.test(text.slice(list[k - 1]!.end, q.start)))) {
      item.respective = list;
      return;
    }
  }
  for (const list of byKind.values()) if (list.length >= 2) for (const c of cutsBetween(text, list, parens)) all.add(c);
  const cuts = [...all].sort((a, b) => a - b);
  if (cuts.length === 0) return;
  // Shared opening: comma parts before the first quantity that hold no quantity at all.
  let headEnd = -1;
  let depth = 0;
  const firstQ = Math.min(...inside.map((q) => q.start));
  for (let i = item.start; i < Math.min(firstQ, cuts[0]!); i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (depth === 0 && c === ',' && !(isDigit(text[i - 1]) && isDigit(text[i + 1]))) headEnd = i;
  }
  let from = item.start;
  if (headEnd > 0) {
    node(item.start, headEnd, 'itemhead', item);
    from = headEnd + 1;
  }
  for (const cut of [...cuts, item.end]) {
    if (cut > from) node(from, cut, 'part', item);
    from = cut + 1;
  }
  for (const c of item.children) addParens(text, c, qs);
}

const LIST_MARKER = /^(\s*)(?:[-*+•]|\d{1,2}[.)])\s+/u;

function segment(text: string, qs: readonly Quantity[]): LineInfo[] {
  const lines: LineInfo[] = [];
  let offset = 0;
  let lastPara: LineInfo | undefined;
  let lastHeading: LineInfo | undefined;
  let tableHeader: Seg[] | undefined;
  for (const raw of text.split('\n')) {
    const start = offset;
    const end = offset + raw.length;
    offset = end + 1;
    if (raw.trim() === '') {
      tableHeader = undefined;
      continue;
    }
    const marker = LIST_MARKER.exec(raw);
    if (/^\s*\|/.test(raw)) {
      if (/^\s*\|?[\s:|-]+\|?\s*$/.test(raw)) continue; // |---|---|
      const row = node(start, end, 'line');
      const cells: Seg[] = [];
      let from = raw.indexOf('|') + 1;
      for (let i = from; i <= raw.length; i++) {
        if (i === raw.length || raw[i] === '|') {
          if (raw.slice(from, i).trim()) cells.push(clause(text, start + from, start + i, 'cell', row, qs));
          from = i + 1;
        }
      }
      const info: LineInfo = { seg: row, kind: 'table', header: tableHeader, heading: lastHeading };
      if (!tableHeader) tableHeader = cells;
      lines.push(info);
      continue;
    }
    tableHeader = undefined;
    if (/^\s*#+\s/.test(raw)) {
      const h = /^\s*#+\s*/.exec(raw)![0].length;
      const seg = node(start + h, end, 'line');
      clause(text, start + h, end, 'sentence', seg, qs);
      lastHeading = { seg, kind: 'heading' };
      lines.push(lastHeading);
      lastPara = undefined;
      continue;
    }
    const contentStart = start + (marker ? marker[0].length : 0);
    const seg = node(contentStart, end, 'line');
    for (const [a, b] of topSplit(text, contentStart, end, (i) => /[.!?…]/.test(text[i]!) && (i + 1 >= end || /\s/.test(text[i + 1]!)))) {
      clause(text, a, b, 'sentence', seg, qs);
    }
    if (marker) {
      const lead = lastPara && text.slice(lastPara.seg.start, lastPara.seg.end).trimEnd().endsWith(':') ? lastPara : undefined;
      lines.push({ seg, kind: 'list', lead, heading: lastHeading });
    } else {
      const info: LineInfo = { seg, kind: 'para', heading: lastHeading };
      lines.push(info);
      lastPara = info;
    }
  }
  return lines;
}

// ---------------------------------------------------------------------------------------
// Facts

function within(q: Quantity, s: number, e: number): boolean {
  return q.start >= s && q.end <= e;
}

function deepest(seg: Seg, q: Quantity): Seg {
  for (const c of seg.children) if (within(q, c.start, c.end)) return deepest(c, q);
  return seg;
}

/** y·10000+m·100+d; a missing month or day is the first, or with `last` the last, of the period. */
function dateOrdinal(d: DateParts, last = false): number {
  return (d.y ?? 0) * 10000 + (d.m ?? (last ? 12 : 1)) * 100 + (d.d ?? (last ? 31 : 1));
}

function todayOrdinal(at: Date): number {
  const v = new Date(at.getTime() + 7 * 3600 * 1000); // Vietnam time
  return v.getUTCFullYear() * 10000 + (v.getUTCMonth() + 1) * 100 + v.getUTCDate();
}

interface Extracted {
  text: string;
  quantities: Quantity[];
  facts: Fact[];
}

function extract(rawText: string, entryId: string, at: Date): Extracted {
  const text = prepare(rawText);
  const qs = scanText(text).out;
  const lines = segment(text, qs);
  const same = (q: Quantity, o: Quantity) => o !== q && o.kind === q.kind && (q.group === undefined || o.group !== q.group);
  const sameKindIn = (q: Quantity, s: number, e: number) => qs.some((o) => same(q, o) && within(o, s, e));
  const ownRanges = (seg: Seg): Array<[number, number]> => {
    const out: Array<[number, number]> = [];
    let from = seg.start;
    for (const c of [...seg.children].sort((a, b) => a.start - b.start)) {
      if (c.start > from) out.push([from, c.start]);
      from = Math.max(from, c.end);
    }
    if (seg.end > from) out.push([from, seg.end]);
    return out;
  };
  const ownHasSame = (q: Quantity, seg: Seg) => ownRanges(seg).some(([a, b]) => sameKindIn(q, a, b));

  /** A segment's text without the parts that hold another quantity of q's kind. */
  const subtree = (q: Quantity, seg: Seg, out: Array<[number, number]>) => {
    if (!sameKindIn(q, seg.start, seg.end)) {
      out.push([seg.start, seg.end]);
      return;
    }
    if (!ownHasSame(q, seg)) out.push(...ownRanges(seg));
    // "(là trẻ em hoặc người cao tuổi: 1.000.000 đồng)": the head goes with the amount after it.
    for (const c of seg.children) if (c.role !== 'head' && c.role !== 'itemhead') subtree(q, c, out);
  };

  const kindsOwn = (seg: Seg) => new Set(qs.filter((o) => ownRanges(seg).some(([a, b]) => within(o, a, b))).map((o) => o.kind));
  const kindsUnder = (seg: Seg) => new Set(qs.filter((o) => within(o, seg.start, seg.end)).map((o) => o.kind));
  /** An ancestor's own text that also holds another like quantity: only the stretch between the neighbours of q. */
  const SEPARATOR = /[,;:]|(?<![\p{L}])(?:và|còn|hoặc|nhưng)(?![\p{L}])/gu;
  const windowed = (q: Quantity, seg: Seg): Array<[number, number]> => {
    let lo = seg.start;
    let hi = seg.end;
    for (const o of qs) {
      if (!same(q, o) || !within(o, seg.start, seg.end)) continue;
      if (o.end <= q.start) {
        // Words right after the other quantity are its own ("500.000 đồng cho mỗi con từ 01/7/2024 (…)"),
        // words after a comma are q's ("1.000.000 đồng, cao hơn trợ cấp cho người từ 80 tuổi (500.000 đồng)").
        const seps = [...text.slice(o.end, q.start).matchAll(SEPARATOR)];
        lo = Math.max(lo, seps.length ? o.end + seps.at(-1)!.index + seps.at(-1)![0].length : q.start);
      } else if (o.start >= q.end) {
        const sep = [...text.slice(q.end, o.start).matchAll(SEPARATOR)][0];
        hi = Math.min(hi, sep ? q.end + sep.index : o.start);
      }
    }
    return ownRanges(seg)
      .map(([a, b]): [number, number] => [Math.max(a, lo), Math.min(b, hi)])
      .filter(([a, b]) => a < b);
  };

  const pieces = (
    q: Quantity,
    line: LineInfo,
    far: Array<[number, number]> = [],
    openers: Array<[number, number]> = [],
  ): Array<[number, number]> => {
    const out: Array<[number, number]> = [];
    const leaf = deepest(line.seg, q);
    // The leaf: its own text and brackets without a like quantity. With several like quantities
    // ("tăng từ 360.000 đồng lên 500.000 đồng từ 01/7/2024"), each has the words from the one
    // before it to itself, the last also what follows, and all share the opening words.
    const likeInLeaf = qs.filter((o) => same(q, o) && ownRanges(leaf).some(([a, b]) => within(o, a, b))).sort((a, b) => a.start - b.start);
    let holder: Seg | undefined = leaf;
    while (holder && !holder.respective) holder = holder.parent;
    if (likeInLeaf.length && !holder) {
      const before = likeInLeaf.filter((o) => o.end <= q.start).at(-1);
      const after = likeInLeaf.find((o) => o.start >= q.end);
      const first = likeInLeaf[0]!.start < q.start ? likeInLeaf[0]! : undefined;
      const lo = before ? before.end : leaf.start;
      const hi = after ? q.end + (/^(?:\s*(?:đồng|đ|dong))?(?:\s*\/\s*\p{L}+)?/u.exec(text.slice(q.end))?.[0].length ?? 0) : leaf.end;
      for (const [a, b] of ownRanges(leaf)) if (Math.max(a, lo) < Math.min(b, hi)) out.push([Math.max(a, lo), Math.min(b, hi)]);
      if (first) openers.push([leaf.start, first.start]);
    } else out.push(...ownRanges(leaf));
    for (const c of leaf.children) if (!within(q, c.start, c.end)) subtree(q, c, out);
    let child = leaf;
    for (let seg = leaf.parent; seg; child = seg, seg = seg.parent) {
      out.push(...(ownHasSame(q, seg) ? windowed(q, seg) : ownRanges(seg)));
      const childIsHead = child.role === 'head' || child.role === 'itemhead';
      for (const sib of seg.children) {
        if (sib === child) continue;
        if (sib.role === 'head' || sib.role === 'itemhead') {
          // A head speaks for the items after it, unless an item gives its own of the head's kind
          // ("Năm 2026 …: …; từ năm 2027 là …").
          const own = kindsOwn(sib);
          if ((ownHasSame(q, sib) && q.kind !== 'age') || [...kindsUnder(child)].some((k) => k !== q.kind && own.has(k))) continue;
          if (q.kind === 'age') out.push([sib.start, sib.end]);
          else subtree(q, sib, out);
        } else if (sib.role === 'paren' || sib.role === 'cell') {
          if (!ownHasSame(q, sib)) subtree(q, sib, out);
        } else if (childIsHead && (sib.role === 'item' || sib.role === 'part')) {
          const own = kindsOwn(child);
          if ([...kindsUnder(sib)].some((k) => own.has(k))) continue;
          subtree(q, sib, out);
        }
      }
      if (seg.role === 'sentence' || seg.role === 'line') break;
    }
    // A table cell: its column's header too.
    if (line.kind === 'table' && line.header) {
      const cells = line.seg.children;
      const col = cells.findIndex((c) => within(q, c.start, c.end));
      const h = line.header[col];
      if (h && h.parent !== line.seg && !sameKindIn(q, h.start, h.end)) out.push([h.start, h.end]);
    }
    // A list item: the sentences of the line that introduces the list; a heading.
    // Ages are brackets: "Trẻ em dưới 16 tuổi … được:" still speaks for "- Dưới 4 tuổi: …".
    for (const ctx of [line.kind === 'list' ? line.lead : undefined, line.heading]) {
      if (!ctx) continue;
      for (const s of ctx.seg.children) if (q.kind === 'age' || !sameKindIn(q, s.start, s.end)) far.push([s.start, s.end]);
    }
    return out;
  };

  const termsOf = (q: Quantity, ranges: Array<[number, number]>, far: Array<[number, number]> = []): FactTerm[] => {
    let terms: FactTerm[] = [];
    for (const [a, b] of [...ranges, ...far]) terms.push(...wordTerms(text, a, b));
    const seenGroups = new Set<number>();
    const nearKinds = new Set(qs.filter((o) => o !== q && ranges.some(([a, b]) => within(o, a, b))).map((o) => o.kind));
    // A lead-in's dates or ages count only where the line gives none of its own
    // ("chuẩn nghèo 2026–2030: … Từ năm 2027 đến năm 2030: …").
    const inFar = (o: Quantity) => !nearKinds.has(o.kind) && far.some(([a, b]) => within(o, a, b));
    for (const o of qs) {
      if (o === q || o.kind === q.kind || !(ranges.some(([a, b]) => within(o, a, b)) || inFar(o))) continue;
      if (o.group !== undefined) {
        if (seenGroups.has(o.group)) continue;
        seenGroups.add(o.group);
      }
      terms.push({ type: 'quantity', quantity: o });
    }
    if (q.bound) terms.push({ type: 'word', key: q.bound === 'up' ? 'ít nhất' : 'tối đa', axis: 'bound', neg: false, text: q.bound === 'up' ? 'ít nhất' : 'tối đa' });
    // Several age bounds around one quantity ("trẻ dưới 16 tuổi … dưới 4 tuổi") narrow each other.
    const ages = terms.filter((t): t is Extract<FactTerm, { type: 'quantity' }> => t.type === 'quantity' && t.quantity.kind === 'age');
    const both = ages.length > 1 ? intersect(ages.map((t) => t.quantity.range!).filter(Boolean)) : null;
    if (both) {
      const merged: Quantity = { ...ages[0]!.quantity, text: ages.map((t) => t.quantity.text).join(' + '), range: both, group: undefined };
      terms = [...terms.filter((t) => !ages.includes(t as never)), { type: 'quantity', quantity: merged }];
    }
    // Dates around it say whether a rate ended, is in force or is still to come.
    const today = todayOrdinal(at);
    let ended: FactTerm | undefined;
    let started: FactTerm | undefined;
    let coming: FactTerm | undefined;
    for (const t of terms) {
      if (t.type !== 'quantity' || t.quantity.kind !== 'date' || !t.quantity.date?.y) continue;
      const { rel, date } = t.quantity;
      if ((rel === 'until' || rel === 'before') && dateOrdinal(date, true) < today) ended ??= t;
      else if (rel !== 'until' && rel !== 'before' && dateOrdinal(date) > today) coming ??= t;
      else if (rel === 'from' || rel === 'after') started ??= t;
    }
    const time = (key: string, t: FactTerm): FactTerm => ({ type: 'word', key, axis: 'time', neg: false, text: termText(t) });
    // Words ("trước đó là 360.000 đồng") say it better than a date nearby.
    if (terms.some((t) => t.type === 'word' && t.axis === 'time')) return terms;
    if (ended) terms.push(time('trước đây', ended));
    else if (coming) terms.push(time('sắp tới', coming));
    else if (started) terms.push(time('hiện nay', started));
    return terms;
  };

  const facts: Fact[] = [];
  for (const line of lines) {
    for (const q of qs) {
      if (!within(q, line.seg.start, line.seg.end)) continue;
      const far: Array<[number, number]> = [];
      const openers: Array<[number, number]> = [];
      const ranges = pieces(q, line, far, openers);
      let terms = termsOf(q, ranges, far);
      // "người cao tuổi khuyết tật nặng được 1.000.000 đồng, đặc biệt nặng 1.250.000 đồng",
      // "cháu dưới 16 tuổi, đặc biệt nặng 1.250.000 đồng; nặng 1.000.000 đồng": a later part or item
      // leaves out what the first opened with; it keeps its own words where they clash.
      const leaf = deepest(line.seg, q);
      // Group words carry over, and ages (who it is for); dates do not ("trước đó là …").
      const inherit = (from: number, to: number, ages = true) => {
        for (const t of wordTerms(text, from, to)) {
          if (t.type !== 'word' || !isGroupWord(t)) continue;
          if (terms.some((u) => u.type === 'word' && (u.key === t.key || (t.axis !== undefined && u.axis === t.axis)))) continue;
          terms.push(t);
        }
        for (const o of qs) {
          if (!ages || o.kind !== 'age' || o.kind === q.kind || !within(o, from, to)) continue;
          if (terms.some((u) => u.type === 'quantity' && u.quantity.kind === o.kind)) continue;
          terms.push({ type: 'quantity', quantity: o });
        }
      };
      const part = leaf.role === 'part' ? leaf : leaf.parent?.role === 'part' ? leaf.parent : undefined;
      const firstPart = part?.parent?.children.find((c) => c.role === 'part');
      if (part && firstPart && firstPart !== part) {
        const opener = qs.find((o) => o.kind === q.kind && within(o, firstPart.start, firstPart.end));
        if (opener) inherit(firstPart.start, opener.start);
      }
      for (const [a, b] of openers) inherit(a, b);
      let item: Seg | undefined = leaf;
      while (item && item.role !== 'item') item = item.parent;
      const items = item?.parent?.children.filter((c) => c.role === 'item') ?? [];
      if (item && items.indexOf(item) > 0) {
        const opener = qs.find((o) => o.kind === q.kind && within(o, items[0]!.start, items[0]!.end));
        if (opener) inherit(items[0]!.start, opener.start);
      }
      // "Mức chuẩn … hiện nay là 500.000 đồng (trước đó là 360.000 đồng)": a bracketed like quantity
      // takes the words that opened the clause around it.
      for (let seg = leaf.parent, child: Seg = leaf; seg; child = seg, seg = seg.parent) {
        if (child.role === 'paren') {
          const outer = qs.find((o) => same(q, o) && o.end <= child.start && within(o, seg.start, seg.end) && !within(o, child.start, child.end));
          if (outer) inherit(seg.start, outer.start, false);
          break;
        }
        if (seg.role === 'sentence' || seg.role === 'line') break;
      }
      // "nặng, đặc biệt nặng được ít nhất 750.000 hoặc 1.000.000 đồng": the k-th amount takes the k-th word.
      let holder: Seg | undefined = leaf;
      while (holder && !holder.respective) holder = holder.parent;
      const list = holder?.respective;
      const k = list ? list.indexOf(q) : -1;
      if (list && k >= 0) {
        const byAxis = new Map<string, string[]>();
        for (const t of terms) {
          if (t.type !== 'word' || !t.axis || t.neg || t.start === undefined || t.start > list[0]!.start || t.start < holder!.start) continue;
          const keys = byAxis.get(t.axis) ?? [];
          if (!keys.includes(t.key)) keys.push(t.key);
          byAxis.set(t.axis, keys);
        }
        for (const [axis, keys] of byAxis) {
          if (keys.length !== list.length) continue;
          terms = terms.filter((t) => t.type !== 'word' || t.axis !== axis || t.neg || t.key === keys[k]);
        }
      }
      // Nothing says who it is for ("Mức: 500.000 đồng"): the sentence before, else the opening paragraph.
      if (!terms.some((t) => isGroupWord(t) || (t.type === 'quantity' && (t.quantity.kind === 'age' || t.quantity.kind === 'coefficient')))) {
        const sentence = line.seg.children.find((s) => within(q, s.start, s.end));
        const idx = sentence ? line.seg.children.indexOf(sentence) : -1;
        const extra: Array<[number, number]> = [];
        const prev = idx > 0 ? line.seg.children[idx - 1] : undefined;
        // "… người lo mai táng được hỗ trợ ít nhất 10.000.000 đồng. … trước đó là 7.200.000 đồng.":
        // the sentence before, or the words it opened with before its own amount.
        const prevLike = prev ? qs.filter((o) => same(q, o) && within(o, prev.start, prev.end)).sort((a, b) => a.start - b.start)[0] : undefined;
        const prevEnd = prev ? (prevLike ? prevLike.start : prev.end) : 0;
        if (prev && wordTerms(text, prev.start, prevEnd).some(isGroupWord)) extra.push([prev.start, prevEnd]);
        else {
          const first = lines.find((l) => l.kind === 'para');
          if (first && first !== line && first !== line.lead) {
            for (const s of first.seg.children) if (!sameKindIn(q, s.start, s.end)) extra.push([s.start, s.end]);
          }
        }
        if (extra.length) {
          ranges.push(...extra);
          terms.push(...termsOf(q, extra));
        }
      }
      const attachment = mergeRanges([...far, ...ranges])
        .map(([a, b]) => text.slice(a, b).trim())
        .filter(Boolean)
        .join(' … ');
      const peers = qs.filter((o) => same(q, o) && ranges.some(([a, b]) => within(o, a, b)));
      facts.push({ quantity: q, terms, attachment, entryId, peers });
    }
  }
  return { text, quantities: qs, facts };
}

function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/**
 * The facts of a text (an entry's rendered body, or a reply): each quantity with the
 * words it is attached to.
 *
 * @example
 * factsIn('Mức tối thiểu từ 01/7/2024:\n\n- Khuyết tật đặc biệt nặng: 1.000.000 đồng/tháng;\n- Khuyết tật nặng: 750.000 đồng/tháng;')
 *   .filter((f) => f.quantity.kind === 'money')
 *   .map((f) => [f.quantity.value, f.attachment])
 * // → [[1000000, 'mức tối thiểu từ 01/7/2024: … khuyết tật đặc biệt nặng: 1.000.000 đồng/tháng;'],
 * //    [750000, 'mức tối thiểu từ 01/7/2024: … khuyết tật nặng: 750.000 đồng/tháng;']]
 */
export function factsIn(text: string, entryId = '', options: FactCheckOptions = {}): Fact[] {
  return extract(text, entryId, options.at ?? new Date()).facts;
}

/** An entry's facts: its body, its source line ("Luật Người khuyết tật 2010") and its effective date. */
export function entryFacts(entry: FactSource, options: FactCheckOptions = {}): Fact[] {
  const at = options.at ?? new Date();
  const facts = extract(entry.body, entry.id, at).facts;
  if (entry.source) facts.push(...extract(entry.source, entry.id, at).facts.map((f) => ({ ...f, weak: true })));
  const eff = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(entry.effective ?? '');
  if (eff) {
    const date: DateParts = { y: Number(eff[1]), m: eff[2] ? Number(eff[2]) : undefined, d: eff[3] ? Number(eff[3]) : undefined };
    const quantity: Quantity = { kind: 'date', text: entry.effective!, start: 0, end: 0, value: dateOrdinal(date), date, rel: 'on' };
    facts.push({ quantity, terms: [], attachment: '', entryId: entry.id, weak: true });
  }
  return facts;
}

// ---------------------------------------------------------------------------------------
// Comparing

const relUp = (r: DateRelation | undefined) => r === 'from' || r === 'after';
const relDown = (r: DateRelation | undefined) => r === 'before' || r === 'until';

function relCompatible(a: DateRelation | undefined, b: DateRelation | undefined): boolean {
  if (!a || !b || a === 'on' || b === 'on' || a === b) return true;
  return (relUp(a) && relUp(b)) || (relDown(a) && relDown(b));
}

/** Same calendar date as far as both say; a reply may add the 1st of a month the entry names. */
function sameDate(reply: DateParts, fact: DateParts): boolean {
  for (const k of ['y', 'm', 'd'] as const) {
    const r = reply[k];
    const f = fact[k];
    if (r !== undefined && f !== undefined && r !== f) return false;
    if (r !== undefined && f === undefined && !(r === 1 && (k === 'd' || (k === 'm' && reply.d === 1)))) return false;
  }
  return true;
}

function intersect(ranges: AgeRange[]): AgeRange | null {
  let lo = -Infinity;
  let hi = Infinity;
  let hiOpen = false;
  for (const r of ranges) {
    lo = Math.max(lo, r.lo);
    if (r.hi < hi || (r.hi === hi && r.hiOpen)) {
      hiOpen = r.hi < hi ? r.hiOpen : hiOpen || r.hiOpen;
      hi = r.hi;
    }
  }
  if (lo > hi || (lo === hi && hiOpen)) return null;
  return { lo, hi, hiOpen };
}

const near = (a: number, b: number) => Math.abs(a - b) < 1e-6 * Math.max(1, Math.abs(a));

/** Whether a reply quantity states the same value as an entry quantity. */
export function sameQuantity(reply: Quantity, fact: Quantity): boolean {
  if (reply.kind !== fact.kind) return false;
  if (reply.kind === 'date') return sameDate(reply.date ?? {}, fact.date ?? {}) && relCompatible(reply.rel, fact.rel);
  if (!near(reply.value, fact.value)) return false;
  if (reply.kind === 'age') {
    const r = reply.role ?? 'point';
    const f = fact.role ?? 'point';
    if (r === 'point') return f !== 'hi' || !fact.range?.hiOpen;
    if (f === 'point') return r !== 'hi' || !reply.range?.hiOpen;
    return r === f;
  }
  return true;
}

/** Whether entry quantity `b` can be about what reply quantity `a` is: a year and a date in it, an age bracket holding the reply's. */
function overlaps(a: Quantity, b: Quantity): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'date') {
    const da = a.date ?? {};
    const db = b.date ?? {};
    return (sameDate(da, db) || sameDate(db, da)) && relCompatible(a.rel, b.rel);
  }
  // Ages are brackets: "dưới 16 tuổi" holds "dưới 4 tuổi", "từ đủ 70 tuổi" holds "từ đủ 70 đến dưới 75",
  // but "từ đủ 75 tuổi" does not hold "từ đủ 70 tuổi".
  if (a.kind === 'age' && a.range && b.range) {
    const inner = a.range;
    const outer = b.range;
    if (inner.lo < outer.lo || inner.hi > outer.hi) return false;
    return !(inner.hi === outer.hi && outer.hiOpen && !inner.hiOpen && Number.isFinite(inner.hi));
  }
  return near(a.value, b.value);
}

/** Whether the attachment `terms` says what the reply term `t` says. */
function has(terms: readonly FactTerm[], t: FactTerm): boolean {
  if (t.type === 'word') return terms.some((a) => a.type === 'word' && a.key === t.key && a.neg === t.neg);
  const q = t.quantity;
  const like = terms.filter((a): a is Extract<FactTerm, { type: 'quantity' }> => a.type === 'quantity' && a.quantity.kind === q.kind);
  if (q.kind === 'age') return ageFits(q, like.map((a) => a.quantity));
  return like.some((a) => sameQuantity(q, a.quantity));
}

/**
 * A reply's age bound fits a fact's range when each bound the reply states lies within
 * the fact's, and they overlap: "từ đủ 4 tuổi" fits [4, 16) (the reply leaves out the
 * upper bound), "dưới 16 tuổi" does not fit [0, 4), "từ 80" does not fit [60, 80).
 */
function boundsFit(inner: AgeRange, outer: AgeRange): boolean {
  if (Number.isFinite(inner.lo) && inner.lo < outer.lo) return false;
  if (Number.isFinite(inner.hi)) {
    if (inner.hi > outer.hi) return false;
    if (inner.hi === outer.hi && outer.hiOpen && !inner.hiOpen) return false;
  }
  const lo = Math.max(inner.lo, outer.lo);
  const hi = Math.min(inner.hi, outer.hi);
  const open = (hi === inner.hi && inner.hiOpen) || (hi === outer.hi && outer.hiOpen);
  return lo < hi || (lo === hi && !open);
}

function ageFits(q: Quantity, ages: Quantity[]): boolean {
  const ranges = ages.map((a) => a.range).filter((r): r is AgeRange => r !== undefined);
  if (!q.range || ranges.length === 0) return false;
  const all = intersect(ranges);
  if (all) return boundsFit(q.range, all);
  return ranges.some((r) => boundsFit(q.range!, r));
}

/** Rule 1: the attachment says something else on the same scale. */
function conflictWith(terms: readonly FactTerm[], t: FactTerm): FactTerm[] {
  if (t.type === 'word') {
    const opposite = terms.filter((a) => a.type === 'word' && ((a.key === t.key && a.neg !== t.neg) || (!a.neg && !t.neg && excludes(a.key, t.key))));
    if (opposite.length) return opposite;
    if (!t.axis || t.neg) return [];
    const sameAxis = terms.filter((a) => a.type === 'word' && a.axis === t.axis && !a.neg);
    return sameAxis.length && !has(terms, t) ? sameAxis : [];
  }
  const like = terms.filter((a) => a.type === 'quantity' && a.quantity.kind === t.quantity.kind);
  return like.length && !has(terms, t) ? like : [];
}

const termText = (t: FactTerm): string => (t.type === 'word' ? `${t.neg ? 'không ' : ''}${t.text}` : t.quantity.text);
const quote = (ts: readonly FactTerm[]) => [...new Set(ts.map(termText))].map((s) => `"${s}"`).join(', ');
const counts = (t: FactTerm) => t.type === 'quantity' || isGroupWord(t);
/**
 * Rule 3 compares who a value is for; dates say when, and are left to rules 1 and 2.
 * "người lớn" is who a rate is for when nothing else is said, so it makes no special case.
 */
const countsForGroup = (t: FactTerm) =>
  counts(t) && !(t.type === 'quantity' && t.quantity.kind === 'date') && !(t.type === 'word' && t.key === 'người lớn' && !t.neg);
const groupTermKey = (t: FactTerm): string => {
  if (t.type === 'word') return `${t.neg ? '!' : ''}${t.key}`;
  const q = t.quantity;
  if (q.kind === 'age' && q.range) return `age:${q.range.lo}-${q.range.hi}${q.range.hiOpen ? ')' : ']'}`;
  if (q.kind === 'date') return `date:${q.value}:${q.rel}`;
  return `${q.kind}:${q.value}`;
};

/**
 * Whether the reply's `u` tells `fact` from `other`: a group word the other lacks, or a
 * quantity the other gives differently ("hệ số 1,5" against "hệ số 2,0"); a quantity
 * the other does not mention at all tells nothing.
 */
function setsApart(u: FactTerm, fact: Fact, other: Fact): boolean {
  if (!counts(u) || !has(fact.terms, u) || has(other.terms, u)) return false;
  return u.type === 'word' || conflictWith(other.terms, u).length > 0;
}

interface Verdict {
  ok: boolean;
  why?: string;
}

function judge(reply: Fact, fact: Fact, others: readonly Fact[]): Verdict {
  const where = fact.entryId ? ` (${fact.entryId})` : '';
  const mistaken = (f: Fact) => f.terms.some((t) => t.type === 'word' && t.key === 'ghi nhầm' && !t.neg);
  if (mistaken(fact) && !mistaken(reply)) return { ok: false, why: `${fact.quantity.text}${where} is a figure the entry calls a mistake` };
  for (const t of reply.terms) {
    if (has(fact.terms, t)) continue;
    // "từ 01/7/2024 (trước đó là 360.000 đồng)": among several amounts or dates by one quantity, one that fits is enough.
    if (t.type === 'quantity' && reply.terms.some((u) => u !== t && u.type === 'quantity' && u.quantity.kind === t.quantity.kind && has(fact.terms, u))) continue;
    const clash = conflictWith(fact.terms, t);
    if (clash.length) return { ok: false, why: `reply says "${termText(t)}" but ${fact.quantity.text}${where} is for ${quote(clash)}` };
    if (!counts(t) && !(t.type === 'word' && t.axis === 'time')) continue;
    // Rule 2: the word belongs to another value, and nothing in the reply points to this one.
    // A rival the reply names right there ("dưới 16 tuổi … 1.250.000 đồng nếu dưới 4 tuổi") explains the word.
    const owner = others.find(
      (s) => has(s.terms, t) && !reply.terms.some((u) => setsApart(u, fact, s)) && !reply.peers?.some((p) => sameQuantity(p, s.quantity)),
    );
    if (owner) {
      return {
        ok: false,
        why: `reply says "${termText(t)}", which goes with ${owner.quantity.text}${owner.entryId ? ` (${owner.entryId})` : ''}, not ${fact.quantity.text}${where}`,
      };
    }
  }
  // Rule 3: a special case's value said without its condition, where a plainer fact fits.
  const replyGroup = reply.terms.filter(countsForGroup);
  if (replyGroup.length) {
    const factKeys = new Set(fact.terms.filter(countsForGroup).map(groupTermKey));
    for (const s of others) {
      const sGroup = s.terms.filter(countsForGroup);
      if (!sGroup.length || !replyGroup.every((t) => has(s.terms, t))) continue;
      if (replyGroup.some((t) => conflictWith(s.terms, t).length)) continue;
      const sKeys = new Set(sGroup.map(groupTermKey));
      if (sKeys.size >= factKeys.size || ![...sKeys].every((k) => factKeys.has(k))) continue;
      const missing = fact.terms.filter((t) => countsForGroup(t) && !sKeys.has(groupTermKey(t)));
      // Only a condition on who (severity, population, poverty, area, age) makes a special case;
      // a topic word one entry happens to repeat ("chuẩn nghèo") does not.
      if (missing.some((t) => (t.type === 'word' && t.axis !== undefined) || (t.type === 'quantity' && t.quantity.kind === 'age'))) {
        return {
          ok: false,
          why: `${fact.quantity.text}${where} is only for ${quote(missing)}, which the reply leaves out; otherwise it is ${s.quantity.text}${s.entryId ? ` (${s.entryId})` : ''}`,
        };
      }
    }
  }
  return { ok: true };
}

/**
 * Checks every quantity of a reply against the facts of the entries it was given.
 * Entries' bodies should be rendered (policy and centre placeholders filled) as the
 * model saw them. An empty list means every quantity is an entry fact, said of a
 * compatible group.
 *
 * @example
 * const entry = { id: 'nkt', body: '- Khuyết tật đặc biệt nặng: 1.000.000 đồng/tháng;\n- Khuyết tật nặng: 750.000 đồng/tháng.' };
 * checkFacts('Khuyết tật nặng: 1.000.000 đồng', [entry]).map(describeFactProblem)
 * // → ['1.000.000 đồng (money): reply says "nặng" but 1.000.000 đồng (nkt) is for "đặc biệt nặng"']
 * checkFacts('Người khuyết tật nặng được 750 nghìn mỗi tháng.', [entry]) // → []
 */
export function checkFacts(reply: string, entries: readonly FactSource[], options: FactCheckOptions = {}): FactProblem[] {
  const at = options.at ?? new Date();
  const facts = entries.flatMap((e) => entryFacts(e, { at }));
  const problems: FactProblem[] = [];
  for (const r of extract(reply, '', at).facts) {
    const words = r.terms.filter((t) => t.type === 'quantity' || t.axis !== undefined || isGroupWord(t)).map(termText);
    const candidates = facts.filter((f) => sameQuantity(r.quantity, f.quantity));
    if (candidates.length === 0) {
      problems.push({ quantity: r.quantity.text, kind: r.quantity.kind, reason: 'not-in-entries', words, detail: 'no entry states this value' });
      continue;
    }
    const others = facts.filter((f) => !f.weak && f.quantity.kind === r.quantity.kind && !overlaps(r.quantity, f.quantity));
    const verdicts = candidates.map((f) => judge(r, f, others));
    if (verdicts.some((v) => v.ok)) continue;
    const reasons = [...new Set(verdicts.map((v) => v.why!))];
    problems.push({
      quantity: r.quantity.text,
      kind: r.quantity.kind,
      reason: 'contradicts-entries',
      words,
      detail: reasons.slice(0, 2).join('; ') + (reasons.length > 2 ? `; +${reasons.length - 2} more` : ''),
    });
  }
  return problems;
}

/**
 * One line for a log: the number, its kind and why.
 *
 * @example
 * describeFactProblem({ quantity: '900.000 đồng', kind: 'money', reason: 'not-in-entries', words: [], detail: 'no entry states this value' })
 * // → '900.000 đồng (money): no entry states this value'
 */
export function describeFactProblem(p: FactProblem): string {
  return `${p.quantity} (${p.kind}): ${p.detail}`;
}
