/**
 * Turning what a citizen typed into the words the risk lexicon is written in.
 *
 * People in distress type fast: no diacritics ("muon chet"), teencode ("ko", "dc",
 * "bme"), stretched letters ("cứuuuu"), dropped letters ("khôg"), regional words
 * ("hổng", "chừ", "tau"). Everything is folded to lowercase ASCII syllables, the
 * lexicon's word map is applied, and a token that cannot be a Vietnamese syllable is
 * corrected to a lexicon word one edit away. A token that is a real syllable is never
 * "corrected": "chat" stays "chat" even though "chet" is one letter away.
 *
 * Each word keeps its diacritics too when the citizen typed them: folding makes "đăng ký"
 * look like "đang", "khuyết tật" like "tát" and "thiếu" like "thiêu", but when both the
 * message and the lexicon carry diacritics, they must agree. Someone typing without
 * diacritics still matches everything.
 *
 * @example triageTokens('Tui hổng muốn sốnggg nữa', words, vocab).map((w) => w.f) // ['toi','khong','muon','song','nua']
 */
import { foldDiacritics } from '../../kb/normalize.js';
import { foldTypedKeys } from '../../kb/typing.js';
import { withoutPersonalNumbers } from '../intake/phone.js';

/** Onset, vowel nucleus, coda of a folded (toneless) Vietnamese syllable. */
const SYLLABLE = /^(ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdghklmnprstvx])?[aeiouy]{1,3}(ng|nh|ch|[cmnpt])?$/;

/** Whether a folded token could be a Vietnamese syllable (so it is not a typo to fix). */
export function isVietnameseSyllable(token: string): boolean {
  return SYLLABLE.test(token);
}

/** A word as folded (`f`: lowercase ASCII) and, if it was typed with them, its letter shapes (`s`). */
export interface Word {
  f: string;
  /** Letter shapes (ă â ê ô ơ ư đ) and tone as typed; null when typed without any diacritics. */
  s: string | null;
  /** Which clause of the message (split at , . ; ! ? and line breaks) the word is in. */
  c?: number;
  /** Which sentence (split at . ! ? and line breaks). */
  sn?: number;
}

const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/g;
const HAS_TONE = /[\u0300\u0301\u0303\u0309\u0323]/;

/** Memo of words seen: the same few thousand syllables come back in every message. */
const seenWords = new Map<string, Word>();

function toWord(token: string, exact = false): Word {
  if (exact) {
    // As written in the lexicon: "con" means con, not còn or cơn, whenever the citizen
    // typed diacritics; a citizen who typed none still matches it.
    const nfd = token.normalize('NFD');
    const tone = nfd.match(TONE_MARKS)?.[0] ?? '';
    return { f: foldDiacritics(token), s: `${nfd.replace(TONE_MARKS, '').normalize('NFC')}${tone}` };
  }
  if (/^[a-z0-9]+$/.test(token)) return { f: token, s: null };
  const known = seenWords.get(token);
  if (known) return { f: known.f, s: known.s };
  const f = foldDiacritics(token);
  const nfd = token.normalize('NFD');
  const tone = nfd.match(TONE_MARKS)?.[0] ?? '';
  const shape = nfd.replace(TONE_MARKS, '').normalize('NFC');
  // Shape plus tone, whatever vowel the tone was typed on ("hoà" and "hòa" agree).
  const word = { f, s: shape === f && tone === '' ? null : `${shape}${tone}` };
  if (seenWords.size < 50_000) seenWords.set(token, word);
  return { f: word.f, s: word.s };
}

/** Two words are the same when their folded forms are, and their shapes where both have one. */
export function sameWord(a: Word, b: Word): boolean {
  return a.f === b.f && (a.s === null || b.s === null || a.s === b.s);
}

/** Laughing faces, read as the word "haha" so that a joke can be recognised. */
const LAUGHING = /[\u{1F602}\u{1F923}\u{1F606}\u{1F601}\u{1F605}\u{1F639}\u{1F92A}\u{1F61D}\u{1F61C}]/gu;

