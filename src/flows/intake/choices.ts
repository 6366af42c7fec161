/**
 * Which of a question's options an answer picks: by number, label or synonym, without
 * diacritics or with a typo.
 */
import { z } from 'zod';
import { foldDiacritics, normalizeSyllables } from '../../kb/normalize.js';
import { withinOneEdit, answerText, tokens, NUMERALS } from './answer-text.js';


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
