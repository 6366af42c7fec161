import { DateParts, Fact, FactCheckOptions, FactSource, FactTerm, Quantity } from './types.js';
import { prepare } from './text.js';
import { before, scanText, within } from './quantities.js';
import { intersect, isGroupWord, termText, wordTerms } from './terms.js';
import { LineInfo, Seg, segment } from './segments.js';

/** Facts: one part of the fact check for LLM-phrased answers (src/kb/fact-check.ts). */

export function deepest(seg: Seg, q: Quantity): Seg {
  for (const c of seg.children) if (within(q, c.start, c.end)) return deepest(c, q);
  return seg;
}

/** y·10000+m·100+d; a missing month or day is the first, or with `last` the last, of the period. */
export function dateOrdinal(d: DateParts, last = false): number {
  return (d.y ?? 0) * 10000 + (d.m ?? (last ? 12 : 1)) * 100 + (d.d ?? (last ? 31 : 1));
}

export function todayOrdinal(at: Date): number {
  const v = new Date(at.getTime() + 7 * 3600 * 1000); // Vietnam time
  return v.getUTCFullYear() * 10000 + (v.getUTCMonth() + 1) * 100 + v.getUTCDate();
}

export interface Extracted {
  text: string;
  quantities: Quantity[];
  facts: Fact[];
}