/** Laughing text faces: "=))", ":)))", "=]]". */
const TEXT_LAUGH = /[=:]\)\)+|=\]\]+/g;

/** How many shaped words without a tone a message needs before "no tone at all" says the tones were lost. */
const TONELESS_FROM = 3;

/** A syllable ending in p, t, c or ch always carries a tone (sắc or nặng): without one, it was lost. */
const STOP_FINAL = /(?:p|t|c|ch)$/;

/**
 * Words that are complete without any mark and mean something else with one: in a message
 * whose other words carry their tones, such a word was typed as meant. "mai em đi gặp ba
 * ở bệnh viện" is a father in hospital, not "bả" (a dead wife followed); typed all
 * without diacritics, "ba" still matches both.
 */
const COMPLETE_WITHOUT_MARKS = new Set(['ba']);

/** How many toned words show that the writer typed tones (and so meant the plain words plain). */
const TONED_FROM = 3;

/**
 * Voice typing and some keyboards keep the letter shapes and lose tones ("chông tôi vưa
 * bóp cô tôi", "đêm nay tôi uông hêt chỗ thuốc"): compared shape and tone, "uông" is not
 * "uống". When a message shows its tones were lost (a shaped syllable ending in p, t, c
 * or ch with no tone, which Vietnamese never writes; or several shaped words and not one
 * tone mark), its shaped words without a tone are read as typed without diacritics:
 * they match what their folded form matches. Words typed with a tone keep it.
 *
 * @example toWords('đêm nay tôi uông hêt chỗ thuốc')[3].s // null ("hêt" gave it away)
 */
function forgetLostTones(words: Word[]): void {
  let shaped = 0;
  const toneless: Word[] = [];
  for (const w of words) {
    if (w.s === null) continue;
    shaped++;
    if (!HAS_TONE.test(w.s)) toneless.push(w);
  }
  const lost = toneless.some((w) => STOP_FINAL.test(w.f)) || (toneless.length >= TONELESS_FROM && toneless.length === shaped);
  if (lost) for (const w of toneless) w.s = null;
  else if (shaped - toneless.length >= TONED_FROM) for (const w of words) if (w.s === null && COMPLETE_WITHOUT_MARKS.has(w.f)) w.s = w.f;
}

/**
 * Words of a text: lowercase, digits split from units ("7t" → "7 t"), punctuation gone.
 * `exact` is for the lexicon's own words: each keeps its exact spelling, so it only meets
 * a typed word with the same diacritics, or one typed without any.
 */
export function toWords(text: string, options: { exact?: boolean } = {}): Word[] {
  const words = splitWords(text, options);
  if (!options.exact) forgetLostTones(words);
  return words;
}

function splitWords(text: string, options: { exact?: boolean }): Word[] {
  let clause = 0;
  return text
    .replace(LAUGHING, ' haha ')
    .replace(TEXT_LAUGH, ' haha ')
    .normalize('NFC')
    .toLowerCase()
    .replace(/(\d)(\p{L})/gu, '$1 $2')
    .split(/[.!?\n]+/u)
    .flatMap((sentence, sn) =>
      sentence.split(/[,;]+/u).flatMap((part) => {
        const c = clause++;
        const words: Word[] = [];
        for (const token of part.split(/[^\p{L}\p{N}]+/u)) {
          if (!token) continue;
          // toWord returns a fresh object: mark its place in it rather than copying it.
          const word = toWord(token, options.exact);
          word.c = c;
          word.sn = sn;
          words.push(word);
        }
        return words;
      }),
    )
    .filter((w) => /^[a-z0-9]+$/.test(w.f));
}

/** Folded words only: what a word map key or vocabulary entry is compared by. */
export function foldWords(text: string): string[] {
  return toWords(text).map((w) => w.f);
}

