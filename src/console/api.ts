/**
 * The console's JSON API under /console/api (after authRouter: every route here needs a
 * logged-in staff member, and every state change the CSRF header). Reads shape store
 * records with views.ts; actions go through the desk (src/handoff/desk.ts), which does the
 * conditional writes, the audit and what the citizen is told. Bodies are checked with zod:
 * bad input gets 400 with a Vietnamese message and changes nothing.
 */
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { CLOSE_OUTCOMES, type Desk, type DeskResult } from '../handoff/desk.js';
import type { HandoffEvents } from '../handoff/events.js';
import type { Handoff } from '../handoff/service.js';
import type { Team } from '../handoff/teams.js';
import { CONVERSATION_STATUSES, HANDOFF_PRIORITY, PRESENCES, citizenKeyOf, type ConversationStatus, type Staff, type Store } from '../store/types.js';
import { authOf, requireCsrf, requireStaff } from './auth/middleware.js';
import { publicStaff } from './auth/routes.js';
import type { CannedResponse } from './canned.js';
import type { MediaSources } from './media.js';
import { conversationDetail, conversationRow, ticketRow } from './views.js';

export interface ConsoleApiDeps {
  store: Store;
  desk: Desk;
  handoff: Handoff;
  teams: readonly Team[];
  canned: readonly CannedResponse[];
  /** The live bus: a presence change lets the queue keeper hand out waiting tickets at once. */
  events: HandoffEvents;
  /** How to fetch what citizens sent on each platform. */
  media: MediaSources;
  now: () => Date;
}

const text = (max: number) => z.string().trim().min(1, 'Nội dung trống.').max(max, `Dài quá ${max} ký tự.`);
const replyBody = z.object({ text: text(4000) });
const noteBody = z.object({ text: text(4000), ticketId: z.string().min(1).nullable().optional() });
const transferBody = z.union([z.object({ counsellorId: z.string().min(1) }), z.object({ team: z.string().min(1) })]);
const closeBody = z.object({
  outcome: z.enum(Object.keys(CLOSE_OUTCOMES) as [keyof typeof CLOSE_OUTCOMES, ...Array<keyof typeof CLOSE_OUTCOMES>]),
  note: z.string().trim().max(4000).nullable().optional(),
});
const presenceBody = z.object({ presence: z.enum(PRESENCES) });
const flagBody = z.object({ note: z.string().trim().max(4000).nullable().optional() });
/** ?status=bot or ?status=bot,queued (default: any status) and ?limit=1..200 (default 50). */
const conversationsQuery = z.object({
  status: z
    .string({ error: 'Trạng thái không hợp lệ.' })
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.split(',').map((x) => x.trim())))
    .pipe(z.array(z.enum(CONVERSATION_STATUSES, { error: 'Trạng thái không hợp lệ.' })).optional()),
  limit: z.coerce.number({ error: 'Số lượng không hợp lệ.' }).int('Số lượng không hợp lệ.').min(1, 'Số lượng không hợp lệ.').max(200, 'Tối đa 200.').optional(),
});

function bad(res: Response, error: z.ZodError): void {
  res.status(400).json({ error: { code: 'invalid', message: error.issues[0]?.message ?? 'Dữ liệu không hợp lệ.' } });
}

/** How often one person's reading of one conversation is recorded again. */
const VIEW_AUDIT_MS = 10 * 60_000;
/** How many of the citizen's other tickets the conversation view shows. */
const HISTORY_LIMIT = 20;

const REFUSAL_STATUS: Record<Exclude<DeskResult, { ok: true }>['code'], number> = {
  'not-found': 404,
  taken: 409,
  'not-yours': 409,
  closed: 409,
  'bad-target': 400,
  'not-waiting': 409,
  forbidden: 403,
};

