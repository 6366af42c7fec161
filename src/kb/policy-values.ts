import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { LoadProblem } from './loader.js';

/**
 * Policy values with dates (knowledge/_policy-values.yaml): amounts and wording that
 * many entries share, such as the mức chuẩn trợ giúp xã hội or the poverty-line
 * incomes. An entry's body writes `{{policy.<key>}}`; the answer shows the value in
 * force on the day the citizen asks, in Vietnam time, so a value announced for a future
 * date changes every answer that uses it on that date, with no edit and no restart.
 *
 * Besides the value itself, `{{policy.<key>.from}}` is the date the value in force
 * started (01/7/2024) and `{{policy.<key>.previous}}` the value before it.
 *
 * Pure apart from {@link loadPolicyValues}, which reads the file.
 */

/** The values file, beside the entries in the knowledge folder. */
export const POLICY_VALUES_FILE = '_policy-values.yaml';

/**
 * What a citizen reads where a value is unknown or not in force yet: never the raw
 * placeholder, never a guess.
 */
export const POLICY_FALLBACK = 'chưa có thông tin chắc chắn (bạn hỏi UBND cấp xã nhé)';

const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

const isCalendarDay = (s: string): boolean => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};

const day = z.coerce
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD (giờ Việt Nam)')
  .refine(isCalendarDay, 'ngày không có thật');

export const datedValueSchema = z.object({
  /** The text shown, e.g. "1.500.000 đồng"; may be empty from a date on. */
  value: z.string({ error: 'cần một đoạn chữ, đặt trong ngoặc kép: "500.000 đồng"' }),
  /** First day it applies, inclusive, in Vietnam time. */
  from: day,
  /** The legal document that sets it. */
  source: z.string().trim().min(5, 'ghi văn bản pháp luật (số hiệu, điều khoản)'),
});

export const policyValueSchema = z
  .object({
    key: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'chữ thường không dấu, nối bằng dấu gạch ngang'),
    label: z.string().trim().min(3, 'ghi rõ đây là giá trị gì'),
    unit: z.string().trim().min(1).optional(),
    values: z.array(datedValueSchema).min(1, 'cần ít nhất một giá trị có ngày áp dụng'),
    reviewed: day,
  })
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.values.forEach((d, i) => {
      if (seen.has(d.from)) ctx.addIssue({ code: 'custom', path: ['values', i, 'from'], message: `trùng ngày ${d.from} với một giá trị khác` });
      seen.add(d.from);
    });
  });

export type DatedValue = z.infer<typeof datedValueSchema>;
/** One named value; `values` is sorted by `from`, oldest first. */
export type PolicyValue = z.infer<typeof policyValueSchema>;
export type PolicyValues = ReadonlyMap<string, PolicyValue>;

export interface PolicyValuesLoad {
  values: PolicyValues;
  problems: LoadProblem[];
}

/** The values and the moment an answer is given. */
export interface PolicyContext {
  values: PolicyValues;
  at: Date;
}

/**
 * Parses the values file. A bad value is reported by key and field and skipped; the
 * others still load, and a broken file gives no values: never an exception.
 *
 * @example
 * parsePolicyValues('- key: muc-chuan\n  label: Mức chuẩn\n  values: []\n  reviewed: 2026-11-22\n')
 * // → { values: Map {}, problems: [{ file: '_policy-values.yaml', field: 'muc-chuan.values', message: 'cần ít nhất …' }] }
 */
