/** The fact check's types (src/kb/fact-check.ts): quantities, group words, facts and problems. */
export type QuantityKind = 'money' | 'age' | 'date' | 'coefficient' | 'percent' | 'days' | 'months' | 'years';

/** A calendar date as far as the text gives it: "01/7/2024", "tháng 7/2025", "năm 2014". */
export interface DateParts {
  y?: number;
  m?: number;
  d?: number;
}

/** How a date is used: "từ" (from), "trước" (before), "đến" (until), "sau" (after), or plain. */
export type DateRelation = 'from' | 'before' | 'until' | 'after' | 'on';

/** Ages in years; `hiOpen` for "dưới 80" (80 itself excluded). */
export interface AgeRange {
  lo: number;
  hi: number;
  hiOpen: boolean;
}

export interface Quantity {
  kind: QuantityKind;
  /** As written, e.g. "750 nghìn", "từ đủ 80 tuổi", "01/7/2024". */
  text: string;
  start: number;
  end: number;
  /** Đồng for money, years for ages, the number itself otherwise; for dates y·10000+m·100+d. */
  value: number;
  date?: DateParts;
  rel?: DateRelation;
  /** Ages: the bound this number is ("từ 60" lo, "dưới 80" hi) and the whole range it belongs to. */
  role?: 'lo' | 'hi' | 'point';
  range?: AgeRange;
  /** Numbers of one range ("từ 60 đến dưới 80 tuổi") share a group. */
  group?: number;
  /** Money: "ít nhất", "trên" (up) or "dưới", "tối đa" (down) right before or after it. */
  bound?: 'up' | 'down';
}

/** A group or condition word ("đặc biệt nặng", "không có lương hưu") or a quantity qualifying another. */
export type FactTerm =
  | { type: 'word'; key: string; axis?: string; neg: boolean; text: string; start?: number }
  | { type: 'quantity'; quantity: Quantity };

export interface Fact {
  quantity: Quantity;
  terms: FactTerm[];
  /** The words the quantity is attached to, for messages. */
  attachment: string;
  /** The entry it came from; empty for reply quantities. */
  entryId: string;
  /** From the source line or the effective date: may back a reply, never stands against one. */
  weak?: boolean;
  /** Other quantities of its kind in the same attachment ("dưới 16 tuổi … nếu dưới 4 tuổi"). */
  peers?: Quantity[];
}

/** An entry as the checker needs it: its rendered body (placeholders filled), its source and date. */
export interface FactSource {
  id: string;
  body: string;
  source?: string;
  effective?: string;
}

export interface FactProblem {
  /** The number as the reply wrote it. */
  quantity: string;
  kind: QuantityKind;
  reason: 'not-in-entries' | 'contradicts-entries';
  /** The reply's group words and qualifiers for it. */
  words: string[];
  /** Why, naming the entry facts it was compared with. */
  detail: string;
}

export interface FactCheckOptions {
  /** Today, to tell a rate that ended ("đến 30/6/2024") from one in force. Defaults to now. */
  at?: Date;
}