export function extract(rawText: string, entryId: string, at: Date): Extracted {
  const text = prepare(rawText);
  const qs = scanText(text).out;
  const lines = segment(text, qs);
  const same = (q: Quantity, o: Quantity) => o !== q && o.kind === q.kind && (q.group === undefined || o.group !== q.group);
  const sameKindIn = (q: Quantity, s: number, e: number) => qs.some((o) => same(q, o) && within(o, s, e));
  const ownRanges = (seg: Seg): Array<[number, number]> => {
    const out: Array<[number, number]> = [];
    let from = seg.start;
    for (const c of [...seg.children].sort((a, b) => a.start - b.start)) {
      if (c.start > from) out.push([from, c.start]);
      from = Math.max(from, c.end);
    }
    if (seg.end > from) out.push([from, seg.end]);
    return out;
  };
  const ownHasSame = (q: Quantity, seg: Seg) => ownRanges(seg).some(([a, b]) => sameKindIn(q, a, b));

  /** A segment's text without the parts that hold another quantity of q's kind. */
  const subtree = (q: Quantity, seg: Seg, out: Array<[number, number]>) => {
    if (!sameKindIn(q, seg.start, seg.end)) {
      out.push([seg.start, seg.end]);
      return;
    }
    if (!ownHasSame(q, seg)) out.push(...ownRanges(seg));
    // "(là trẻ em hoặc người cao tuổi: 1.000.000 đồng)": the head goes with the amount after it.
    for (const c of seg.children) if (c.role !== 'head' && c.role !== 'itemhead') subtree(q, c, out);
  };

  const kindsOwn = (seg: Seg) => new Set(qs.filter((o) => ownRanges(seg).some(([a, b]) => within(o, a, b))).map((o) => o.kind));
  const kindsUnder = (seg: Seg) => new Set(qs.filter((o) => within(o, seg.start, seg.end)).map((o) => o.kind));
  /** An ancestor's own text that also holds another like quantity: only the stretch between the neighbours of q. */
  const SEPARATOR = /[,;:]|(?<![\p{L}])(?:và|còn|hoặc|nhưng)(?![\p{L}])/gu;
  const windowed = (q: Quantity, seg: Seg): Array<[number, number]> => {
    let lo = seg.start;
    let hi = seg.end;
    for (const o of qs) {
      if (!same(q, o) || !within(o, seg.start, seg.end)) continue;
      if (o.end <= q.start) {
        // Words right after the other quantity are its own ("500.000 đồng cho mỗi con từ 01/7/2024 (…)"),
        // words after a comma are q's ("1.000.000 đồng, cao hơn trợ cấp cho người từ 80 tuổi (500.000 đồng)").
        const seps = [...text.slice(o.end, q.start).matchAll(SEPARATOR)];
        lo = Math.max(lo, seps.length ? o.end + seps.at(-1)!.index + seps.at(-1)![0].length : q.start);
      } else if (o.start >= q.end) {
        const sep = [...text.slice(q.end, o.start).matchAll(SEPARATOR)][0];
        hi = Math.min(hi, sep ? q.end + sep.index : o.start);
      }
    }
    return ownRanges(seg)
      .map(([a, b]): [number, number] => [Math.max(a, lo), Math.min(b, hi)])
      .filter(([a, b]) => a < b);
  };

  const pieces = (
    q: Quantity,
    line: LineInfo,
    far: Array<[number, number]> = [],
    openers: Array<[number, number]> = [],
  ): Array<[number, number]> => {
    const out: Array<[number, number]> = [];
    const leaf = deepest(line.seg, q);
    // The leaf: its own text and brackets without a like quantity. With several like quantities
    // ("tăng từ 360.000 đồng lên 500.000 đồng từ 01/7/2024"), each has the words from the one
    // before it to itself, the last also what follows, and all share the opening words.
    const likeInLeaf = qs.filter((o) => same(q, o) && ownRanges(leaf).some(([a, b]) => within(o, a, b))).sort((a, b) => a.start - b.start);
    let holder: Seg | undefined = leaf;
    while (holder && !holder.respective) holder = holder.parent;
    if (likeInLeaf.length && !holder) {
      const before = likeInLeaf.filter((o) => o.end <= q.start).at(-1);
      const after = likeInLeaf.find((o) => o.start >= q.end);
      const first = likeInLeaf[0]!.start < q.start ? likeInLeaf[0]! : undefined;
      const lo = before ? before.end : leaf.start;
      const hi = after ? q.end + (/^(?:\s*(?:đồng|đ|dong))?(?:\s*\/\s*\p{L}+)?/u.exec(text.slice(q.end))?.[0].length ?? 0) : leaf.end;
      for (const [a, b] of ownRanges(leaf)) if (Math.max(a, lo) < Math.min(b, hi)) out.push([Math.max(a, lo), Math.min(b, hi)]);
      if (first) openers.push([leaf.start, first.start]);
    } else out.push(...ownRanges(leaf));
    for (const c of leaf.children) if (!within(q, c.start, c.end)) subtree(q, c, out);
    let child = leaf;
    for (let seg = leaf.parent; seg; child = seg, seg = seg.parent) {
      out.push(...(ownHasSame(q, seg) ? windowed(q, seg) : ownRanges(seg)));
      const childIsHead = child.role === 'head' || child.role === 'itemhead';
      for (const sib of seg.children) {
        if (sib === child) continue;
        if (sib.role === 'head' || sib.role === 'itemhead') {
          // A head speaks for the items after it, unless an item gives its own of the head's kind
          // ("Năm 2026 …: …; từ năm 2027 là …").
          const own = kindsOwn(sib);
          if ((ownHasSame(q, sib) && q.kind !== 'age') || [...kindsUnder(child)].some((k) => k !== q.kind && own.has(k))) continue;
          if (q.kind === 'age') out.push([sib.start, sib.end]);
          else subtree(q, sib, out);
        } else if (sib.role === 'paren' || sib.role === 'cell') {
          if (!ownHasSame(q, sib)) subtree(q, sib, out);
        } else if (childIsHead && (sib.role === 'item' || sib.role === 'part')) {
          const own = kindsOwn(child);
          if ([...kindsUnder(sib)].some((k) => own.has(k))) continue;
          subtree(q, sib, out);
        }
      }
      if (seg.role === 'sentence' || seg.role === 'line') break;
    }
    // A table cell: its column's header too.
    if (line.kind === 'table' && line.header) {
      const cells = line.seg.children;
      const col = cells.findIndex((c) => within(q, c.start, c.end));
      const h = line.header[col];
      if (h && h.parent !== line.seg && !sameKindIn(q, h.start, h.end)) out.push([h.start, h.end]);
    }
    // A list item: the sentences of the line that introduces the list; a heading.
    // Ages are brackets: "Trẻ em dưới 16 tuổi … được:" still speaks for "- Dưới 4 tuổi: …".
    for (const ctx of [line.kind === 'list' ? line.lead : undefined, line.heading]) {
      if (!ctx) continue;
      for (const s of ctx.seg.children) if (q.kind === 'age' || !sameKindIn(q, s.start, s.end)) far.push([s.start, s.end]);
    }
    return out;
  };

  const termsOf = (q: Quantity, ranges: Array<[number, number]>, far: Array<[number, number]> = []): FactTerm[] => {
    let terms: FactTerm[] = [];
    for (const [a, b] of [...ranges, ...far]) terms.push(...wordTerms(text, a, b));
    const seenGroups = new Set<number>();
    const nearKinds = new Set(qs.filter((o) => o !== q && ranges.some(([a, b]) => within(o, a, b))).map((o) => o.kind));
    // A lead-in's dates or ages count only where the line gives none of its own
    // ("chuẩn nghèo 2026–2030: … Từ năm 2027 đến năm 2030: …").
    const inFar = (o: Quantity) => !nearKinds.has(o.kind) && far.some(([a, b]) => within(o, a, b));
    for (const o of qs) {
      if (o === q || o.kind === q.kind || !(ranges.some(([a, b]) => within(o, a, b)) || inFar(o))) continue;
      if (o.group !== undefined) {
        if (seenGroups.has(o.group)) continue;
        seenGroups.add(o.group);
      }
      terms.push({ type: 'quantity', quantity: o });
    }
    if (q.bound) terms.push({ type: 'word', key: q.bound === 'up' ? 'ít nhất' : 'tối đa', axis: 'bound', neg: false, text: q.bound === 'up' ? 'ít nhất' : 'tối đa' });
    // Several age bounds around one quantity ("trẻ dưới 16 tuổi … dưới 4 tuổi") narrow each other.
    const ages = terms.filter((t): t is Extract<FactTerm, { type: 'quantity' }> => t.type === 'quantity' && t.quantity.kind === 'age');
    const both = ages.length > 1 ? intersect(ages.map((t) => t.quantity.range!).filter(Boolean)) : null;
    if (both) {
      const merged: Quantity = { ...ages[0]!.quantity, text: ages.map((t) => t.quantity.text).join(' + '), range: both, group: undefined };
      terms = [...terms.filter((t) => !ages.includes(t as never)), { type: 'quantity', quantity: merged }];
    }
    // Dates around it say whether a rate ended, is in force or is still to come.
    const today = todayOrdinal(at);
    let ended: FactTerm | undefined;
    let started: FactTerm | undefined;
    let coming: FactTerm | undefined;
    for (const t of terms) {
      if (t.type !== 'quantity' || t.quantity.kind !== 'date' || !t.quantity.date?.y) continue;
      const { rel, date } = t.quantity;
      if ((rel === 'until' || rel === 'before') && dateOrdinal(date, true) < today) ended ??= t;
      else if (rel !== 'until' && rel !== 'before' && dateOrdinal(date) > today) coming ??= t;
      else if (rel === 'from' || rel === 'after') started ??= t;
    }
    const time = (key: string, t: FactTerm): FactTerm => ({ type: 'word', key, axis: 'time', neg: false, text: termText(t) });
    // Words ("trước đó là 360.000 đồng") say it better than a date nearby.
    if (terms.some((t) => t.type === 'word' && t.axis === 'time')) return terms;
    if (ended) terms.push(time('trước đây', ended));
    else if (coming) terms.push(time('sắp tới', coming));
    else if (started) terms.push(time('hiện nay', started));
    return terms;
  };

  const facts: Fact[] = [];
  for (const line of lines) {
    for (const q of qs) {
      if (!within(q, line.seg.start, line.seg.end)) continue;
      const far: Array<[number, number]> = [];
      const openers: Array<[number, number]> = [];
      const ranges = pieces(q, line, far, openers);
      let terms = termsOf(q, ranges, far);
      // "người cao tuổi khuyết tật nặng được 1.000.000 đồng, đặc biệt nặng 1.250.000 đồng",
      // "cháu dưới 16 tuổi, đặc biệt nặng 1.250.000 đồng; nặng 1.000.000 đồng": a later part or item
      // leaves out what the first opened with; it keeps its own words where they clash.
      const leaf = deepest(line.seg, q);
      // Group words carry over, and ages (who it is for); dates do not ("trước đó là …").
      const inherit = (from: number, to: number, ages = true) => {
        for (const t of wordTerms(text, from, to)) {
          if (t.type !== 'word' || !isGroupWord(t)) continue;
          if (terms.some((u) => u.type === 'word' && (u.key === t.key || (t.axis !== undefined && u.axis === t.axis)))) continue;
          terms.push(t);
        }
        for (const o of qs) {
          if (!ages || o.kind !== 'age' || o.kind === q.kind || !within(o, from, to)) continue;
          if (terms.some((u) => u.type === 'quantity' && u.quantity.kind === o.kind)) continue;
          terms.push({ type: 'quantity', quantity: o });
        }
      };
      const part = leaf.role === 'part' ? leaf : leaf.parent?.role === 'part' ? leaf.parent : undefined;
      const firstPart = part?.parent?.children.find((c) => c.role === 'part');
      if (part && firstPart && firstPart !== part) {
        const opener = qs.find((o) => o.kind === q.kind && within(o, firstPart.start, firstPart.end));
        if (opener) inherit(firstPart.start, opener.start);
      }
      for (const [a, b] of openers) inherit(a, b);
      let item: Seg | undefined = leaf;
      while (item && item.role !== 'item') item = item.parent;
      const items = item?.parent?.children.filter((c) => c.role === 'item') ?? [];
      if (item && items.indexOf(item) > 0) {
        const opener = qs.find((o) => o.kind === q.kind && within(o, items[0]!.start, items[0]!.end));
        if (opener) inherit(items[0]!.start, opener.start);
      }
      // "Mức chuẩn … hiện nay là 500.000 đồng (trước đó là 360.000 đồng)": a bracketed like quantity
      // takes the words that opened the clause around it.
      for (let seg = leaf.parent, child: Seg = leaf; seg; child = seg, seg = seg.parent) {
        if (child.role === 'paren') {
          const outer = qs.find((o) => same(q, o) && o.end <= child.start && within(o, seg.start, seg.end) && !within(o, child.start, child.end));
          if (outer) inherit(seg.start, outer.start, false);
          break;
        }
        if (seg.role === 'sentence' || seg.role === 'line') break;
      }
      // "nặng, đặc biệt nặng được ít nhất 750.000 hoặc 1.000.000 đồng": the k-th amount takes the k-th word.
      let holder: Seg | undefined = leaf;
      while (holder && !holder.respective) holder = holder.parent;
      const list = holder?.respective;
      const k = list ? list.indexOf(q) : -1;
      if (list && k >= 0) {
        const byAxis = new Map<string, string[]>();
        for (const t of terms) {
          if (t.type !== 'word' || !t.axis || t.neg || t.start === undefined || t.start > list[0]!.start || t.start < holder!.start) continue;
          const keys = byAxis.get(t.axis) ?? [];
          if (!keys.includes(t.key)) keys.push(t.key);
          byAxis.set(t.axis, keys);
        }
        for (const [axis, keys] of byAxis) {
          if (keys.length !== list.length) continue;
          terms = terms.filter((t) => t.type !== 'word' || t.axis !== axis || t.neg || t.key === keys[k]);
        }
      }
      // Nothing says who it is for ("Mức: 500.000 đồng"): the sentence before, else the opening paragraph.
      if (!terms.some((t) => isGroupWord(t) || (t.type === 'quantity' && (t.quantity.kind === 'age' || t.quantity.kind === 'coefficient')))) {
        const sentence = line.seg.children.find((s) => within(q, s.start, s.end));
        const idx = sentence ? line.seg.children.indexOf(sentence) : -1;
        const extra: Array<[number, number]> = [];
        const prev = idx > 0 ? line.seg.children[idx - 1] : undefined;
        // "… người lo mai táng được hỗ trợ ít nhất 10.000.000 đồng. … trước đó là 7.200.000 đồng.":
        // the sentence before, or the words it opened with before its own amount.
        const prevLike = prev ? qs.filter((o) => same(q, o) && within(o, prev.start, prev.end)).sort((a, b) => a.start - b.start)[0] : undefined;
        const prevEnd = prev ? (prevLike ? prevLike.start : prev.end) : 0;
        if (prev && wordTerms(text, prev.start, prevEnd).some(isGroupWord)) extra.push([prev.start, prevEnd]);
        else {
          const first = lines.find((l) => l.kind === 'para');
          if (first && first !== line && first !== line.lead) {
            for (const s of first.seg.children) if (!sameKindIn(q, s.start, s.end)) extra.push([s.start, s.end]);
          }
        }
        if (extra.length) {
          ranges.push(...extra);
          terms.push(...termsOf(q, extra));
        }
      }
      const attachment = mergeRanges([...far, ...ranges])
        .map(([a, b]) => text.slice(a, b).trim())
        .filter(Boolean)
        .join(' … ');
      const peers = qs.filter((o) => same(q, o) && ranges.some(([a, b]) => within(o, a, b)));
      facts.push({ quantity: q, terms, attachment, entryId, peers });
    }
  }
  return { text, quantities: qs, facts };
}

