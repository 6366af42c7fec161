import { AgeRange, DateParts, DateRelation, Fact, FactCheckOptions, FactProblem, FactSource, FactTerm, Quantity } from './types.js';
import { excludes, intersect, isGroupWord, termText } from './terms.js';
import { entryFacts, extract } from './facts.js';

/** Comparing: one part of the fact check for LLM-phrased answers (src/kb/fact-check.ts). */

export const relUp = (r: DateRelation | undefined) => r === 'from' || r === 'after';
export const relDown = (r: DateRelation | undefined) => r === 'before' || r === 'until';

export function relCompatible(a: DateRelation | undefined, b: DateRelation | undefined): boolean {
  if (!a || !b || a === 'on' || b === 'on' || a === b) return true;
  return (relUp(a) && relUp(b)) || (relDown(a) && relDown(b));
}

/** Same calendar date as far as both say; a reply may add the 1st of a month the entry names. */
export function sameDate(reply: DateParts, fact: DateParts): boolean {
  for (const k of ['y', 'm', 'd'] as const) {
    const r = reply[k];
    const f = fact[k];
    if (r !== undefined && f !== undefined && r !== f) return false;
    if (r !== undefined && f === undefined && !(r === 1 && (k === 'd' || (k === 'm' && reply.d === 1)))) return false;
  }
  return true;
}

export const near = (a: number, b: number) => Math.abs(a - b) < 1e-6 * Math.max(1, Math.abs(a));

/** Whether a reply quantity states the same value as an entry quantity. */
export function sameQuantity(reply: Quantity, fact: Quantity): boolean {
  if (reply.kind !== fact.kind) return false;
  if (reply.kind === 'date') return sameDate(reply.date ?? {}, fact.date ?? {}) && relCompatible(reply.rel, fact.rel);
  if (!near(reply.value, fact.value)) return false;
  if (reply.kind === 'age') {
    const r = reply.role ?? 'point';
    const f = fact.role ?? 'point';
    if (r === 'point') return f !== 'hi' || !fact.range?.hiOpen;
    if (f === 'point') return r !== 'hi' || !reply.range?.hiOpen;
    return r === f;
  }
  return true;
}

/** Whether entry quantity `b` can be about what reply quantity `a` is: a year and a date in it, an age bracket holding the reply's. */
export function overlaps(a: Quantity, b: Quantity): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'date') {
    const da = a.date ?? {};
    const db = b.date ?? {};
    return (sameDate(da, db) || sameDate(db, da)) && relCompatible(a.rel, b.rel);
  }
  // Ages are brackets: "dưới 16 tuổi" holds "dưới 4 tuổi", "từ đủ 70 tuổi" holds "từ đủ 70 đến dưới 75",
  // but "từ đủ 75 tuổi" does not hold "từ đủ 70 tuổi".
  if (a.kind === 'age' && a.range && b.range) {
    const inner = a.range;
    const outer = b.range;
    if (inner.lo < outer.lo || inner.hi > outer.hi) return false;
    return !(inner.hi === outer.hi && outer.hiOpen && !inner.hiOpen && Number.isFinite(inner.hi));
  }
  return near(a.value, b.value);
}

/** Whether the attachment `terms` says what the reply term `t` says. */
export function has(terms: readonly FactTerm[], t: FactTerm): boolean {
  if (t.type === 'word') return terms.some((a) => a.type === 'word' && a.key === t.key && a.neg === t.neg);
  const q = t.quantity;
  const like = terms.filter((a): a is Extract<FactTerm, { type: 'quantity' }> => a.type === 'quantity' && a.quantity.kind === q.kind);
  if (q.kind === 'age') return ageFits(q, like.map((a) => a.quantity));
  return like.some((a) => sameQuantity(q, a.quantity));
}

/**
 * A reply's age bound fits a fact's range when each bound the reply states lies within
 * the fact's, and they overlap: "từ đủ 4 tuổi" fits [4, 16) (the reply leaves out the
 * upper bound), "dưới 16 tuổi" does not fit [0, 4), "từ 80" does not fit [60, 80).
 */
export function boundsFit(inner: AgeRange, outer: AgeRange): boolean {
  if (Number.isFinite(inner.lo) && inner.lo < outer.lo) return false;
  if (Number.isFinite(inner.hi)) {
    if (inner.hi > outer.hi) return false;
    if (inner.hi === outer.hi && outer.hiOpen && !inner.hiOpen) return false;
  }
  const lo = Math.max(inner.lo, outer.lo);
  const hi = Math.min(inner.hi, outer.hi);
  const open = (hi === inner.hi && inner.hiOpen) || (hi === outer.hi && outer.hiOpen);
  return lo < hi || (lo === hi && !open);
}

