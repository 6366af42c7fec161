import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Activity } from 'botbuilder';
import { z } from 'zod';
import type { Store, StoredMessage } from '../../store/types.js';
import type { TurnRunner } from '../turn-runner.js';
import { readableRun } from './readable.js';
import { DirectLineTokens, newConversationId, newWebUserId, type TokenClaims } from './tokens.js';

/**
 * The REST subset of Direct Line 3.0 that the web chat (and botframework-directlinejs
 * in polling mode) uses: tokens, start conversation, post and poll activities.
 */

export const BOT_ACCOUNT = { id: 'tro-ly-ctxh', name: 'Trợ lý CTXH' };

const postActivitySchema = z.object({
  type: z.enum(['message', 'typing', 'event']),
  text: z.string().max(2000, 'tin nhắn dài quá 2000 ký tự').optional(),
  from: z.object({ id: z.string().max(200).optional(), name: z.string().max(200).optional() }).optional(),
  locale: z.string().max(20).optional(),
  value: z.unknown().optional(),
  channelData: z.unknown().optional(),
});

const watermarkSchema = z.object({ watermark: z.string().regex(/^\d{0,15}$/).optional() });

type AuthedRequest = Request & { claims?: TokenClaims };

function fail(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** The bot, or the counsellor who wrote it (stored with a `staff:` id): the page shows who is talking. */
function senderOf(a: Partial<Activity>): Record<string, unknown> {
  const id = a.from?.id;
  return typeof id === 'string' && id.startsWith('staff:') ? { id, name: a.from?.name ?? 'Tư vấn viên', role: 'bot' } : { ...BOT_ACCOUNT, role: 'bot' };
}

/** The id Web Chat gave a message it sent, if it is a sensible one. */
function clientActivityIdOf(channelData: unknown): string | null {
  const id = (channelData as { clientActivityID?: unknown } | null | undefined)?.clientActivityID;
  return typeof id === 'string' && /^[\w.:-]{1,100}$/.test(id) ? id : null;
}

function toDirectLineActivity(m: StoredMessage, conversationId: string): Record<string, unknown> {
  const a = m.activity as Partial<Activity>;
  const clientActivityID = m.direction === 'in' ? clientActivityIdOf(a.channelData) : null;
  return {
    type: 'message',
    id: `${conversationId}|${String(m.position).padStart(7, '0')}`,
    timestamp: m.createdAt.toISOString(),
    channelId: 'directline',
    conversation: { id: conversationId },
    from: m.direction === 'in' ? { id: a.from?.id, name: a.from?.name, role: 'user' } : senderOf(a),
    text: m.text,
    ...(clientActivityID ? { channelData: { clientActivityID } } : {}),
    ...(a.suggestedActions ? { suggestedActions: a.suggestedActions } : {}),
    ...(a.locale ? { locale: a.locale } : {}),
  };
}

export interface DirectLineDeps {
  store: Store;
  runner: TurnRunner;
  tokens: DirectLineTokens;
  tokensPerMinute: number;
  now: () => Date;
}

export function directLineRouter(deps: DirectLineDeps): express.Router {
  const { store, runner, tokens } = deps;
  const router = express.Router();
  router.use(express.json({ limit: '64kb' }));

  const requireToken = (req: AuthedRequest, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const claims = header.startsWith('Bearer ') ? tokens.verify(header.slice(7).trim()) : null;
    if (!claims) return fail(res, 403, 'TokenInvalid', 'Token is missing, invalid or expired');
    const conversationId = req.params.conversationId;
    if (conversationId !== undefined && conversationId !== claims.conversationId) {
      return fail(res, 403, 'BadArgument', 'Token is not valid for this conversation');
    }
    req.claims = claims;
    next();
  };

  const tokenLimiter = rateLimit({
    windowMs: 60_000,
    limit: deps.tokensPerMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, res) => fail(res, 429, 'TooManyRequests', 'Too many tokens requested; try again in a minute'),
  });

  router.post('/tokens/generate', tokenLimiter, (_req, res) => {
    const conversationId = newConversationId();
    const { token, expiresIn } = tokens.issue(conversationId, newWebUserId());
    res.json({ conversationId, token, expires_in: expiresIn });
  });

  router.post('/tokens/refresh', requireToken, (req: AuthedRequest, res) => {
    const { conversationId, userId } = req.claims!;
    const { token, expiresIn } = tokens.issue(conversationId, userId);
    res.json({ conversationId, token, expires_in: expiresIn });
  });

  router.post('/conversations', requireToken, (req: AuthedRequest, res) => {
    const { conversationId, userId } = req.claims!;
    const { token, expiresIn } = tokens.issue(conversationId, userId);
    res.status(201).json({ conversationId, token, expires_in: expiresIn });
  });

  router.get('/conversations/:conversationId', requireToken, (req: AuthedRequest, res) => {
    const { conversationId, userId } = req.claims!;
    const { token, expiresIn } = tokens.issue(conversationId, userId);
    res.json({ conversationId, token, expires_in: expiresIn });
  });

  router.post('/conversations/:conversationId/activities', requireToken, async (req: AuthedRequest, res, next) => {
    try {
      const parsed = postActivitySchema.safeParse(req.body);
      if (!parsed.success) {
        return fail(res, 400, 'BadArgument', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      }
      const body = parsed.data;
      if (body.type !== 'message') return void res.json({ id: `${req.claims!.conversationId}|event` });
      if (!body.text?.trim()) return fail(res, 400, 'BadArgument', 'text: tin nhắn trống');
      const { conversationId, userId } = req.claims!;
      // Web Chat names each message it sends (channelData.clientActivityID): echoed back so the
      // page matches its own message, and the store's key for it, so a retried POST is one message.
      const clientActivityID = clientActivityIdOf(body.channelData);
      // The token decides who is speaking: a page cannot speak as another web user.
      const activity: Partial<Activity> = {
        type: 'message',
        id: clientActivityID ? `${userId}:${clientActivityID}` : randomUUID(),
        ...(clientActivityID ? { channelData: { clientActivityID } } : {}),
        channelId: 'webchat',
        serviceUrl: 'directline',
        timestamp: deps.now(),
        from: { id: userId, name: body.from?.name ?? 'Người dân' },
        recipient: { id: BOT_ACCOUNT.id, name: BOT_ACCOUNT.name },
        conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
        text: body.text,
        locale: body.locale ?? 'vi-VN',
      };
      const accepted = await runner.accept('webchat', activity);
      // The same message posted again (a retry): it was stored and is answered once.
      if (!accepted && clientActivityID) return void res.json({ id: `${conversationId}|${clientActivityID}` });
      if (!accepted) return fail(res, 409, 'Conflict', 'Activity already received');
      await runner.run(accepted);
      res.json({ id: `${conversationId}|${String(accepted.message.position).padStart(7, '0')}` });
    } catch (err) {
      next(err);
    }
  });

  router.get('/conversations/:conversationId/activities', requireToken, async (req: AuthedRequest, res, next) => {
    try {
      const q = watermarkSchema.safeParse(req.query);
      if (!q.success) return fail(res, 400, 'BadArgument', 'watermark must be a whole number');
      const after = q.data.watermark ? Number(q.data.watermark) : 0;
      const { conversationId, userId } = req.claims!;
      const conversation = await store.conversations.findByAddress({ channel: 'webchat', userId, chatId: conversationId });
      const stored = conversation ? await store.messages.listByConversation(conversation.id, after, 200) : [];
      const messages = readableRun(stored, after, deps.now());
      const last = messages.at(-1);
      res.json({
        activities: messages.map((m) => toDirectLineActivity(m, conversationId)),
        watermark: String(last ? last.position : after),
      });
    } catch (err) {
      next(err);
    }
  });

  return router;
}
