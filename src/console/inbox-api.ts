/**
 * The console's unanswered questions inbox under /console/api/inbox: the questions the
 * bot declined or had to clarify, grouped and masked (src/kb/unanswered.ts), most asked
 * first. Staff who may edit knowledge see, for a group and an entry they pick, which entry
 * the question would get once it is a way of asking that entry ("preview"), then in one
 * step add it as a phrasing (in force at once) or start a new entry from it (a draft for
 * review), or set it aside. Every step is audited.
 *
 * @example
 * router.use(inboxApi({ store, now, entries: () => pipeline.kb.entries, pipelineFor, onApproved: () => live.refresh() }));
 */
import express, { type Response } from 'express';
import { z } from 'zod';
import type { AnswerPipeline } from '../flows/answer.js';
import { entryFrontMatterSchema, type KnowledgeEntry } from '../kb/entry.js';
import { foldedPhrase } from '../kb/normalize.js';
import { ENTRY_TOPICS } from '../kb/topics.js';
import { asPhrasing, maskForInbox } from '../kb/unanswered.js';
import { versionsInForce } from '../kb/versions.js';
import type { Store, UnansweredGroup } from '../store/types.js';
import { authOf, requireCsrf, requireStaff } from './auth/middleware.js';
import { mayEditKnowledge } from './version-routes.js';

export interface InboxApiDeps {
  store: Pick<Store, 'unanswered' | 'knowledgeVersions' | 'audit'>;
  now: () => Date;
  /** The entries the bot answers from now, on this instance. */
  entries: () => readonly KnowledgeEntry[];
  /** The bot's own answer rules and thresholds over other entries (no LLM phrasing): what the preview runs. */
  pipelineFor: (entries: readonly KnowledgeEntry[]) => Pick<AnswerPipeline, 'answer' | 'kb'>;
  /** A version was approved: this instance reloads (awaited, so the next question gets it), others within their poll. */
  onApproved?: () => void | Promise<void>;
}

const idParam = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'Mã mục không hợp lệ.');
const groupParam = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'Mã nhóm không hợp lệ.');
const previewBody = z.object({ entryId: idParam.nullable().optional(), question: z.string().max(300).optional() });
const phrasingBody = z.object({ entryId: idParam, question: z.string().trim().max(300, 'Câu hỏi dài quá 300 ký tự.').optional() });
const newEntryBody = z.object({
  id: idParam,
  topic: z.enum(ENTRY_TOPICS, { error: 'Chủ đề không có trong danh sách.' }),
  body: z.string().trim().min(1, 'Câu trả lời trống.').max(6000, 'Câu trả lời dài quá 6000 ký tự.'),
  source: z.string(),
  effective: z.string(),
  reviewed: z.string(),
  question: z.string().trim().max(300).optional(),
});

const fail = (res: Response, status: number, code: string, message: string) => void res.status(status).json({ error: { code, message } });


const groupView = ({ terms: _terms, ...g }: UnansweredGroup) => ({ ...g, phrasing: asPhrasing(g.sample) });

/** Staff's own wording of the question, masked like everything in the inbox; the group's sample when they gave none. */
const questionOf = (given: string | undefined, group: UnansweredGroup) => {
  const q = given?.trim() ? maskForInbox(given) : asPhrasing(group.sample);
  return q.trim() || group.sample;
};