export function ageFits(q: Quantity, ages: Quantity[]): boolean {
  const ranges = ages.map((a) => a.range).filter((r): r is AgeRange => r !== undefined);
  if (!q.range || ranges.length === 0) return false;
  const all = intersect(ranges);
  if (all) return boundsFit(q.range, all);
  return ranges.some((r) => boundsFit(q.range!, r));
}

/** Rule 1: the attachment says something else on the same scale. */
export function conflictWith(terms: readonly FactTerm[], t: FactTerm): FactTerm[] {
  if (t.type === 'word') {
    const opposite = terms.filter((a) => a.type === 'word' && ((a.key === t.key && a.neg !== t.neg) || (!a.neg && !t.neg && excludes(a.key, t.key))));
    if (opposite.length) return opposite;
    if (!t.axis || t.neg) return [];
    const sameAxis = terms.filter((a) => a.type === 'word' && a.axis === t.axis && !a.neg);
    return sameAxis.length && !has(terms, t) ? sameAxis : [];
  }
  const like = terms.filter((a) => a.type === 'quantity' && a.quantity.kind === t.quantity.kind);
  return like.length && !has(terms, t) ? like : [];
}

export const quote = (ts: readonly FactTerm[]) => [...new Set(ts.map(termText))].map((s) => `"${s}"`).join(', ');
export const counts = (t: FactTerm) => t.type === 'quantity' || isGroupWord(t);
/**
 * Rule 3 compares who a value is for; dates say when, and are left to rules 1 and 2.
 * "người lớn" is who a rate is for when nothing else is said, so it makes no special case.
 */
export const countsForGroup = (t: FactTerm) =>
  counts(t) && !(t.type === 'quantity' && t.quantity.kind === 'date') && !(t.type === 'word' && t.key === 'người lớn' && !t.neg);
export const groupTermKey = (t: FactTerm): string => {
  if (t.type === 'word') return `${t.neg ? '!' : ''}${t.key}`;
  const q = t.quantity;
  if (q.kind === 'age' && q.range) return `age:${q.range.lo}-${q.range.hi}${q.range.hiOpen ? ')' : ']'}`;
  if (q.kind === 'date') return `date:${q.value}:${q.rel}`;
  return `${q.kind}:${q.value}`;
};

/**
 * Whether the reply's `u` tells `fact` from `other`: a group word the other lacks, or a
 * quantity the other gives differently ("hệ số 1,5" against "hệ số 2,0"); a quantity
 * the other does not mention at all tells nothing.
 */
export function setsApart(u: FactTerm, fact: Fact, other: Fact): boolean {
  if (!counts(u) || !has(fact.terms, u) || has(other.terms, u)) return false;
  return u.type === 'word' || conflictWith(other.terms, u).length > 0;
}

export interface Verdict {
  ok: boolean;
  why?: string;
}