export function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/**
 * The facts of a text (an entry's rendered body, or a reply): each quantity with the
 * words it is attached to.
 *
 * @example
 * factsIn('Mức tối thiểu từ 01/7/2024:\n\n- Khuyết tật đặc biệt nặng: 1.000.000 đồng/tháng;\n- Khuyết tật nặng: 750.000 đồng/tháng;')
 *   .filter((f) => f.quantity.kind === 'money')
 *   .map((f) => [f.quantity.value, f.attachment])
 * // → [[1000000, 'mức tối thiểu từ 01/7/2024: … khuyết tật đặc biệt nặng: 1.000.000 đồng/tháng;'],
 * //    [750000, 'mức tối thiểu từ 01/7/2024: … khuyết tật nặng: 750.000 đồng/tháng;']]
 */
export function factsIn(text: string, entryId = '', options: FactCheckOptions = {}): Fact[] {
  return extract(text, entryId, options.at ?? new Date()).facts;
}

/** An entry's facts: its body, its source line ("Luật Người khuyết tật 2010") and its effective date. */
export function entryFacts(entry: FactSource, options: FactCheckOptions = {}): Fact[] {
  const at = options.at ?? new Date();
  const facts = extract(entry.body, entry.id, at).facts;
  if (entry.source) facts.push(...extract(entry.source, entry.id, at).facts.map((f) => ({ ...f, weak: true })));
  const eff = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(entry.effective ?? '');
  if (eff) {
    const date: DateParts = { y: Number(eff[1]), m: eff[2] ? Number(eff[2]) : undefined, d: eff[3] ? Number(eff[3]) : undefined };
    const quantity: Quantity = { kind: 'date', text: entry.effective!, start: 0, end: 0, value: dateOrdinal(date), date, rel: 'on' };
    facts.push({ quantity, terms: [], attachment: '', entryId: entry.id, weak: true });
  }
  return facts;
}
