import { foldDiacritics } from '../normalize.js';

/** Text preparation: one part of the fact check for LLM-phrased answers (src/kb/fact-check.ts). */

/** NFC, lowercase, bold markers and citation markers out; one character per character. */
export function prepare(text: string): string {
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
export const LEGAL_REFS = [
  /\d+\/\d{4}\/[a-zđ][\p{L}\d-]*/gu,
  /\d+\/[a-zđ]{2,}[\p{L}\d-]*/gu,
  /(?<![\p{L}])(?:điều|dieu|khoản|khoan|điểm|diem|mẫu số|mau so|chương|chuong|nghị định|nghi dinh|thông tư|thong tu|quyết định|quyet dinh|nghị quyết|nghi quyet|pháp lệnh|phap lenh)\s+(?:số\s+)?\d+/gu,
];

export function maskLegalRefs(text: string): string {
  let out = text;
  for (const re of LEGAL_REFS) out = out.replace(re, (m) => m.replace(/\d/g, '#'));
  return out;
}

/** `w('từ đủ')` → a regex source matching "từ đủ" or "tu du" (typed without diacritics). */
export function w(...words: string[]): string {
  const forms = new Set<string>();
  for (const word of words) {
    forms.add(word);
    forms.add(foldDiacritics(word));
  }
  return `(?:${[...forms].sort((a, b) => b.length - a.length).map((f) => f.replace(/ /g, '\\s+')).join('|')})`;
}

export const NUM = String.raw`\d+(?:[.,]\d+)*`;
export const NOT_LETTER_AFTER = String.raw`(?![\p{L}\d])`;
export const NOT_LETTER_BEFORE = String.raw`(?<![\p{L}\d#])`;
export const DONG = `(?:\\s*(?:${w('đồng')}|vnđ|vnd|đ|₫)${NOT_LETTER_AFTER})`;

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