export function consoleApi(deps: ConsoleApiDeps): express.Router {
  const { store, desk, now } = deps;
  const router = express.Router();
  router.use(requireStaff(), requireCsrf, express.json({ limit: '64kb' }));

  const staffMap = async () => new Map<string, Staff>((await store.staff.list()).map((s) => [s.id, s]));
  const answer = async (res: Response, result: DeskResult) => {
    if (!result.ok) return void res.status(REFUSAL_STATUS[result.code]).json({ error: { code: result.code, message: result.message } });
    res.json({ ticket: ticketRow(result.ticket, await staffMap(), now()) });
  };
  const param = (req: Request, name: string) => String(req.params[name] ?? '');

  /** The live queue: every open ticket, urgent first then oldest; who is on duty. */
  router.get('/queue', async (_req, res) => {
    const staffById = await staffMap();
    const tickets = await store.tickets.list({ limit: 500 });
    res.json({
      now: now(),
      tickets: tickets.map((t) => ticketRow(t, staffById, now())),
      staff: [...staffById.values()].filter((s) => !s.disabled).map((s) => ({ id: s.id, displayName: s.displayName, role: s.role, presence: s.presence, teams: s.teams })),
      teams: deps.teams,
      outcomes: CLOSE_OUTCOMES,
    });
  });

  router.get('/canned', (_req, res) => void res.json({ canned: deps.canned }));

  /** One ticket with the citizen's whole story: every conversation's messages, notes, cases, consents. */
  router.get('/tickets/:id', async (req, res) => {
    const ticket = await store.tickets.get(param(req, 'id'));
    if (!ticket) return void res.status(404).json({ error: { code: 'not-found', message: 'Không tìm thấy phiếu này.' } });
    await viewed(res, ticket.conversationId);
    res.json(await detailOf(ticket.conversationId, ticket));
  });

  /**
   * Recent conversations, newest first, for supervisors to find one the bot is handling
   * that a person should take (?status=bot) and flag it. Each row shows only a masked
   * glimpse of the citizen's last message; the transcript is read through
   * /conversations/:id, which is audited per conversation. The listing itself is audited
   * too (who looked, how many), once per person per VIEW_AUDIT_MS like a conversation read.
   */
  router.get('/conversations', requireStaff(['supervisor', 'admin']), async (req, res) => {
    const query = conversationsQuery.safeParse(req.query);
    if (!query.success) return bad(res, query.error);
    const statuses: ConversationStatus[] | undefined = query.data.status;
    const conversations = await store.conversations.listRecent({ statuses, limit: query.data.limit ?? 50, citizenWrote: true });
    const rows = await Promise.all(conversations.map(async (c) => conversationRow(c, await store.messages.lastInbound(c.id))));
    await viewed(res, 'conversations', { action: 'conversations.listed', detail: { statuses: statuses ?? 'all', count: rows.length } });
    res.json({ now: now(), conversations: rows });
  });

  /** A conversation by id (a supervisor flagging a bot conversation, or a closed ticket's history). */
  router.get('/conversations/:id', async (req, res) => {
    const conversation = await store.conversations.get(param(req, 'id'));
    if (!conversation) return void res.status(404).json({ error: { code: 'not-found', message: 'Không tìm thấy cuộc trò chuyện.' } });
    await viewed(res, conversation.id);
    res.json(await detailOf(conversation.id, await store.tickets.findOpenByConversation(conversation.id)));
  });

  /**
   * Reading a citizen's story is recorded too: who looked at whose data, and when. The page
   * re-reads an open conversation on every new message, so one record per person and
   * conversation per VIEW_AUDIT_MS (in this process) is enough.
   */
  const lastViewed = new Map<string, number>();
  const viewed = async (res: Response, subject: string, event: { action: string; detail?: Record<string, unknown> } = { action: 'conversation.viewed' }) => {
    const actor = authOf(res).staff.id;
    const key = `${actor} ${event.action} ${subject}`;
    const at = now();
    if (at.getTime() - (lastViewed.get(key) ?? -Infinity) < VIEW_AUDIT_MS) return;
    if (lastViewed.size > 10_000) lastViewed.clear();
    lastViewed.set(key, at.getTime());
    await store.audit.append({ at, actor, action: event.action, subject, ...(event.detail ? { detail: event.detail } : {}) });
  };

  async function detailOf(conversationId: string, ticket: Awaited<ReturnType<Store['tickets']['get']>>) {
    const conversation = (await store.conversations.get(conversationId))!;
    const key = citizenKeyOf(conversation);
    const all = await store.conversations.listByUser(conversation.channel, conversation.userId);
    const ids = all.map((c) => c.id);
    const messages = (await Promise.all(ids.map((id) => store.messages.listByConversation(id, 0, 1000)))).flat();
    const [notes, cases, consents, tickets, staffById] = await Promise.all([
      store.notes.listByConversations(ids),
      store.cases.listByCitizen(key),
      store.consents.listByCitizen(key),
      store.tickets.listByCitizen(key, HISTORY_LIMIT + 1),
      staffMap(),
    ]);
    // The citizen's other tickets: the one shown is not its own history.
    const history = tickets.filter((t) => t.id !== ticket?.id).slice(0, HISTORY_LIMIT);
    return conversationDetail({ ticket, conversation, messages, notes, cases, consents, history, staffById, now: now() });
  }

  /** An attachment a citizen sent, fetched from the platform through the server (the link would hold a token). */
  router.get('/conversations/:id/media/:messageId/:index', async (req, res) => {
    const conversationId = param(req, 'id');
    const message = (await store.messages.listByConversation(conversationId, 0, 5000)).find((m) => m.id === param(req, 'messageId'));
    const attachment = (message?.activity as { attachments?: Array<{ contentUrl?: unknown; contentType?: unknown }> } | undefined)?.attachments?.[Number(param(req, 'index'))];
    const url = typeof attachment?.contentUrl === 'string' ? attachment.contentUrl : '';
    const upstream = url ? await deps.media.open(url) : null;
    if (!upstream || !upstream.ok || !upstream.body) return void res.status(404).json({ error: { code: 'not-found', message: 'Không mở được tệp này.' } });
    await store.audit.append({ at: now(), actor: authOf(res).staff.id, action: 'media.viewed', subject: conversationId, detail: { messageId: message!.id } });
    res.set('Content-Type', typeof attachment?.contentType === 'string' ? attachment.contentType : 'application/octet-stream');
    res.set('Cache-Control', 'private, no-store');
    res.send(Buffer.from(await upstream.arrayBuffer()));
  });

  router.post('/tickets/:id/claim', async (req, res) => answer(res, await desk.claim(param(req, 'id'), authOf(res).staff)));
  router.post('/tickets/:id/hold', async (req, res) => answer(res, await desk.hold(param(req, 'id'), authOf(res).staff)));
  router.post('/tickets/:id/resume', async (req, res) => answer(res, await desk.resume(param(req, 'id'), authOf(res).staff)));
  router.post('/tickets/:id/take-over', requireStaff(['supervisor', 'admin']), async (req, res) =>
    answer(res, await desk.takeOver(param(req, 'id'), authOf(res).staff)),
  );

  router.post('/tickets/:id/reply', async (req, res) => {
    const body = replyBody.safeParse(req.body);
    if (!body.success) return bad(res, body.error);
    await answer(res, await desk.reply(param(req, 'id'), authOf(res).staff, body.data.text));
  });

  router.post('/tickets/:id/transfer', async (req, res) => {
    const body = transferBody.safeParse(req.body);
    if (!body.success) return bad(res, body.error);
    await answer(res, await desk.transfer(param(req, 'id'), authOf(res).staff, body.data));
  });

  router.post('/tickets/:id/close', async (req, res) => {
    const body = closeBody.safeParse(req.body);
    if (!body.success) return bad(res, body.error);
    await answer(res, await desk.close(param(req, 'id'), authOf(res).staff, body.data.outcome, body.data.note || null));
  });

  router.post('/conversations/:id/notes', async (req, res) => {
    const body = noteBody.safeParse(req.body);
    if (!body.success) return bad(res, body.error);
    const conversation = await store.conversations.get(param(req, 'id'));
    if (!conversation) return void res.status(404).json({ error: { code: 'not-found', message: 'Không tìm thấy cuộc trò chuyện.' } });
    const note = await desk.note(conversation.id, authOf(res).staff, body.data.text, body.data.ticketId ?? null);
    res.status(201).json({ note: { id: note.id, at: note.createdAt } });
  });

  /** Any staff member may flag a conversation the bot is handling for a person to look at. */
  router.post('/conversations/:id/flag', async (req, res) => {
    const body = flagBody.safeParse(req.body ?? {});
    if (!body.success) return bad(res, body.error);
    const conversation = await store.conversations.get(param(req, 'id'));
    if (!conversation) return void res.status(404).json({ error: { code: 'not-found', message: 'Không tìm thấy cuộc trò chuyện.' } });
    const { staff } = authOf(res);
    const ticket = await deps.handoff.open({
      conversation,
      priority: HANDOFF_PRIORITY.normal,
      reason: 'staff-flagged',
      riskCategory: null,
      messageId: null,
      now: now(),
      actor: staff.id,
    });
    if (body.data.note) await desk.note(conversation.id, staff, body.data.note, ticket.id);
    res.status(201).json({ ticket: ticketRow(ticket, await staffMap(), now()) });
  });

  router.post('/presence', async (req, res) => {
    const body = presenceBody.safeParse(req.body);
    if (!body.success) return bad(res, body.error);
    const { staff } = authOf(res);
    const updated = await store.staff.setPresence(staff.id, body.data.presence, now());
    await store.audit.append({ at: now(), actor: staff.id, action: 'staff.presence', subject: staff.id, detail: { presence: body.data.presence } });
    deps.events.publish({ type: 'presence', staffId: staff.id, presence: body.data.presence });
    res.json({ staff: updated ? publicStaff(updated) : null });
  });

  return router;
}