export function parsePolicyValues(text: string, file = POLICY_VALUES_FILE): PolicyValuesLoad {
  const problems: LoadProblem[] = [];
  const values = new Map<string, PolicyValue>();
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    return { values, problems: [{ file, field: '(tệp)', message: `YAML lỗi: ${(err as Error).message}` }] };
  }
  if (data === null || data === undefined) return { values, problems };
  if (!Array.isArray(data)) {
    return { values, problems: [{ file, field: '(tệp)', message: 'tệp phải là một danh sách, mỗi giá trị bắt đầu bằng "- key: …"' }] };
  }
  data.forEach((item: unknown, i) => {
    const rawKey = typeof item === 'object' && item && 'key' in item ? (item as { key: unknown }).key : undefined;
    const name = typeof rawKey === 'string' && rawKey ? rawKey : `[${i + 1}]`;
    const parsed = policyValueSchema.safeParse(item);
    if (!parsed.success) {
      const fields = new Set<string>();
      for (const issue of parsed.error.issues) {
        const field = [name, ...issue.path].join('.');
        if (!fields.has(field)) problems.push({ file, field, message: issue.message }); // the first reason a field fails is enough
        fields.add(field);
      }
      return;
    }
    if (values.has(parsed.data.key)) {
      problems.push({ file, field: `${name}.key`, message: 'trùng key với một giá trị ở trên; giá trị này bị bỏ qua' });
      return;
    }
    const sorted = [...parsed.data.values].sort((a, b) => a.from.localeCompare(b.from));
    values.set(parsed.data.key, { ...parsed.data, values: sorted });
  });
  return { values, problems };
}

/** Reads `_policy-values.yaml` in the knowledge folder; a missing file means no values. */
export function loadPolicyValues(dir: string): PolicyValuesLoad {
  const path = join(dir, POLICY_VALUES_FILE);
  if (!existsSync(path)) return { values: new Map(), problems: [] };
  try {
    return parsePolicyValues(readFileSync(path, 'utf8'));
  } catch (err) {
    return { values: new Map(), problems: [{ file: POLICY_VALUES_FILE, field: '(tệp)', message: `không đọc được: ${(err as Error).message}` }] };
  }
}

/**
 * The calendar day in Vietnam (UTC+7) at an instant.
 *
 * @example
 * vietnamDay(new Date('2026-12-31T17:00:00Z')) // → '2027-01-01'
 */