export function inboxApi(deps: InboxApiDeps): express.Router {
  const { store, now } = deps;
  const router = express.Router();
  router.use('/inbox', requireStaff(), requireCsrf, express.json({ limit: '64kb' }), (_req, res, next) => {
    if (!mayEditKnowledge(authOf(res).staff)) return fail(res, 403, 'forbidden', 'Tài khoản này chưa được giao sửa nội dung.');
    next();
  });
  const versions = store.knowledgeVersions;
  const audit = (res: Response, action: string, subject: string, detail: Record<string, unknown>) =>
    store.audit.append({ at: now(), actor: authOf(res).staff.id, action, subject, detail });

  /** The open group of the request, or a refusal sent. */
  const openGroup = async (id: string, res: Response): Promise<UnansweredGroup | null> => {
    const parsed = groupParam.safeParse(id);
    const group = parsed.success ? await store.unanswered.get(parsed.data) : null;
    if (!group) fail(res, 404, 'not-found', 'Không có nhóm câu hỏi này.');
    else if (group.status !== 'open') fail(res, 409, 'resolved', 'Nhóm câu hỏi này đã được xử lý rồi.');
    return group?.status === 'open' ? group : null;
  };

  /** A pipeline per set of entries: the live set is one array until the knowledge changes, so its index is built once. */
  const pipelines = new WeakMap<readonly KnowledgeEntry[], Pick<AnswerPipeline, 'answer' | 'kb'>>();
  const pipelineFor = (entries: readonly KnowledgeEntry[]) => {
    const held = pipelines.get(entries) ?? deps.pipelineFor(entries);
    pipelines.set(entries, held);
    return held;
  };

  /** What the bot answers to `text` from `entries`: the entry and its first question, or none. */
  const answerFrom = async (entries: readonly KnowledgeEntry[], text: string) => {
    const result = await pipelineFor(entries).answer(text, now());
    const entry = result.entryId ? entries.find((e) => e.id === result.entryId) : undefined;
    return { kind: result.kind, entryId: result.entryId, question: entry?.questions[0] ?? null, confidence: Math.round(result.confidence * 1000) / 1000 };
  };

  /** The live entries with `question` added to `entryId`'s ways of asking. */
  const withPhrasing = (entryId: string, question: string) =>
    deps.entries().map((e) => (e.id === entryId && !hasQuestion(e, question) ? { ...e, questions: [...e.questions, question] } : e));
  const hasQuestion = (e: KnowledgeEntry, q: string) => e.questions.some((x) => foldedPhrase(x) === foldedPhrase(q));

  router.get('/inbox', async (_req, res) => {
    const groups = (await store.unanswered.listOpen(500)).sort((a, b) => b.count - a.count || b.lastSeen.getTime() - a.lastSeen.getTime());
    res.json({ now: now(), groups: groups.map(groupView) });
  });

  router.get('/inbox/:id', async (req, res) => {
    const parsed = groupParam.safeParse(req.params.id);
    const group = parsed.success ? await store.unanswered.get(parsed.data) : null;
    if (!group) return fail(res, 404, 'not-found', 'Không có nhóm câu hỏi này.');
    // The entries closest to the question: where staff usually add it.
    const suggestions = pipelineFor(deps.entries())
      .kb.search(group.sample, 5)
      .map((h) => ({ id: h.entry.id, topic: h.entry.topic, question: h.entry.questions[0] }));
    res.json({ group: groupView(group), suggestions, now: await answerFrom(deps.entries(), group.sample) });
  });

  /** "This question would now get entry X": nothing is stored. */
  router.post('/inbox/:id/preview', async (req, res) => {
    const body = previewBody.safeParse(req.body ?? {});
    if (!body.success) return fail(res, 400, 'invalid', body.error.issues[0]!.message);
    const group = await openGroup(String(req.params.id), res);
    if (!group) return;
    const { entryId } = body.data;
    if (entryId && !deps.entries().some((e) => e.id === entryId)) return fail(res, 404, 'not-found', 'Không có mục này trong kho đang áp dụng.');
    const question = questionOf(body.data.question, group);
    const entries = entryId ? withPhrasing(entryId, question) : deps.entries();
    const samples = await Promise.all(group.samples.map(async (text) => ({ text, ...(await answerFrom(entries, text)) })));
    res.json({ question, result: await answerFrom(entries, group.sample), before: await answerFrom(deps.entries(), group.sample), samples });
  });

  /**
   * One step: the question becomes a way of asking the entry, in force at once. A new
   * version approved by the person who adds it: a way of asking changes which questions
   * find the entry, not what citizens read, so it needs no second reviewer (changes to the
   * answer itself still do, in the knowledge editor).
   */
  router.post('/inbox/:id/phrasing', async (req, res) => {
    const { staff } = authOf(res);
    const body = phrasingBody.safeParse(req.body ?? {});
    if (!body.success) return fail(res, 400, 'invalid', body.error.issues[0]!.message);
    const group = await openGroup(String(req.params.id), res);
    if (!group) return;
    const at = now();
    const current = versionsInForce(await versions.listApproved(), at).get(body.data.entryId);
    if (!current?.entry) return fail(res, 404, 'not-found', 'Không có mục này trong kho đang áp dụng.');
    const question = questionOf(body.data.question, group);
    const entry = { ...current.entry, questions: [...current.entry.questions, question] };
    const checked = entryFrontMatterSchema.safeParse(entry);
    if (!checked.success) return fail(res, 400, 'invalid', `Câu hỏi chưa hợp lệ: ${checked.error.issues[0]!.message}`);
    // Resolved first, as one conditional write: of two staff at once, one adds the phrasing.
    const resolved = await store.unanswered.resolve(group.id, { how: 'phrasing', entryId: current.entryId, by: staff.id, at });
    if (!resolved) return fail(res, 409, 'resolved', 'Nhóm câu hỏi này vừa được người khác xử lý.');
    const already = hasQuestion(current.entry, question);
    const [version] = already
      ? [null]
      : await versions.addApproved([
          { entryId: current.entryId, entry, author: staff.id, note: `thêm cách hỏi: ${question}`, basedOn: current.version, createdAt: at, publishAt: at },
        ]);
    await audit(res, 'inbox.phrasing-added', current.entryId, {
      group: group.id,
      count: group.count,
      version: version?.version ?? null,
      question,
      approved: 'at once by its author: a way of asking does not change what citizens read, so no second reviewer is needed',
    });
    if (version) await Promise.resolve(deps.onApproved?.()).catch(() => undefined);
    res.status(201).json({ group: groupView(resolved), version: version ? { entryId: version.entryId, version: version.version } : null, result: await answerFrom(deps.entries(), group.sample) });
  });

  /** A new entry from the group: a draft with its question first, reviewed like any other (its answer is new content). */
  router.post('/inbox/:id/new-entry', async (req, res) => {
    const { staff } = authOf(res);
    const body = newEntryBody.safeParse(req.body ?? {});
    if (!body.success) return fail(res, 400, 'invalid', `${body.error.issues[0]!.path.join('.')}: ${body.error.issues[0]!.message}`);
    const group = await openGroup(String(req.params.id), res);
    if (!group) return;
    const { id, body: answer, question: given, ...front } = body.data;
    if ((await versions.history(id)).length > 0) return fail(res, 409, 'exists', 'Mã mục này đã có: chọn mã khác, hoặc thêm câu hỏi vào mục đó.');
    const first = questionOf(given, group);
    const others = group.samples.map(asPhrasing).filter((q) => q.length >= 3 && foldedPhrase(q) !== foldedPhrase(first));
    const parsed = entryFrontMatterSchema.safeParse({ id, ...front, questions: [...new Set([first, ...others])] });
    if (!parsed.success) return void res.status(400).json({ error: { code: 'invalid', message: 'Nội dung chưa hợp lệ.', problems: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) } });
    const at = now();
    const resolved = await store.unanswered.resolve(group.id, { how: 'new-entry', entryId: id, by: staff.id, at });
    if (!resolved) return fail(res, 409, 'resolved', 'Nhóm câu hỏi này vừa được người khác xử lý.');
    const entry: KnowledgeEntry = { ...parsed.data, body: answer, file: `${parsed.data.topic}/${id}.md` };
    const draft = await versions.addDraft({ entryId: id, entry, author: staff.id, note: 'mục mới từ hộp câu hỏi chưa trả lời', basedOn: null, createdAt: at });
    await audit(res, 'inbox.entry-drafted', id, { group: group.id, count: group.count, version: draft.version });
    res.status(201).json({ group: groupView(resolved), version: { entryId: id, version: draft.version, status: draft.status } });
  });

  router.post('/inbox/:id/dismiss', async (req, res) => {
    const { staff } = authOf(res);
    const group = await openGroup(String(req.params.id), res);
    if (!group) return;
    const resolved = await store.unanswered.resolve(group.id, { how: 'dismissed', entryId: null, by: staff.id, at: now() });
    if (!resolved) return fail(res, 409, 'resolved', 'Nhóm câu hỏi này vừa được người khác xử lý.');
    await audit(res, 'inbox.dismissed', group.id, { count: group.count });
    res.json({ group: groupView(resolved) });
  });

  return router;
}
