import { Quantity, QuantityKind } from './types.js';
import { w } from './text.js';
import { within } from './quantities.js';

/** Segments: lines, list lead-ins, sentences, clause heads, items, comma parts, brackets: one part of the fact check for LLM-phrased answers (src/kb/fact-check.ts). */

export type Role = 'line' | 'sentence' | 'head' | 'item' | 'itemhead' | 'part' | 'paren' | 'cell';

export interface Seg {
  start: number;
  end: number;
  role: Role;
  children: Seg[];
  parent?: Seg;
  /** "nặng, đặc biệt nặng: 750.000 hoặc 1.000.000 đồng": quantities given respectively. */
  respective?: Quantity[];
}

export interface LineInfo {
  seg: Seg;
  kind: 'list' | 'para' | 'table' | 'heading';
  /** For list items: the paragraph line that introduces the list (ends with ":"). */
  lead?: LineInfo;
  heading?: LineInfo;
  /** Table rows: the header row's cells. */
  header?: Seg[];
}

export const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** Top-level separator positions in [s, e), brackets skipped. */
export function topSplit(text: string, s: number, e: number, isSep: (i: number) => boolean): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let depth = 0;
  let from = s;
  for (let i = s; i < e; i++) {
    const c = text[i]!;
    if (c === '(' || c === '[') depth++;
    else if ((c === ')' || c === ']') && depth > 0) depth--;
    else if (depth === 0 && isSep(i)) {
      out.push([from, i]);
      from = i + 1;
    }
  }
  out.push([from, e]);
  return out.filter(([a, b]) => text.slice(a, b).trim().length > 0);
}

export function topParens(text: string, s: number, e: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let depth = 0;
  let open = -1;
  for (let i = s; i < e; i++) {
    const c = text[i];
    if (c === '(') {
      if (depth === 0) open = i;
      depth++;
    } else if (c === ')' && depth > 0) {
      depth--;
      if (depth === 0) out.push([open, i + 1]);
    }
  }
  return out;
}

export function node(start: number, end: number, role: Role, parent?: Seg): Seg {
  const seg: Seg = { start, end, role, children: [], parent };
  parent?.children.push(seg);
  return seg;
}

/** Brackets inside [s, e) that no child holds become children, parsed as clauses. */
export function addParens(text: string, seg: Seg, qs: readonly Quantity[]): void {
  for (const [ps, pe] of topParens(text, seg.start, seg.end)) {
    if (seg.children.some((c) => c.start <= ps && pe <= c.end)) continue;
    clause(text, ps + 1, pe - 1, 'paren', seg, qs);
  }
}

/** A clause: "head: item; item", each item perhaps "part, part" when its parts hold like quantities. */
export function clause(text: string, s: number, e: number, role: Role, parent: Seg | undefined, qs: readonly Quantity[]): Seg {
  const seg = node(s, e, role, parent);
  const isColon = (i: number) => text[i] === ':' && !(isDigit(text[i - 1]) && isDigit(text[i + 1]));
  const semis = topSplit(text, s, e, (i) => text[i] === ';');
  // "nặng: 750.000 đồng; đặc biệt nặng: 1.000.000 đồng": each item has its own head.
  if (semis.length > 1 && semis.filter(([a, b]) => topSplit(text, a, b, isColon).length > 1).length > 1) {
    for (const [a, b] of semis) clause(text, a, b, 'item', seg, qs);
    return seg;
  }
  const colon = topSplit(text, s, e, isColon);
  let bodyStart = s;
  if (colon.length > 1 && colon[0]![0] === s) {
    const head = node(s, colon[0]![1], 'head', seg);
    addParens(text, head, qs);
    bodyStart = colon[0]![1] + 1;
  }
  for (const [is, ie] of topSplit(text, bodyStart, e, (i) => text[i] === ';')) {
    const item = node(is, ie, 'item', seg);
    splitItem(text, item, qs);
    addParens(text, item, qs);
  }
  return seg;
}

/** Only a unit and "hoặc", "và" or a comma between two amounts: "750.000 hoặc 1.000.000 đồng/tháng". */
export const RESPECTIVELY = new RegExp(`^\\s*(?:(?:${w('đồng')}|đ|vnđ)\\s*)?(?:\\/\\s*${w('tháng')}\\s*)?(?:,|${w('hoặc', 'và', 'hay')})\\s*$`, 'u');
export const CONJUNCTIONS = /(?<![\p{L}])(?:và|còn|hoặc|hay|nhưng|va|hoac|nhung)(?![\p{L}])/gu;

export function cutsBetween(text: string, list: readonly Quantity[], parens: ReadonlyArray<[number, number]>): number[] {
  const cuts: number[] = [];
  for (let k = 0; k + 1 < list.length; k++) {
    const from = list[k]!.end;
    const to = list[k + 1]!.start;
    let depth = 0;
    let comma = -1;
    for (let i = from; i < to; i++) {
      const c = text[i];
      if (c === '(') depth++;
      else if (c === ')' && depth > 0) depth--;
      else if (depth === 0 && c === ',' && !(isDigit(text[i - 1]) && isDigit(text[i + 1]))) comma = i;
    }
    if (comma >= 0) {
      cuts.push(comma);
      continue;
    }
    const between = text.slice(from, to);
    const conj = [...between.matchAll(CONJUNCTIONS)].filter((m) => !parens.some(([a, b]) => from + m.index >= a && from + m.index < b)).at(-1);
    if (conj) cuts.push(from + conj.index - 1);
  }
  return cuts;
}

