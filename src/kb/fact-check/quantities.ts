import { foldDiacritics } from '../normalize.js';
import { AgeRange, DateParts, DateRelation, Quantity, QuantityKind } from './types.js';
import { DONG, NOT_LETTER_AFTER, NOT_LETTER_BEFORE, NUM, maskLegalRefs, parseNumber, prepare, w } from './text.js';

/** Quantities: one part of the fact check for LLM-phrased answers (src/kb/fact-check.ts). */

export interface Scan {
  text: string; // prepared
  masked: string;
  claimed: boolean[];
  out: Quantity[];
  nextGroup: number;
}

export function claim(scan: Scan, q: Quantity): boolean {
  for (let i = q.start; i < q.end; i++) if (scan.claimed[i]) return false;
  for (let i = q.start; i < q.end; i++) scan.claimed[i] = true;
  scan.out.push(q);
  return true;
}

export function before(scan: Scan, at: number, chars = 30): string {
  return scan.text.slice(Math.max(0, at - chars), at);
}

export const DATE_WORD = `(?:\\s*${w('ngày', 'tháng', 'năm')})?\\s*$`;
export const REL_FROM = new RegExp(`(?:^|[^\\p{L}])${w('từ', 'kể từ', 'bắt đầu', 'hiệu lực')}${DATE_WORD}`, 'u');
export const REL_BEFORE = new RegExp(`(?:^|[^\\p{L}])${w('trước')}${DATE_WORD}`, 'u');
export const REL_UNTIL = new RegExp(`(?:^|[^\\p{L}])${w('đến', 'tới', 'đến hết', 'hết')}${DATE_WORD}`, 'u');
export const REL_AFTER = new RegExp(`(?:^|[^\\p{L}])${w('sau')}${DATE_WORD}`, 'u');

export function dateRelation(scan: Scan, start: number): DateRelation {
  const b = before(scan, start, 24);
  if (REL_UNTIL.test(b)) return 'until';
  if (REL_BEFORE.test(b)) return 'before';
  if (REL_AFTER.test(b)) return 'after';
  if (REL_FROM.test(b)) return 'from';
  return 'on';
}

export function dateQuantity(scan: Scan, start: number, end: number, parts: DateParts): Quantity | null {
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

export function scanDates(scan: Scan): void {
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

export function scanYears(scan: Scan): void {
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

export const MONEY_UP = new RegExp(`(?:^|[^\\p{L}])${w('ít nhất', 'tối thiểu', 'trên', 'hơn', 'cao hơn', 'nhiều hơn', 'từ')}(?:\\s+${w('mức')})?\\s*$`, 'u');
export const MONEY_DOWN = new RegExp(
  `(?:^|[^\\p{L}])${w('dưới', 'thấp hơn', 'ít hơn', 'chưa đến', 'chưa tới', 'chưa đủ', 'không quá', 'tối đa', 'nhiều nhất', 'tới', 'đến')}(?:\\s+${w('mức')})?\\s*$`,
  'u',
);
export const AFTER_UP = new RegExp(`^(?:\\/\\s*${w('tháng')})?\\s*${w('trở lên')}`, 'u');
export const AFTER_DOWN = new RegExp(`^(?:\\/\\s*${w('tháng')})?\\s*${w('trở xuống')}`, 'u');

export function moneyQuantity(scan: Scan, start: number, end: number, value: number): Quantity | null {
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

export function scanMoney(scan: Scan): void {
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

export const AGE_UNIT = `(${w('tháng tuổi')}|${w('tuổi')})`;
export const LO_WORDS = ['từ đủ', 'từ', 'đủ', 'trên', 'ngoài', 'hơn'];
export const HI_OPEN_WORDS = ['dưới', 'chưa đủ', 'chưa tới', 'chưa đến'];
export const HI_WORDS = ['đến', 'tới', 'hết'];

export function ageRole(word: string | undefined, after: string | undefined): { role: 'lo' | 'hi' | 'point'; open: boolean } {
  const f = word ? foldDiacritics(word).replace(/\s+/g, ' ') : '';
  const fa = after ? foldDiacritics(after) : '';
  if (fa.startsWith('tro len') || LO_WORDS.some((x) => foldDiacritics(x) === f)) return { role: 'lo', open: false };
  if (HI_OPEN_WORDS.some((x) => foldDiacritics(x) === f)) return { role: 'hi', open: true };
  if (fa.startsWith('tro xuong') || HI_WORDS.some((x) => foldDiacritics(x) === f)) return { role: 'hi', open: false };
  return { role: 'point', open: false };
}

export function rangeOf(role: 'lo' | 'hi' | 'point', value: number, open: boolean): AgeRange {
  if (role === 'lo') return { lo: value, hi: Infinity, hiOpen: false };
  if (role === 'hi') return { lo: -Infinity, hi: value, hiOpen: open };
  return { lo: value, hi: value, hiOpen: false };
}

export function scanAges(scan: Scan): void {
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
    claimAge(scan, m, value, ageRole(m[1], m[4]));
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
    claimAge(scan, m, value, ageRole(m[1], undefined));
  }
}

/** Claims one age the match `m` states, as a group of its own. */
function claimAge(scan: Scan, m: RegExpMatchArray, value: number, { role, open }: ReturnType<typeof ageRole>): void {
  const start = m.index!;
  const end = start + m[0].length;
  claim(scan, { kind: 'age', text: scan.text.slice(start, end), start, end, value, role, range: rangeOf(role, value, open), group: scan.nextGroup++ });
}

export function scanOthers(scan: Scan): void {
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
export const DIGIT_WORDS: Record<string, number> = {
  không: 0, một: 1, mốt: 1, hai: 2, ba: 3, bốn: 4, tư: 4, năm: 5, lăm: 5, sáu: 6, bảy: 7, bẩy: 7, tám: 8, chín: 9,
};
export const SCALE_WORDS = new Set(['mười', 'mươi', 'trăm', 'nghìn', 'ngàn', 'triệu', 'tỷ', 'tỉ', 'rưỡi', 'linh', 'lẻ']);

export function wordNumber(words: string[]): number | null {
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

export function scanWordNumbers(scan: Scan): void {
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

export function scanText(text: string): Scan {
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

export function within(q: Quantity, s: number, e: number): boolean {
  return q.start >= s && q.end <= e;
}