export function judge(reply: Fact, fact: Fact, others: readonly Fact[]): Verdict {
  const where = fact.entryId ? ` (${fact.entryId})` : '';
  const mistaken = (f: Fact) => f.terms.some((t) => t.type === 'word' && t.key === 'ghi nhầm' && !t.neg);
  if (mistaken(fact) && !mistaken(reply)) return { ok: false, why: `${fact.quantity.text}${where} is a figure the entry calls a mistake` };
  for (const t of reply.terms) {
    if (has(fact.terms, t)) continue;
    // "từ 01/7/2024 (trước đó là 360.000 đồng)": among several amounts or dates by one quantity, one that fits is enough.
    if (t.type === 'quantity' && reply.terms.some((u) => u !== t && u.type === 'quantity' && u.quantity.kind === t.quantity.kind && has(fact.terms, u))) continue;
    const clash = conflictWith(fact.terms, t);
    if (clash.length) return { ok: false, why: `reply says "${termText(t)}" but ${fact.quantity.text}${where} is for ${quote(clash)}` };
    if (!counts(t) && !(t.type === 'word' && t.axis === 'time')) continue;
    // Rule 2: the word belongs to another value, and nothing in the reply points to this one.
    // A rival the reply names right there ("dưới 16 tuổi … 1.250.000 đồng nếu dưới 4 tuổi") explains the word.
    const owner = others.find(
      (s) => has(s.terms, t) && !reply.terms.some((u) => setsApart(u, fact, s)) && !reply.peers?.some((p) => sameQuantity(p, s.quantity)),
    );
    if (owner) {
      return {
        ok: false,
        why: `reply says "${termText(t)}", which goes with ${owner.quantity.text}${owner.entryId ? ` (${owner.entryId})` : ''}, not ${fact.quantity.text}${where}`,
      };
    }
  }
  // Rule 3: a special case's value said without its condition, where a plainer fact fits.
  const replyGroup = reply.terms.filter(countsForGroup);
  if (replyGroup.length) {
    const factKeys = new Set(fact.terms.filter(countsForGroup).map(groupTermKey));
    for (const s of others) {
      const sGroup = s.terms.filter(countsForGroup);
      if (!sGroup.length || !replyGroup.every((t) => has(s.terms, t))) continue;
      if (replyGroup.some((t) => conflictWith(s.terms, t).length)) continue;
      const sKeys = new Set(sGroup.map(groupTermKey));
      if (sKeys.size >= factKeys.size || ![...sKeys].every((k) => factKeys.has(k))) continue;
      const missing = fact.terms.filter((t) => countsForGroup(t) && !sKeys.has(groupTermKey(t)));
      // Only a condition on who (severity, population, poverty, area, age) makes a special case;
      // a topic word one entry happens to repeat ("chuẩn nghèo") does not.
      if (missing.some((t) => (t.type === 'word' && t.axis !== undefined) || (t.type === 'quantity' && t.quantity.kind === 'age'))) {
        return {
          ok: false,
          why: `${fact.quantity.text}${where} is only for ${quote(missing)}, which the reply leaves out; otherwise it is ${s.quantity.text}${s.entryId ? ` (${s.entryId})` : ''}`,
        };
      }
    }
  }
  return { ok: true };
}

/**
 * Checks every quantity of a reply against the facts of the entries it was given.
 * Entries' bodies should be rendered (policy and centre placeholders filled) as the
 * model saw them. An empty list means every quantity is an entry fact, said of a
 * compatible group.
 *
 * @example
 * const entry = { id: 'nkt', body: '- Khuyết tật đặc biệt nặng: 1.000.000 đồng/tháng;\n- Khuyết tật nặng: 750.000 đồng/tháng.' };
 * checkFacts('Khuyết tật nặng: 1.000.000 đồng', [entry]).map(describeFactProblem)
 * // → ['1.000.000 đồng (money): reply says "nặng" but 1.000.000 đồng (nkt) is for "đặc biệt nặng"']
 * checkFacts('Người khuyết tật nặng được 750 nghìn mỗi tháng.', [entry]) // → []
 */
export function checkFacts(reply: string, entries: readonly FactSource[], options: FactCheckOptions = {}): FactProblem[] {
  const at = options.at ?? new Date();
  const facts = entries.flatMap((e) => entryFacts(e, { at }));
  const problems: FactProblem[] = [];
  for (const r of extract(reply, '', at).facts) {
    const words = r.terms.filter((t) => t.type === 'quantity' || t.axis !== undefined || isGroupWord(t)).map(termText);
    const candidates = facts.filter((f) => sameQuantity(r.quantity, f.quantity));
    if (candidates.length === 0) {
      problems.push({ quantity: r.quantity.text, kind: r.quantity.kind, reason: 'not-in-entries', words, detail: 'no entry states this value' });
      continue;
    }
    const others = facts.filter((f) => !f.weak && f.quantity.kind === r.quantity.kind && !overlaps(r.quantity, f.quantity));
    const verdicts = candidates.map((f) => judge(r, f, others));
    if (verdicts.some((v) => v.ok)) continue;
    const reasons = [...new Set(verdicts.map((v) => v.why!))];
    problems.push({
      quantity: r.quantity.text,
      kind: r.quantity.kind,
      reason: 'contradicts-entries',
      words,
      detail: reasons.slice(0, 2).join('; ') + (reasons.length > 2 ? `; +${reasons.length - 2} more` : ''),
    });
  }
  return problems;
}

/**
 * One line for a log: the number, its kind and why.
 *
 * @example
 * describeFactProblem({ quantity: '900.000 đồng', kind: 'money', reason: 'not-in-entries', words: [], detail: 'no entry states this value' })
 * // → '900.000 đồng (money): no entry states this value'
 */
export function describeFactProblem(p: FactProblem): string {
  return `${p.quantity} (${p.kind}): ${p.detail}`;
}
