/**
 * The console's knowledge API under /console/api/kb: staff list and search the live
 * entries, write drafts (validated by the loader's rules, previewed exactly as a citizen
 * would read them), and a second person approves a draft, in force at once or from a
 * chosen date (Vietnam midnight), or sends it back; any earlier version can be restored
 * as a new draft. Every step is audited; the store keeps every version
 * (src/store/kb-version-types.ts) and src/kb/versions.ts decides what is in force.
 *
 * @example
 * router.use(kbApi({ store, now, preview, validate, onApproved: () => live.refresh() }));
 */
import express, { type Response } from 'express';
import { z } from 'zod';
import { entryFrontMatterSchema, type KnowledgeEntry } from '../kb/entry.js';
import { ENTRY_TOPICS } from '../kb/topics.js';
import { versionsInForce } from '../kb/versions.js';
import type { KbVersion, Staff, Store } from '../store/types.js';
import { authOf, requireCsrf, requireStaff } from './auth/middleware.js';
import { fail, mayEditKnowledge, versionReviewRoutes } from './version-routes.js';

export interface KbApiDeps {
  store: Pick<Store, 'knowledgeVersions' | 'audit' | 'staff'>;
  now: () => Date;
  /** The reply a citizen would read for this entry today: centre facts and policy values filled. */
  preview: (entry: KnowledgeEntry) => { text: string; choices: string[] };
  /** Problems beyond the front matter schema (unknown {{…}} placeholders…), by field. */
  validate?: (entry: KnowledgeEntry) => Array<{ field: string; message: string }>;
  /** A version was approved: this instance reloads at once (others within their poll). */
  onApproved?: () => void | Promise<void>;
  /** Entries reviewed longer ago than this are flagged for review (KB_REVIEW_AFTER_DAYS). */
  reviewAfterDays: number;
}

const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/** 00:00 in Vietnam on `day` (YYYY-MM-DD), as an instant. */
export function vietnamMidnight(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - VIETNAM_OFFSET_MS);
}

const entryBody = z.object({
  topic: z.enum(ENTRY_TOPICS, { error: 'Chủ đề không có trong danh sách.' }),
  office: z.string().optional(),
  questions: z.array(z.string()).min(1, 'Cần ít nhất một câu hỏi.'),
  source: z.string(),
  effective: z.string(),
  reviewed: z.string(),
  body: z.string().trim().min(1, 'Câu trả lời trống.').max(6000, 'Câu trả lời dài quá 6000 ký tự.'),
});
const draftBody = z.object({
  entry: entryBody.nullable(),
  note: z.string().trim().max(500, 'Ghi chú dài quá 500 ký tự.').nullable().optional(),
  basedOn: z.number().int().min(1).nullable().optional(),
});
const approveBody = z.object({
  publishOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Ngày áp dụng dạng YYYY-MM-DD.').nullable().optional(),
});
const listQuery = z.object({ q: z.string().max(200).optional(), topic: z.string().max(60).optional(), due: z.enum(['1']).optional() });
const idParam = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'Mã mục không hợp lệ.');

const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();

export { mayEditKnowledge } from './version-routes.js';

