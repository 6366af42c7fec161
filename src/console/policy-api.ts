/**
 * The console's policy values API under /console/api/kb/policy: the amounts and dates
 * many entries share (mức chuẩn trợ giúp xã hội, chuẩn nghèo…), each a list of values with
 * the date each applies from (src/kb/policy-values.ts). Staff write a draft (a new amount
 * from a date, a corrected source), see every entry that uses the value rendered on any
 * day, and a second person approves it; the store keeps every version
 * (`store.policyVersions`), exactly as for entries (src/console/kb-api.ts).
 *
 * Approval takes effect at once: the dates inside the value say when each amount shows, so
 * "2.200.000 đồng from 2027-01-01" approved today changes every answer on 1/1/2027.
 *
 * @example
 * router.use(policyApi({ store, now, entries: () => pipeline.kb.entries, values: () => pipeline.kb.policyValues, preview, onApproved }));
 */
import express, { type Response } from 'express';
import { z } from 'zod';
import type { KnowledgeEntry } from '../kb/entry.js';
import { checkPolicyPlaceholders, policyReferencesIn, policyValueSchema, valueAt, type PolicyValue, type PolicyValues } from '../kb/policy-values.js';
import { versionsInForce } from '../kb/versions.js';
import type { PolicyVersion, Store } from '../store/types.js';
import { authOf, requireCsrf, requireStaff } from './auth/middleware.js';
import { vietnamMidnight } from './kb-api.js';
import { fail, mayEditKnowledge, versionReviewRoutes } from './version-routes.js';

export interface PolicyApiDeps {
  store: Pick<Store, 'policyVersions' | 'audit' | 'staff'>;
  now: () => Date;
  /** The entries in force: which of them use a value, and what they would say. */
  entries: () => readonly KnowledgeEntry[];
  /** The reply a citizen would read for `entry` at `at` with these policy values. */
  preview: (entry: KnowledgeEntry, values: PolicyValues, at: Date) => { text: string; choices: string[] };
  /** A version was approved: this instance reloads at once (others within their poll). */
  onApproved?: () => void | Promise<void>;
  /** Values reviewed longer ago than this are flagged for review (KB_REVIEW_AFTER_DAYS). */
  reviewAfterDays: number;
}

const keyParam = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'Mã giá trị chỉ gồm chữ thường không dấu, số và dấu gạch ngang.');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Ngày dạng YYYY-MM-DD.');
const valueBody = z.object({}).passthrough();
const draftBody = z.object({
  value: valueBody.nullable(),
  note: z.string().trim().max(500, 'Ghi chú dài quá 500 ký tự.').nullable().optional(),
  basedOn: z.number().int().min(1).nullable().optional(),
});
const previewBody = z.object({ value: valueBody.nullable(), on: day.optional() });

/** Noon in Vietnam on `day`: the moment a preview "on that day" is rendered at. */
const noonOn = (d: string) => new Date(vietnamMidnight(d).getTime() + 12 * 3_600_000);

