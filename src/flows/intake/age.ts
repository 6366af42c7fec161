/**
 * An age in any common form: "7", "bảy tuổi", "ông 80t", "8 tháng", "sinh năm 1950".
 */
import { foldDiacritics } from '../../kb/normalize.js';
import { answerText, tokens, NUMERALS, NOT_NUMERAL_BEFORE, numeralAt, UNIT_WORDS, unitValue, parseNumberWords } from './answer-text.js';


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