export function kbApi(deps: KbApiDeps): express.Router {
  const { store, now } = deps;
  const router = express.Router();
  router.use('/kb', requireStaff(), requireCsrf, express.json({ limit: '64kb' }));
  const versions = store.knowledgeVersions;

  const audit = (res: Response, action: string, subject: string, detail: Record<string, unknown>) =>
    store.audit.append({ at: now(), actor: authOf(res).staff.id, action, subject, detail });
  const names = async () => new Map((await store.staff.list()).map((s) => [s.id, s.displayName]));
  const versionView = (v: KbVersion, who: Map<string, string>) => ({
    entryId: v.entryId,
    version: v.version,
    status: v.status,
    entry: v.entry,
    note: v.note,
    basedOn: v.basedOn,
    author: who.get(v.author) ?? v.author,
    authorId: v.author,
    createdAt: v.createdAt,
    reviewer: v.reviewer ? (who.get(v.reviewer) ?? v.reviewer) : null,
    reviewedAt: v.reviewedAt,
    publishAt: v.publishAt,
    inForce: false,
  });

  /** The entry as written, checked by the loader's rules and ours; problems by field, in Vietnamese. */
  const check = (id: string, data: z.infer<typeof entryBody>): { entry: KnowledgeEntry | null; problems: Array<{ field: string; message: string }> } => {
    const { body, office, ...front } = data;
    // An empty office field is no office (only referral entries name one).
    const parsed = entryFrontMatterSchema.safeParse({ id, ...front, ...(office?.trim() ? { office: office.trim() } : {}), questions: front.questions.map((q) => q.trim()).filter(Boolean) });
    if (!parsed.success) return { entry: null, problems: parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'entry', message: i.message })) };
    const entry: KnowledgeEntry = { ...parsed.data, body: body.trim(), file: `${parsed.data.topic}/${id}.md` };
    return { entry, problems: deps.validate?.(entry) ?? [] };
  };

  router.get('/kb/entries', async (req, res) => {
    const q = listQuery.safeParse(req.query);
    if (!q.success) return fail(res, 400, 'invalid', q.error.issues[0]!.message);
    const at = now();
    const approved = await versions.listApproved();
    const inForce = versionsInForce(approved, at);
    const drafts = await versions.listDrafts();
    const scheduled = approved.filter((v) => v.publishAt && v.publishAt > at);
    const dueBefore = new Date(at.getTime() - deps.reviewAfterDays * 86_400_000).toISOString().slice(0, 10);
    const needle = q.data.q ? fold(q.data.q.trim()) : '';
    const rows = [...inForce.values()]
      .map((v) => v.entry!)
      .filter((e) => !q.data.topic || e.topic === q.data.topic)
      .filter((e) => !needle || fold([e.id, ...e.questions, e.body, e.source].join(' ')).includes(needle))
      .map((e) => ({
        id: e.id,
        topic: e.topic,
        question: e.questions[0],
        reviewed: e.reviewed,
        reviewDue: e.reviewed < dueBefore,
        version: inForce.get(e.id)!.version,
        drafts: drafts.filter((d) => d.entryId === e.id).length,
        scheduledAt: scheduled.filter((s) => s.entryId === e.id).map((s) => s.publishAt)[0] ?? null,
      }))
      .filter((r) => !q.data.due || r.reviewDue)
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.id.localeCompare(b.id));
    res.json({ now: at, entries: rows, topics: ENTRY_TOPICS });
  });

  router.get('/kb/drafts', async (_req, res) => {
    const who = await names();
    res.json({ drafts: (await versions.listDrafts()).map((v) => versionView(v, who)) });
  });

  router.get('/kb/entries/:id', async (req, res) => {
    const id = idParam.safeParse(req.params.id);
    if (!id.success) return fail(res, 400, 'invalid', id.error.issues[0]!.message);
    const history = await versions.history(id.data);
    if (history.length === 0) return fail(res, 404, 'not-found', 'Không có mục này.');
    const inForce = versionsInForce(history.filter((v) => v.status === 'approved'), now()).get(id.data);
    const who = await names();
    res.json({
      id: id.data,
      inForce: inForce ? { version: inForce.version, entry: inForce.entry } : null,
      versions: history.map((v) => ({ ...versionView(v, who), inForce: v.version === inForce?.version })),
    });
  });

  /** What a citizen would read, and what is wrong: nothing is stored. */
  router.post('/kb/preview/:id', (req, res) => {
    const id = idParam.safeParse(req.params.id);
    const body = entryBody.safeParse(req.body?.entry);
    if (!id.success) return fail(res, 400, 'invalid', id.error.issues[0]!.message);
    if (!body.success) return void res.json({ problems: body.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })), reply: null });
    const { entry, problems } = check(id.data, body.data);
    res.json({ problems, reply: entry && problems.length === 0 ? deps.preview(entry) : null });
  });

  router.post('/kb/entries/:id/drafts', async (req, res) => {
    const { staff } = authOf(res);
    if (!mayEditKnowledge(staff)) return fail(res, 403, 'forbidden', 'Tài khoản này chưa được giao sửa nội dung.');
    const id = idParam.safeParse(req.params.id);
    if (!id.success) return fail(res, 400, 'invalid', id.error.issues[0]!.message);
    const body = draftBody.safeParse(req.body);
    if (!body.success) return fail(res, 400, 'invalid', `${body.error.issues[0]!.path.join('.')}: ${body.error.issues[0]!.message}`);
    let entry: KnowledgeEntry | null = null;
    if (body.data.entry) {
      const checked = check(id.data, body.data.entry);
      if (!checked.entry || checked.problems.length > 0) return void res.status(400).json({ error: { code: 'invalid', message: 'Nội dung chưa hợp lệ.', problems: checked.problems } });
      entry = checked.entry;
    }
    const draft = await versions.addDraft({ entryId: id.data, entry, author: staff.id, note: body.data.note ?? null, basedOn: body.data.basedOn ?? null, createdAt: now() });
    await audit(res, 'kb.drafted', id.data, { version: draft.version, withdraw: entry === null });
    res.status(201).json({ version: versionView(draft, await names()) });
  });

  versionReviewRoutes(router, '/kb/entries/:id', {
    versions,
    idParam,
    now,
    audit,
    view: async (v) => versionView(v, await names()),
    actions: { approved: 'kb.approved', rejected: 'kb.rejected', restored: 'kb.restored' },
    onApproved: deps.onApproved,
    // In force at once, or from a chosen day's midnight in Vietnam.
    publishAt: async (req, res, _current, at) => {
      const body = approveBody.safeParse(req.body ?? {});
      if (!body.success) return void fail(res, 400, 'invalid', body.error.issues[0]!.message);
      const publishAt = body.data.publishOn ? vietnamMidnight(body.data.publishOn) : at;
      if (body.data.publishOn && publishAt.getTime() + 86_400_000 <= at.getTime()) return void fail(res, 400, 'invalid', 'Ngày áp dụng đã qua: chọn hôm nay hoặc một ngày tới.');
      return publishAt < at ? at : publishAt;
    },
  });

  return router;
}
