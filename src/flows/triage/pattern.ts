/**
 * The phrase patterns of the risk lexicon, written so that a social worker can read
 * and change them:
 *
 * | written             | means                                                  |
 * |---------------------|--------------------------------------------------------|
 * | `muốn chết`         | these words in this order (diacritics optional)        |
 * | `muốn/tính chết`    | one of the words separated by `/` (or `|`) there       |
 * | `(tự tử/nhảy cầu)`  | one of the phrases in brackets, separated by `/`       |
 * | `[đi]`              | this word or phrase may be there or not                |
 * | `gom thuốc … uống`  | up to four other words between, in one sentence (`...`) |
 *
 * Patterns are folded and parsed once, when the lexicon loads, and matched against the
 * message's words.
 *
 * @example compilePattern('(muốn/tính) chết [đi]') // [{alts:[['muon'],['tinh']]},{alts:[['chet']]},{alts:[[],['di']]}]
 */
import { toWords, type Word } from './text.js';

/** A gap of up to this many words, written `…` or `...`. */
export const GAP_WORDS = 4;

/** One place in a pattern: one of several word sequences ([] = may be absent), or a gap. */
export type Slot = { alts: readonly (readonly Word[])[]; byFirst?: Map<string, Array<readonly Word[]>>; optional?: boolean } | 'gap';

/** Indexes a slot's alternatives by their first word (matching looks up, not scans), in written order. */
function indexSlot(alts: Word[][]): Slot {
  const byFirst = new Map<string, Array<readonly Word[]>>();
  for (const alt of alts) {
    if (alt.length === 0) continue;
    let list = byFirst.get(alt[0]!.f);
    if (!list) byFirst.set(alt[0]!.f, (list = []));
    list.push(alt);
  }
  return { alts, byFirst, optional: alts.some((a) => a.length === 0) };
}

/** A compiled pattern: its slots, matched left to right. */
export type CompiledPattern = readonly Slot[];

function splitAlternatives(inner: string): Word[][] {
  return inner.split(/[/|]/).map((alt) => (alt.trim() === '' ? [] : toWords(alt, { exact: true })));
}

/**
 * The same pattern with each word passed through `mapWord` (the word map messages go
 * through: "tui" → "tôi", "hổng" → "không"), so a pattern written the way people type
 * meets the message words it is compared with.
 */
export function mapPatternWords(pattern: CompiledPattern, mapWord: (w: Word) => readonly Word[] | undefined): CompiledPattern {
  return pattern.map((slot) => (slot === 'gap' ? slot : indexSlot(slot.alts.map((alt) => alt.flatMap((w) => mapWord(w) ?? [w])))));
}

/** Parses a pattern into slots; throws on a pattern that cannot match anything. */
export function compilePattern(pattern: string): CompiledPattern {
  if (/[()[\]]/.test(pattern.replace(/\([^()[\]]*\)|\[[^()[\]]*\]/g, ''))) {
    throw new Error(`unbalanced or nested brackets in "${pattern}"`);
  }
  const slots: Slot[] = [];
  const re = /\(([^)]*)\)|\[([^\]]*)\]|(…|\.\.\.)|([^\s()[\]….]+)/g;
  for (const m of pattern.matchAll(re)) {
    if (m[3] !== undefined || m[4] === '...') {
      if (slots.length > 0 && slots[slots.length - 1] !== 'gap') slots.push('gap');
    } else if (m[1] !== undefined) slots.push(indexSlot(splitAlternatives(m[1])));
    else if (m[2] !== undefined) slots.push(indexSlot([[], ...splitAlternatives(m[2])]));
    else if (m[4] !== undefined) slots.push(indexSlot(/[/|]/.test(m[4]) ? splitAlternatives(m[4]) : [toWords(m[4], { exact: true })]));
  }
  while (slots[slots.length - 1] === 'gap') slots.pop();
  if (firstWords(slots).size === 0) throw new Error(`"${pattern}" has no words`);
  return slots;
}

/** Words a match can start with (a pattern whose every slot may be absent has none). */
export function firstWords(slots: CompiledPattern): Set<string> {
  const out = new Set<string>();
  for (const slot of slots) {
    if (slot === 'gap') break;
    let optional = false;
    for (const alt of slot.alts) {
      if (alt.length === 0) optional = true;
      else out.add(alt[0]!.f);
    }
    if (!optional) break;
  }
  return out;
}

/** Where a pattern matched: word indexes [start, end). */
export interface Span {
  start: number;
  end: number;
}

/** End of the first match of `slots` starting exactly at `start`, or null. */
function matchAt(words: readonly Word[], slots: CompiledPattern, start: number): number | null {
  return step(words, slots, start, 0, false);
}