/** Every string one deletion away from `word`, and the word itself. */
function deletions(word: string): string[] {
  const out = [word];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

/**
 * Words the lexicon is written in, indexed for one-edit look-ups (symmetric deletion:
 * two words are within one insertion, deletion, substitution or adjacent swap when
 * they share a one-deletion form).
 */
export class Vocabulary {
  private readonly words = new Set<string>();
  private readonly byDeletion = new Map<string, string>();

  constructor(words: Iterable<string>) {
    for (const w of words) this.words.add(w);
    // Short words have too many one-edit neighbours to correct safely.
    for (const w of [...this.words].sort()) {
      if (w.length < 4) continue;
      for (const d of deletions(w)) if (!this.byDeletion.has(d)) this.byDeletion.set(d, w);
    }
  }

  has(word: string): boolean {
    return this.words.has(word);
  }

  /** The lexicon word one edit from `token`, if any. */
  nearest(token: string): string | undefined {
    if (token.length < 4) return undefined;
    for (const d of deletions(token)) {
      const w = this.byDeletion.get(d);
      if (w && Math.abs(w.length - token.length) <= 1) return w;
    }
    return undefined;
  }
}

/** "cuuuuu" → candidates with each run of 3+ equal letters cut to two, then to one. */
function destretch(token: string): string[] {
  if (!/(.)\1\1/.test(token)) return [token];
  return [token.replace(/(.)\1{2,}/g, '$1$1'), token.replace(/(.)\1{2,}/g, '$1')];
}

function repair(token: string, vocab: Vocabulary): string {
  if (vocab.has(token) || /^\d+$/.test(token)) return token;
  const candidates = destretch(token);
  for (const c of candidates) if (vocab.has(c)) return c;
  // Typed with the Telex or VNI keys and no input method: "tuwj tuwr" is "tự tử".
  const untyped = foldTypedKeys(token);
  if (untyped) return untyped;
  const base = candidates.find(isVietnameseSyllable) ?? candidates[candidates.length - 1]!;
  if (isVietnameseSyllable(base)) return base;
  return vocab.nearest(base) ?? base;
}

/** Typed word (as the lexicon wrote it) → what it means, by folded form. */
/** What the word map turns this word into, if anything. */
export function lookUp(wordMap: WordMap, w: Word): readonly Word[] | undefined {
  const entries = wordMap.get(w.f);
  if (!entries) return undefined;
  for (const e of entries) if (e.exact ? w.s === e.key.s : sameWord(w, e.key)) return e.to;
  return undefined;
}

/** "k" after a number: "500k" is five hundred thousand đồng. */
const THOUSAND = toWord('nghìn');

/** `exact`: the key matches only as typed, marks and all (a wrong tone, not a missing one). */
export type WordMap = ReadonlyMap<string, ReadonlyArray<{ key: Word; to: readonly Word[]; exact?: boolean }>>;

/**
 * Folds, repairs and maps a message to lexicon words. `wordMap` maps one folded token
 * to one or more words ("ko" → "không", "bme" → "bố mẹ"); it is applied after repair
 * so "khongg" and "ko" both become "không".
 */
export function triageTokens(text: string, wordMap: WordMap, vocab: Vocabulary): Word[] {
  const out: Word[] = [];
  let previous: Word | undefined;
  // A phone or ID number is no sign of anything, and its digit groups are not words.
  for (const word of toWords(withoutPersonalNumbers(text))) {
    const afterNumber = previous !== undefined && /^\d+$/.test(previous.f) && previous.c === word.c;
    previous = word;
    // "10k", "500k": a thousand, not "không" (which would cancel the sign after it).
    if (afterNumber && word.f === 'k') {
      out.push({ ...THOUSAND, c: word.c, sn: word.sn });
      continue;
    }
    const mapped = lookUp(wordMap, word);
    if (mapped) {
      for (const w of mapped) out.push({ f: w.f, s: w.s, c: word.c, sn: word.sn });
      continue;
    }
    const repaired = repair(word.f, vocab);
    const mappedRepair = repaired === word.f ? undefined : lookUp(wordMap, { f: repaired, s: null });
    if (mappedRepair) for (const w of mappedRepair) out.push({ f: w.f, s: w.s, c: word.c, sn: word.sn });
    else out.push(repaired === word.f ? word : { f: repaired, s: null, c: word.c, sn: word.sn });
  }
  return out;
}
