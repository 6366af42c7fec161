/**
 * How a place is written in an answer: type words ("xã", "p.", "tp"), words around it
 * ("ở", "thuộc", "ạ"), old district words, the readings an answer allows, and when a
 * typo is forgiven. Used by src/flows/intake/places.ts.
 */
import { withinOneEdit } from './answer-text.js';
import { compactKey, toneKey, tokenize, type Commune, type NameKey, type Tok } from './admin-units.js';

/** A word in a fixed phrase: folded form, and the tone form it must have when typed with diacritics. */
type Word = { fold: string; tone: string };
export const words = (phrase: string): Word[] => tokenize(phrase).map(({ fold, tone }) => ({ fold, tone }));

/**
 * Does `toks` start with `phrase` at `at`? A word typed without diacritics matches
 * loosely ("xa" may be "xã"); typed with them it must be the word ("Xà" is not "xã").
 */
export function startsWith(toks: readonly Tok[], at: number, phrase: readonly Word[]): boolean {
  return phrase.every((w, i) => {
    const t = toks[at + i];
    return t !== undefined && t.fold === w.fold && (!t.marked || t.tone === w.tone);
  });
}

interface TypeWord {
  words: Word[];
  type?: Commune['type'];
}

/** Words that introduce a commune; the type narrows a collision like Đồng Tiến (xã) / Đông Tiến (phường). */
export const COMMUNE_TYPE_WORDS: TypeWord[] = [
  { words: words('đặc khu'), type: 'đặc khu' },
  { words: words('phường'), type: 'phường' },
  { words: words('xã'), type: 'xã' },
  { words: words('thị trấn') },
  { words: words('đk'), type: 'đặc khu' },
  { words: words('p'), type: 'phường' },
  { words: words('x'), type: 'xã' },
  { words: words('tt') },
];

/** Words that introduce a province. */
export const PROVINCE_TYPE_WORDS: TypeWord[] = [
  { words: words('thành phố') },
  { words: words('tỉnh') },
  { words: words('thủ đô') },
  { words: words('tp') },
  { words: words('t p') },
];

/** "ở Tây Ninh", "tại xã …", "thuộc phường …": the place comes after. */
const LOCATIVES: Word[][] = [words('ở'), words('tại'), words('thuộc')];
/** Politeness at the end of an answer: "Tây Ninh ạ", "… nhé". */
const PARTICLES: Word[][] = [words('ạ'), words('nhé'), words('nha'), words('nhe'), words('à')];
/** Old district words that may follow the commune in an old-style address. */
export const DISTRICT_WORDS: Word[][] = [words('huyện'), words('quận'), words('thị xã')];

export interface Variant {
  toks: Tok[];
  type?: Commune['type'];
}

function typeWordAt(toks: readonly Tok[], at: number, list: readonly TypeWord[]): TypeWord | undefined {
  return list.find((tw) => startsWith(toks, at, tw.words));
}

/**
 * The readings of an answer to try, best first: as typed with a leading type word
 * removed (and, when that word was typed without diacritics, also kept: "Phương Liệt"
 * typed "phuong liet" is a name, not "phường Liệt"); then the words after a type word
 * further in ("nhà em ở xã Tân Thạnh"), after a locative ("ở Tây Ninh"), and without a
 * closing particle ("Tây Ninh ạ"). Returned in groups: readings of one group compete.
 */
export function readings(toks: readonly Tok[], typeWords: readonly TypeWord[], inner = true): Variant[][] {
  const groups: Variant[][] = [];
  const lead = (ts: Tok[]): Variant[] => {
    const tw = typeWordAt(ts, 0, typeWords);
    if (!tw) return [{ toks: ts }];
    // a type word alone ("phường") names nothing
    if (ts.length === tw.words.length) return [];
    const stripped: Variant = { toks: ts.slice(tw.words.length), type: tw.type };
    const loose = ts.slice(0, tw.words.length).every((t) => !t.marked);
    return loose ? [stripped, { toks: ts }] : [stripped];
  };
  const push = (ts: Tok[]): void => {
    const g = lead(ts).filter((v) => v.toks.length > 0);
    if (g.length > 0) groups.push(g);
  };
  const all = [...toks];
  push(all);
  for (let i = 1; inner && i < all.length; i++) {
    if (typeWordAt(all, i, typeWords)) {
      push(all.slice(i));
      break;
    }
  }
  for (let i = all.length - 2; inner && i >= 0; i--) {
    const loc = LOCATIVES.find((l) => startsWith(all, i, l));
    if (loc) {
      push(all.slice(i + loc.length));
      break;
    }
  }
  const last = all.length - 1;
  if (last > 0 && PARTICLES.some((p) => p.length === 1 && startsWith(all, last, p))) {
    for (const g of readings(all.slice(0, last), typeWords, inner)) groups.push(g);
  }
  return groups;
}


/** Below this many letters a one-edit match is too likely a coincidence ("vâng" is one letter from "Láng"). */
const MIN_FUZZY_LENGTH = 5;

/**
 * Is the answer a typo of this name? One edit on the folded name, in an answer of at
 * least {@link MIN_FUZZY_LENGTH} letters and as many words; and when the citizen typed
 * diacritics, the typo must be the only difference ("huyện" is one letter from
 * "Phú Yên" folded, but not with its diacritics).
 */
export function isTypoOf(toks: readonly Tok[], name: NameKey): boolean {
  const key = compactKey(toks);
  if (key.length < MIN_FUZZY_LENGTH || toks.length !== name.words || !withinOneEdit(key, name.compact)) return false;
  return !toks.some((t) => t.marked) || withinOneEdit(toneKey(toks), name.tone);
}