export function policyApi(deps: PolicyApiDeps): express.Router {
  const { store, now } = deps;
  const versions = store.policyVersions;
  const router = express.Router();
  router.use('/kb/policy', requireStaff(), requireCsrf, express.json({ limit: '64kb' }));

  const audit = (res: Response, action: string, subject: string, detail: Record<string, unknown>) =>
    store.audit.append({ at: now(), actor: authOf(res).staff.id, action, subject: `policy:${subject}`, detail });
  const names = async () => new Map((await store.staff.list()).map((s) => [s.id, s.displayName]));
  const view = (v: PolicyVersion, who: Map<string, string>, inForce = false) => ({
    key: v.entryId,
    version: v.version,
    status: v.status,
    value: v.entry,
    note: v.note,
    basedOn: v.basedOn,
    author: who.get(v.author) ?? v.author,
    authorId: v.author,
    createdAt: v.createdAt,
    reviewer: v.reviewer ? (who.get(v.reviewer) ?? v.reviewer) : null,
    reviewedAt: v.reviewedAt,
    inForce,
  });
  const live = async () => new Map([...versionsInForce(await versions.listApproved(), now())].map(([k, v]) => [k, v.entry!]));
  const users = (key: string) =>
    deps.entries().filter((e) => policyReferencesIn(e.body).some((ref) => ref === key || ref.startsWith(`${key}.`)));

  /**
   * The value as written, checked by the loader's schema (problems by field, in
   * Vietnamese) and against every live entry that uses it (a value an entry needs today
   * must keep one in force).
   */
  const check = (key: string, raw: Record<string, unknown> | null, values: PolicyValues) => {
    const candidate = new Map(values);
    if (raw === null) candidate.delete(key);
    else {
      const parsed = policyValueSchema.safeParse({ ...raw, key });
      if (!parsed.success) return { value: null, problems: parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'value', message: i.message })) };
      candidate.set(key, { ...parsed.data, values: [...parsed.data.values].sort((a, b) => a.from.localeCompare(b.from)) });
    }
    const problems = checkPolicyPlaceholders(
      users(key).map((e) => ({ file: e.id, body: e.body })),
      candidate,
      now(),
    ).map((p) => ({ field: 'values', message: `Mục ${p.file}: ${p.message}` }));
    return { value: candidate.get(key) ?? null, problems, candidate };
  };

  router.get('/kb/policy', async (_req, res) => {
    const at = now();
    const values = await live();
    const drafts = await versions.listDrafts();
    const dueBefore = new Date(at.getTime() - deps.reviewAfterDays * 86_400_000).toISOString().slice(0, 10);
    const rows = [...values.values()].map((v: PolicyValue) => {
      const current = valueAt(values, v.key, at) ?? null;
      const next = v.values.find((d) => d.from > (current?.from ?? '')) ?? null;
      return {
        key: v.key,
        label: v.label,
        unit: v.unit ?? null,
        current,
        next: next && (!current || next.from > current.from) ? next : null,
        reviewed: v.reviewed,
        reviewDue: v.reviewed < dueBefore,
        usedBy: users(v.key).map((e) => e.id),
        drafts: drafts.filter((d) => d.entryId === v.key).length,
      };
    });
    const who = await names();
    res.json({ now: at, values: rows, drafts: drafts.map((d) => view(d, who)) });
  });

  router.get('/kb/policy/:key', async (req, res) => {
    const key = keyParam.safeParse(req.params.key);
    if (!key.success) return fail(res, 400, 'invalid', key.error.issues[0]!.message);
    const history = await versions.history(key.data);
    if (history.length === 0) return fail(res, 404, 'not-found', 'Không có giá trị này.');
    const inForce = versionsInForce(history.filter((v) => v.status === 'approved'), now()).get(key.data);
    const who = await names();
    res.json({
      key: key.data,
      inForce: inForce ? { version: inForce.version, value: inForce.entry } : null,
      usedBy: users(key.data).map((e) => ({ id: e.id, question: e.questions[0] })),
      versions: history.map((v) => view(v, who, v.version === inForce?.version)),
    });
  });

  /** Every entry that uses the value, as a citizen would read it on `on` (default today) with the value as written: nothing is stored. */
  router.post('/kb/policy/:key/preview', async (req, res) => {
    const key = keyParam.safeParse(req.params.key);
    const body = previewBody.safeParse(req.body ?? {});
    if (!key.success) return fail(res, 400, 'invalid', key.error.issues[0]!.message);
    if (!body.success) return fail(res, 400, 'invalid', body.error.issues[0]!.message);
    const checked = check(key.data, body.data.value, await live());
    if (!checked.candidate) return void res.json({ problems: checked.problems, previews: [] });
    const at = body.data.on ? noonOn(body.data.on) : now();
    const previews = users(key.data).map((e) => ({ id: e.id, question: e.questions[0], reply: deps.preview(e, checked.candidate, at) }));
    res.json({ problems: checked.problems, on: at, previews });
  });

  router.post('/kb/policy/:key/drafts', async (req, res) => {
    const { staff } = authOf(res);
    if (!mayEditKnowledge(staff)) return fail(res, 403, 'forbidden', 'Tài khoản này chưa được giao sửa nội dung.');
    const key = keyParam.safeParse(req.params.key);
    if (!key.success) return fail(res, 400, 'invalid', key.error.issues[0]!.message);
    const body = draftBody.safeParse(req.body);
    if (!body.success) return fail(res, 400, 'invalid', `${body.error.issues[0]!.path.join('.')}: ${body.error.issues[0]!.message}`);
    const checked = check(key.data, body.data.value, await live());
    if (checked.problems.length > 0) return void res.status(400).json({ error: { code: 'invalid', message: 'Giá trị chưa hợp lệ.', problems: checked.problems } });
    const draft = await versions.addDraft({ entryId: key.data, entry: checked.value, author: staff.id, note: body.data.note ?? null, basedOn: body.data.basedOn ?? null, createdAt: now() });
    await audit(res, 'kb.policy.drafted', key.data, { version: draft.version, withdraw: checked.value === null });
    res.status(201).json({ version: view(draft, await names()) });
  });

  versionReviewRoutes(router, '/kb/policy/:id', {
    versions,
    idParam: keyParam,
    now,
    audit,
    view: async (v) => view(v, await names(), v.status === 'approved'),
    actions: { approved: 'kb.policy.approved', rejected: 'kb.policy.rejected', restored: 'kb.policy.restored' },
    onApproved: deps.onApproved,
    // In force at once (the dates inside the value say when each amount shows), if it still
    // fits the entries that use it: they may have changed since the draft was written.
    publishAt: async (_req, res, current, at) => {
      const checked = check(current.entryId, current.entry as unknown as Record<string, unknown> | null, await live());
      if (checked.problems.length > 0) return void res.status(409).json({ error: { code: 'invalid', message: 'Giá trị này không còn hợp với các mục đang dùng nó.', problems: checked.problems } });
      return at;
    },
  });

  return router;
}