/** Matches slots[si…] from word wi; a plain function (no closure) because it runs a lot. */
function step(words: readonly Word[], slots: CompiledPattern, wi: number, si: number, matchedAny: boolean): number | null {
  if (si === slots.length) return matchedAny ? wi : null;
  const slot = slots[si]!;
  if (slot === 'gap') {
    // A gap stays inside the sentence it starts in: "…" never reaches across a full stop.
    const sentence = words[wi - 1]?.sn;
    for (let skip = 0; skip <= GAP_WORDS && wi + skip <= words.length; skip++) {
      if (skip > 0 && words[wi + skip - 1]?.sn !== sentence) break;
      const end = step(words, slots, wi + skip, si + 1, matchedAny);
      if (end !== null) return end;
    }
    return null;
  }
  // Only the alternatives that start with this word, in written order; the first that
  // lets the rest of the pattern match wins.
  const here = words[wi];
  const alts = here ? slot.byFirst?.get(here.f) : undefined;
  if (alts) {
    for (const alt of alts) {
      let ok = true;
      for (let k = 0; k < alt.length; k++) {
        const w = words[wi + k];
        const p = alt[k]!;
        // sameWord, inlined: this loop is the hottest in triage.
        // One alternative's words stay in one clause: "ra sân, thương" is not "ra sân thượng".
        if (!w || w.f !== p.f || (w.s !== null && p.s !== null && w.s !== p.s) || (k > 0 && w.c !== here!.c)) {
          ok = false;
          break;
        }
      }
      if (ok) {
        const end = step(words, slots, wi + alt.length, si + 1, true);
        if (end !== null) return end;
      }
    }
  }
  // An optional slot may be absent, but a match never starts with nothing.
  if (slot.optional && (matchedAny || si < slots.length - 1)) return step(words, slots, wi, si + 1, matchedAny);
  return null;
}

/**
 * Compiled patterns indexed by one word each must contain, so that a message is matched
 * against thousands of phrases in well under a millisecond: only the patterns whose
 * anchor word is in the message are tried at all. The anchor is the slot that must be
 * there and whose words are rarest in messages (a word such as "thuốc" rather than
 * "không"), worked out once, on the first match after patterns were added.
 */
interface Entry<T> {
  slots: CompiledPattern;
  tag: T;
  /** Order of adding: matches at one start come out in this order. */
  seq: number;
  /** Words a match can start with. */
  firsts: readonly string[];
  /** For each slot that must be there, in written order: the words it can start with. */
  required: ReadonlyArray<ReadonlySet<string>>;
  /** `firsts` as word numbers (set when anchored). */
  firstIds: Int32Array;
  /** How far after a match's start its first required slot can begin (the slots before it are optional or gaps). */
  lead: number;
  /** How far after each required slot (in written order) the next one can begin. */
  reach: ReadonlyArray<{ min: number; max: number }>;
  /** The required slots in written order, as word numbers, with `reach` (set when anchored). */
  chain: ChainLink[];
  /** Last message this entry was tried on (saves a set per message). */
  seen: number;
}

/** A required slot's first words, as word numbers, and how far after it the next required slot can begin. */
interface ChainLink {
  ids: Int32Array;
  min: number;
  max: number;
}

/**
 * Whether required slots k… of a chain can begin in order, slot k somewhere in
 * [lo, hi], each where one of its first words is and each within reach of the one
 * before. A match needs that (it only ignores tones, clauses and sentences), so a start
 * for which it fails is not tried: most starts fail here, cheaply, rather than in
 * matchAt, which walks every gap word by word. `at` holds each word's positions, in order.
 */
function chainFits(chain: readonly ChainLink[], k: number, lo: number, hi: number, at: ReadonlyArray<readonly number[] | undefined>): boolean {
  if (k === chain.length) return true;
  const link = chain[k]!;
  for (let n = 0; n < link.ids.length; n++) {
    const where = at[link.ids[n]!];
    if (!where) continue;
    for (let j = 0; j < where.length; j++) {
      const p = where[j]!;
      if (p > hi) break;
      if (p >= lo && chainFits(chain, k + 1, p + link.min, p + link.max, at)) return true;
    }
  }
  return false;
}

/**
 * How far apart a pattern's required slots can begin: the first `lead` words after a
 * match's start, then from each required slot to the next at least its shortest
 * alternative and at most its longest, the longest of every optional slot between and
 * GAP_WORDS for every gap between.
 */
function requiredReach(slots: CompiledPattern): { lead: number; reach: Array<{ min: number; max: number }> } {
  const reach: Array<{ min: number; max: number }> = [];
  let lead = 0;
  let max = 0;
  for (const slot of slots) {
    if (slot === 'gap') max += GAP_WORDS;
    else if (slot.optional) max += Math.max(...slot.alts.map((alt) => alt.length));
    else {
      if (reach.length === 0) lead = max;
      else reach[reach.length - 1]!.max += max;
      const lengths = slot.alts.map((alt) => alt.length);
      reach.push({ min: Math.min(...lengths), max: Math.max(...lengths) });
      max = 0;
    }
  }
  return { lead, reach };
}

