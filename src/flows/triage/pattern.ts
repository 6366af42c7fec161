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
 * | `gom thuốc … uống`  | up to four other words between (`...` works too)       |
 *
 * Patterns are folded and parsed once, when the lexicon loads, and matched against the
 * message's words.
 *
 * @example compilePattern('(muốn/tính) chết [đi]') // [{alts:[['muon'],['tinh']]},{alts:[['chet']]},{alts:[[],['di']]}]
 */
import { sameWord, toWords, type Word } from './text.js';

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
    for (let skip = 0; skip <= GAP_WORDS && wi + skip <= words.length; skip++) {
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
        if (!w || !sameWord(w, alt[k]!)) {
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
 * Compiled patterns indexed by the words they can start with, so that a message is
 * matched against thousands of phrases in well under a millisecond.
 */
interface Entry<T> {
  slots: CompiledPattern;
  tag: T;
  /** For each slot that must be there: the words it can start with. */
  required: ReadonlyArray<ReadonlySet<string>>;
}

export class PhraseIndex<T> {
  private readonly byFirst = new Map<string, Array<Entry<T>>>();

  add(slots: CompiledPattern, tag: T): void {
    const required = slots
      .filter((slot): slot is Exclude<Slot, 'gap'> => slot !== 'gap' && !slot.optional)
      .map((slot) => new Set(slot.alts.map((alt) => alt[0]!.f)));
    const entry = { slots, tag, required };
    for (const first of firstWords(slots)) {
      let list = this.byFirst.get(first);
      if (!list) this.byFirst.set(first, (list = []));
      list.push(entry);
    }
  }

  /** Every (tag, span) that matches, in order of start. */
  matches(words: readonly Word[], lastSeen: ReadonlyMap<string, number> = lastPositions(words)): Array<{ tag: T; span: Span }> {
    // A pattern cannot start after the last place one of its required words occurs:
    // worked out once per message and pattern, before any position is tried; a pattern
    // with a required word missing never runs at all.
    const out: Array<{ tag: T; span: Span }> = [];
    const latestStart = new Map<Entry<T>, number>();
    for (let i = 0; i < words.length; i++) {
      const list = this.byFirst.get(words[i]!.f);
      if (!list) continue;
      for (const entry of list) {
        let latest = latestStart.get(entry);
        if (latest === undefined) {
          latest = Infinity;
          for (const firsts of entry.required) {
            let slotLast = -1;
            // Walk whichever is smaller: the slot's words or the message's.
            if (firsts.size <= lastSeen.size) {
              for (const f of firsts) {
                const at = lastSeen.get(f);
                if (at !== undefined && at > slotLast) slotLast = at;
              }
            } else {
              for (const [f, at] of lastSeen) if (at > slotLast && firsts.has(f)) slotLast = at;
            }
            if (slotLast < latest) latest = slotLast;
            if (latest < i) break;
          }
          latestStart.set(entry, latest);
        }
        if (latest < i) continue;
        const end = matchAt(words, entry.slots, i);
        if (end !== null && end > i) out.push({ tag: entry.tag, span: { start: i, end } });
      }
    }
    return out;
  }
}

/** Where each word last occurs in a message: share it when several indexes read one message. */
export function lastPositions(words: readonly Word[]): Map<string, number> {
  const last = new Map<string, number>();
  words.forEach((w, i) => last.set(w.f, i));
  return last;
}
