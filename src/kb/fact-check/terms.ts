import { foldDiacritics } from '../normalize.js';
import { AgeRange, FactTerm } from './types.js';

/** Group and condition words: one part of the fact check for LLM-phrased answers (src/kb/fact-check.ts). */

export interface LexiconEntry {
  key: string | null;
  axis?: string;
  /** Keys on other scales this one cannot go with ("thành thị" and a remote mountain commune). */
  excludes?: string[];
  /** Group words count in rules 2 and 3; bound and time words only in rule 1. */
  group: boolean;
  phrases: string[];
}

export const LEXICON: LexiconEntry[] = [
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

export interface Syllable {
  tone: string;
  fold: string;
}
export interface CompiledPhrase {
  entry: LexiconEntry;
  syllables: Syllable[];
}

export const syllablesOf = (phrase: string): Syllable[] =>
  phrase
    .toLowerCase()
    .normalize('NFC')
    .split(/\s+/)
    .filter(Boolean)
    .map((tone) => ({ tone, fold: foldDiacritics(tone) }));

export const PHRASES: CompiledPhrase[] = LEXICON.flatMap((entry) => entry.phrases.map((p) => ({ entry, syllables: syllablesOf(p) }))).sort(
  (a, b) => b.syllables.length - a.syllables.length,
);

export const NEGATORS = new Set(['không', 'khong', 'chưa', 'chua', 'chẳng', 'ko', 'k', 'hông', 'hổng']);
export const NEGATION_STOPS = new Set(['nhưng', 'mà', 'thì', 'nếu', 'đang']);
/** "cao hơn người lớn", "tăng theo mức chuẩn", "so với …": the group after these is compared with, not meant. */
export const COMPARATIVE = new Set(['hơn', 'hon', 'theo']);

export interface Token {
  tone: string;
  fold: string;
  start: number;
  end: number;
}

export function tokensIn(text: string, start: number, end: number): Token[] {
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
export const sameSyllable = (t: Token, s: Syllable): boolean => t.fold === s.fold && (t.tone === t.fold || t.tone === s.tone);

export function wordTerms(text: string, start: number, end: number): FactTerm[] {
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

export const excludes = (a: string, b: string): boolean =>
  (LEXICON.find((e) => e.key === a)?.excludes ?? []).includes(b) || (LEXICON.find((e) => e.key === b)?.excludes ?? []).includes(a);

export const isGroupWord = (t: FactTerm): boolean =>
  t.type === 'word' && (LEXICON.find((e) => e.key === t.key)?.group ?? false);

export function intersect(ranges: AgeRange[]): AgeRange | null {
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

export const termText = (t: FactTerm): string => (t.type === 'word' ? `${t.neg ? 'không ' : ''}${t.text}` : t.quantity.text);
