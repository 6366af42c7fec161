/**
 * What every intake answer parser starts from: the answer as a bounded, NFC string with
 * ASCII digits, a one-typo comparison, and numbers written in words ("bảy mươi lăm").
 * Pure helpers shared by phone.ts, age.ts, choices.ts and yes-no.ts.
 */
import { z } from 'zod';
import { foldDiacritics } from '../../kb/normalize.js';

// ---------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------

/** Full-width digits (some phone keyboards) to ASCII, one character for one, so offsets hold. */
export function asciiDigits(text: string): string {
  return text.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
}

/** Is `a` at most one edit from `b`: one letter inserted, deleted or replaced, or two neighbours swapped ("tay ninhh", "ba din", "thanh hao")? */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swap
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1); // delete / insert
}

/** Answers are one chat message; anything longer is read only this far (guards the fuzzy matching). */
const MAX_ANSWER_CHARS = 2000;

/** The text of an answer, or '' for anything that is not a string (a JS caller, a bad payload). */
export function answerText(text: unknown): string {
  const parsed = z.string().safeParse(text);
  return parsed.success ? asciiDigits(parsed.data).normalize('NFC').slice(0, MAX_ANSWER_CHARS) : '';
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

export function tokens(text: string): Tok[] {
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
export const NUMERALS: Record<string, { v: number; forms: string[]; tail?: boolean }> = {
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
export const NOT_NUMERAL_BEFORE: Record<string, string[]> = {
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
export function numeralAt(toks: readonly Tok[], i: number, withDiacritics: boolean): boolean {
  const t = toks[i]!;
  const n = NUMERALS[t.f];
  if (!n) return false;
  if (withDiacritics && !n.forms.includes(t.raw)) return false;
  const next = toks[i + 1]?.f;
  if (next !== undefined && (NOT_NUMERAL_BEFORE[t.f]?.includes(next) || (t.f === 'nam' && /^\d/.test(next)))) return false;
  if (t.f === 'nam' && toks[i - 1]?.f === 'sinh') return false;
  return true;
}

export const UNIT_WORDS = new Set(['mot', 'hai', 'ba', 'bon', 'tu', 'nam', 'lam', 'nham', 'sau', 'bay', 'tam', 'chin']);

/** 1–9 from a unit word; `tail` allows the forms used after a tens word (mốt, tư, lăm). */
export function unitValue(w: string | undefined, tail: boolean): number | null {
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
export function parseNumberWords(ws: readonly string[]): number | null {
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