/**
 * An item with two quantities of one kind is cut between them, at the last comma there,
 * else at the last "và", "còn", "hoặc": "đặc biệt nặng 1.250.000 đồng, nặng 1.000.000
 * đồng", "1.250.000 đồng nếu đặc biệt nặng và 1.000.000 đồng nếu nặng". Leading comma
 * parts without a quantity are shared ("Với người cao tuổi, …").
 */
export function splitItem(text: string, item: Seg, qs: readonly Quantity[]): void {
  const parens = topParens(text, item.start, item.end);
  const inside = qs.filter((q) => within(q, item.start, item.end) && !parens.some(([a, b]) => q.start >= a && q.end <= b));
  const byKind = new Map<QuantityKind, Quantity[]>();
  for (const q of inside) {
    const list = byKind.get(q.kind) ?? [];
    if (q.group === undefined || !list.some((o) => o.group === q.group)) list.push(q);
    byKind.set(q.kind, list);
  }
  const all = new Set<number>();
  for (const [, list] of byKind) {
    list.sort((a, b) => a.start - b.start);
    if (list.length >= 2 && list.every((q, k) => k === 0 || RESPECTIVELY.test(text.slice(list[k - 1]!.end, q.start)))) {
      item.respective = list;
      return;
    }
  }
  for (const list of byKind.values()) if (list.length >= 2) for (const c of cutsBetween(text, list, parens)) all.add(c);
  const cuts = [...all].sort((a, b) => a - b);
  if (cuts.length === 0) return;
  // Shared opening: comma parts before the first quantity that hold no quantity at all.
  let headEnd = -1;
  let depth = 0;
  const firstQ = Math.min(...inside.map((q) => q.start));
  for (let i = item.start; i < Math.min(firstQ, cuts[0]!); i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (depth === 0 && c === ',' && !(isDigit(text[i - 1]) && isDigit(text[i + 1]))) headEnd = i;
  }
  let from = item.start;
  if (headEnd > 0) {
    node(item.start, headEnd, 'itemhead', item);
    from = headEnd + 1;
  }
  for (const cut of [...cuts, item.end]) {
    if (cut > from) node(from, cut, 'part', item);
    from = cut + 1;
  }
  for (const c of item.children) addParens(text, c, qs);
}

export const LIST_MARKER = /^(\s*)(?:[-*+•]|\d{1,2}[.)])\s+/u;

export function segment(text: string, qs: readonly Quantity[]): LineInfo[] {
  const lines: LineInfo[] = [];
  let offset = 0;
  let lastPara: LineInfo | undefined;
  let lastHeading: LineInfo | undefined;
  let tableHeader: Seg[] | undefined;
  for (const raw of text.split('\n')) {
    const start = offset;
    const end = offset + raw.length;
    offset = end + 1;
    if (raw.trim() === '') {
      tableHeader = undefined;
      continue;
    }
    const marker = LIST_MARKER.exec(raw);
    if (/^\s*\|/.test(raw)) {
      if (/^\s*\|?[\s:|-]+\|?\s*$/.test(raw)) continue; // |---|---|
      const row = node(start, end, 'line');
      const cells: Seg[] = [];
      let from = raw.indexOf('|') + 1;
      for (let i = from; i <= raw.length; i++) {
        if (i === raw.length || raw[i] === '|') {
          if (raw.slice(from, i).trim()) cells.push(clause(text, start + from, start + i, 'cell', row, qs));
          from = i + 1;
        }
      }
      const info: LineInfo = { seg: row, kind: 'table', header: tableHeader, heading: lastHeading };
      if (!tableHeader) tableHeader = cells;
      lines.push(info);
      continue;
    }
    tableHeader = undefined;
    if (/^\s*#+\s/.test(raw)) {
      const h = /^\s*#+\s*/.exec(raw)![0].length;
      const seg = node(start + h, end, 'line');
      clause(text, start + h, end, 'sentence', seg, qs);
      lastHeading = { seg, kind: 'heading' };
      lines.push(lastHeading);
      lastPara = undefined;
      continue;
    }
    const contentStart = start + (marker ? marker[0].length : 0);
    const seg = node(contentStart, end, 'line');
    for (const [a, b] of topSplit(text, contentStart, end, (i) => /[.!?…]/.test(text[i]!) && (i + 1 >= end || /\s/.test(text[i + 1]!)))) {
      clause(text, a, b, 'sentence', seg, qs);
    }
    if (marker) {
      const lead = lastPara && text.slice(lastPara.seg.start, lastPara.seg.end).trimEnd().endsWith(':') ? lastPara : undefined;
      lines.push({ seg, kind: 'list', lead, heading: lastHeading });
    } else {
      const info: LineInfo = { seg, kind: 'para', heading: lastHeading };
      lines.push(info);
      lastPara = info;
    }
  }
  return lines;
}