export function vietnamDay(at: Date): string | undefined {
  const ms = at.getTime();
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * The value of `key` in force at `at`: the one with the latest `from` on or before that
 * day in Vietnam time; undefined for an unknown key or before its first value.
 *
 * @example
 * valueAt(values, 'chuan-ngheo-nong-thon', new Date('2026-12-31T16:59:59Z'))?.value // → '1.500.000 đồng'
 * valueAt(values, 'chuan-ngheo-nong-thon', new Date('2026-12-31T17:00:00Z'))?.value // → '2.200.000 đồng'
 */
export function valueAt(values: PolicyValues, key: string, at: Date): DatedValue | undefined {
  return inForce(values, key, at)?.current;
}

function inForce(values: PolicyValues, key: string, at: Date): { current: DatedValue; previous?: DatedValue } | undefined {
  const today = vietnamDay(at);
  const list = values.get(key)?.values;
  if (!today || !list) return undefined;
  let index = -1;
  for (let i = 0; i < list.length; i++) if (list[i]!.from <= today) index = i;
  if (index < 0) return undefined;
  return { current: list[index]!, previous: index > 0 ? list[index - 1] : undefined };
}

/** `{{policy.x}}`, `{{ policy.x.from }}`…: the reference inside is captured. */
const PLACEHOLDER = /\{\{\s*policy\.([^{}]*?)\s*\}\}/g;
const PARTS = ['from', 'previous'] as const;

interface Reference {
  key: string;
  part: 'value' | (typeof PARTS)[number];
}

function parseReference(ref: string): Reference | null {
  const [key, part, ...rest] = ref.split('.');
  if (!key || rest.length > 0) return null;
  if (part === undefined) return { key, part: 'value' };
  return (PARTS as readonly string[]).includes(part) ? { key, part: part as Reference['part'] } : null;
}

/** 2024-07-01 → 01/7/2024, the way Vietnamese documents write dates. */
function vietnameseDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}/${Number(m)}/${y}`;
}

function resolve(values: PolicyValues, ref: Reference, at: Date): string | undefined {
  const found = inForce(values, ref.key, at);
  if (!found) return undefined;
  if (ref.part === 'from') return vietnameseDate(found.current.from);
  if (ref.part === 'previous') return found.previous?.value;
  return found.current.value;
}

/**
 * Fills every `{{policy.*}}` with the value in force at `at` (Vietnam time). An unknown
 * key, or one with no value yet, becomes {@link POLICY_FALLBACK}; an empty value leaves
 * no double space or space before punctuation behind.
 *
 * @example
 * renderPolicyPlaceholders('Nông thôn: {{policy.chuan-ngheo-nong-thon}}.', values, new Date('2027-01-01T00:00:00+07:00'))
 * // → 'Nông thôn: 2.200.000 đồng.'
 * renderPolicyPlaceholders('Mức chuẩn {{policy.khong-co}}.', values, new Date())
 * // → 'Mức chuẩn chưa có thông tin chắc chắn (bạn hỏi UBND cấp xã nhé).'
 */
export function renderPolicyPlaceholders(text: string, values: PolicyValues, at: Date): string {
  let emptied = false;
  const out = text.replace(PLACEHOLDER, (_m, inner: string) => {
    const ref = parseReference(inner);
    const value = ref ? resolve(values, ref, at) : undefined;
    if (value === undefined) return POLICY_FALLBACK;
    if (value.trim() === '') emptied = true;
    return value;
  });
  if (!emptied) return out;
  return out
    .replace(/(?<=\S)[ \t]{2,}/g, ' ')
    .replace(/(?<=\S)[ \t]+(?=[.,;:)])/g, '')
    .replace(/[ \t]+$/gm, '');
}

/**
 * A copy of an entry with its policy values filled at `at`, for code that reads the body
 * (the optional LLM phrasing must see the values, never the placeholders).
 *
 * @example
 * withPolicyValues(entry, { values, at: now() }).body
 */
export function withPolicyValues<T extends { body: string }>(entry: T, policy: PolicyContext): T {
  return { ...entry, body: renderPolicyPlaceholders(entry.body, policy.values, policy.at) };
}

/** The policy keys a text refers to, as written (`chuan-ngheo-nong-thon`, `muc-chuan.from`). */
export function policyReferencesIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/**
 * Load-time check of every entry's body against the values: a placeholder with an
 * unknown key or part, or with no value in force at `at`, is a problem on that entry.
 * The entry still loads; its answer shows {@link POLICY_FALLBACK} there.
 *
 * @example
 * checkPolicyPlaceholders([{ file: 'a/b.md', body: '{{policy.x}}' }], new Map(), new Date())
 * // → [{ file: 'a/b.md', field: 'body', message: '{{policy.x}}: không có giá trị "x" trong _policy-values.yaml' }]
 */
export function checkPolicyPlaceholders(
  entries: readonly { file: string; body: string }[],
  values: PolicyValues,
  at: Date,
): LoadProblem[] {
  const problems: LoadProblem[] = [];
  for (const e of entries) {
    for (const inner of new Set(policyReferencesIn(e.body))) {
      const shown = `{{policy.${inner}}}`;
      const ref = parseReference(inner);
      let message: string | undefined;
      if (!ref) message = `${shown}: chỉ viết {{policy.<key>}}, {{policy.<key>.from}} hoặc {{policy.<key>.previous}}`;
      else if (!values.has(ref.key)) message = `${shown}: không có giá trị "${ref.key}" trong ${POLICY_VALUES_FILE}`;
      else if (resolve(values, ref, at) === undefined) {
        const day = vietnamDay(at) ?? '?';
        message =
          ref.part === 'previous'
            ? `${shown}: "${ref.key}" chưa có giá trị trước giá trị đang áp dụng ngày ${day}`
            : `${shown}: "${ref.key}" chưa có giá trị nào áp dụng vào ngày ${day}`;
      }
      if (message) problems.push({ file: e.file, field: 'body', message });
    }
  }
  return problems;
}

/**
 * The legal sources of the values a text shows at `at` (each value in force names the
 * document that sets it), in order of first use, without repeats: a citation names them,
 * so an amount staff changed under a new decree cites that decree.
 *
 * @example
 * policySourcesIn('Nông thôn: {{policy.chuan-ngheo-nong-thon}}', values, new Date('2027-01-01T00:00:00+07:00'))
 * // → ['Nghị định 351/2025/NĐ-CP']
 */
export function policySourcesIn(text: string, values: PolicyValues, at: Date): string[] {
  const out: string[] = [];
  for (const inner of policyReferencesIn(text)) {
    const ref = parseReference(inner);
    const source = ref ? inForce(values, ref.key, at)?.current.source : undefined;
    if (source && !out.includes(source)) out.push(source);
  }
  return out;
}
