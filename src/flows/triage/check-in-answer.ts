/**
 * Reading the answer to "Bạn có đang gặp nguy hiểm không?". Only a short message counts
 * as an answer: "không ai giúp em cả" starts with "không" but is no "no". A message
 * that shows danger is handled before this (any further sign escalates), so this only
 * tells a plain yes from a plain no; anything else is not an answer.
 *
 * @example checkInAnswer('dạ có') // 'yes'
 * @example checkInAnswer('ko, e on') // 'no'
 */
import { foldWords } from './text.js';

const NO_START = new Set(['khong', 'ko', 'k', 'kh', 'khg', 'hong', 'hok', 'hem', 'chua', 'ko']);
const YES_START = new Set(['co', 'u', 'uh', 'um', 'uk', 'vang', 'dung', 'phai', 'yes', 'cuu', 'giup']);
const SAFE_PHRASES = ['an toan', 'on roi', 'khong sao', 'minh on', 'em on', 'toi on', 'tui on', 'con on', 've on', 'van on', 'binh thuong'];
const DANGER_PHRASES = ['nguy hiem', 'cuu', 'giup voi', 'giup em', 'giup toi'];
/** Polite openers that come before the answer ("dạ có", "vâng ạ"). */
const OPENERS = new Set(['da', 'vang', 'a', 'thi', 'cung']);

export function checkInAnswer(text: string): 'yes' | 'no' | null {
  const words = foldWords(text);
  if (words.length === 0 || words.length > 8) return null;
  const joined = ` ${words.join(' ')} `;
  let i = 0;
  while (i < words.length - 1 && OPENERS.has(words[i]!)) i++;
  const first = words[i]!;
  if (NO_START.has(first) || SAFE_PHRASES.some((p) => joined.includes(` ${p} `))) {
    // "không, cứu em" is not a no.
    if (DANGER_PHRASES.some((p) => joined.includes(` ${p} `))) return 'yes';
    return 'no';
  }
  if (YES_START.has(first) || DANGER_PHRASES.some((p) => joined.includes(` ${p} `))) return 'yes';
  if (words.length === 1 && (first === 'da' || first === 'vang')) return 'yes';
  return null;
}