/** The anchored form of an index: entries filed by word, and a number for every word. */
interface Anchored<T> {
  byAnchor: Map<string, Array<Entry<T>>>;
  ids: Map<string, number>;
  /** Every position of each word (by number) in the message being matched. */
  at: Array<readonly number[] | undefined>;
}

export class PhraseIndex<T> {
  private readonly entries: Array<Entry<T>> = [];
  private anchored: Anchored<T> | null = null;
  private generation = 0;

  /**
   * @param commonness how often a word occurs in messages (say, the share of example
   *   messages that contain it). Default: how many of this index's patterns require it,
   *   a rougher guess. Only speed depends on it, never what matches.
   */
  constructor(private readonly commonness?: (word: string) => number) {}

  add(slots: CompiledPattern, tag: T): void {
    const required = slots
      .filter((slot): slot is Exclude<Slot, 'gap'> => slot !== 'gap' && !slot.optional)
      .map((slot) => new Set(slot.alts.map((alt) => alt[0]!.f)));
    const { lead, reach } = requiredReach(slots);
    this.entries.push({ slots, tag, seq: this.entries.length, firsts: [...firstWords(slots)], required, firstIds: new Int32Array(0), lead, reach, chain: [], seen: -1 });
    this.anchored = null;
  }

  /** Files each entry under the words of its rarest required slot (or its first words). */
  private anchor(): Anchored<T> {
    const shared = new Map<string, number>();
    for (const e of this.entries) for (const slot of e.required) for (const w of slot) shared.set(w, (shared.get(w) ?? 0) + 1);
    const cost = this.commonness ?? ((w: string) => shared.get(w)!);
    const slotCost = (slot: ReadonlySet<string>) => [...slot].reduce((c, w) => c + cost(w), 0);
    const ids = new Map<string, number>();
    const idOf = (w: string) => ids.get(w) ?? (ids.set(w, ids.size), ids.size - 1);
    const byAnchor = new Map<string, Array<Entry<T>>>();
    for (const e of this.entries) {
      const bySlot = [...e.required].sort((a, b) => slotCost(a) - slotCost(b));
      e.firstIds = Int32Array.from(e.firsts, idOf);
      e.chain = e.required.map((slot, k) => ({ ids: Int32Array.from(slot, idOf), ...e.reach[k]! }));
      for (const w of bySlot[0] ?? e.firsts) {
        let list = byAnchor.get(w);
        if (!list) byAnchor.set(w, (list = []));
        list.push(e);
      }
    }
    return { byAnchor, ids, at: new Array(ids.size) };
  }

  /** Every (tag, span) that matches, in order of start (then of adding). */
  matches(words: readonly Word[], positions: ReadonlyMap<string, readonly number[]> = wordPositions(words)): Array<{ tag: T; span: Span }> {
    const { byAnchor, ids, at } = (this.anchored ??= this.anchor());
    const generation = ++this.generation;
    for (const [w, where] of positions) {
      const id = ids.get(w);
      if (id === undefined) continue;
      at[id] = where;
    }
    const found: Array<{ tag: T; span: Span; seq: number }> = [];
    for (const word of positions.keys()) {
      const list = byAnchor.get(word);
      if (!list) continue;
      for (const entry of list) {
        if (entry.seen === generation) continue;
        entry.seen = generation;
        const { chain, lead, firstIds } = entry;
        for (let k = 0; k < firstIds.length; k++) {
          const starts = at[firstIds[k]!];
          if (!starts) continue;
          for (let j = 0; j < starts.length; j++) {
            const i = starts[j]!;
            // Where matches start with the first required slot, it is at the start itself:
            // only the slots after it need looking for.
            const fits = lead === 0 && chain.length > 0 ? chainFits(chain, 1, i + chain[0]!.min, i + chain[0]!.max, at) : chainFits(chain, 0, i, i + lead, at);
            if (!fits) continue;
            const end = matchAt(words, entry.slots, i);
            if (end !== null && end > i) found.push({ tag: entry.tag, span: { start: i, end }, seq: entry.seq });
          }
        }
      }
    }
    for (const w of positions.keys()) {
      const id = ids.get(w);
      if (id === undefined) continue;
      at[id] = undefined;
    }
    if (found.length > 1) found.sort((a, b) => a.span.start - b.span.start || a.seq - b.seq);
    return found;
  }
}

/** Where each word occurs in a message, in order: share it when several indexes read one message. */
export function wordPositions(words: readonly Word[]): Map<string, number[]> {
  const at = new Map<string, number[]>();
  words.forEach((w, i) => {
    const list = at.get(w.f);
    if (list) list.push(i);
    else at.set(w.f, [i]);
  });
  return at;
}
