/**
 * The yardstick for `npm run bench`'s Direct Line closed loop: a bare Express server,
 * run as its own process (bench/server.ts starts it), speaking the subset of Direct Line
 * 3.0 the bench uses, with the JSON shapes the assistant returns (src/bots/directline):
 *
 * - POST /v3/directline/tokens/generate → { conversationId, token, expires_in }
 * - POST /v3/directline/conversations/:id/activities → { id }; the bot's reply, an echo
 *   of the text, is stored before the answer, as the assistant stores its reply before
 *   answering the POST
 * - GET /v3/directline/conversations/:id/activities?watermark= → { activities, watermark }
 *
 * Everything is kept in memory; no store, no checks beyond the token and the watermark.
 * Prints {"port":…} on stdout once listening (PORT, default 0; HOST, default 127.0.0.1).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import express, { type Response } from 'express';

/** As BOT_ACCOUNT in src/bots/directline/activities.ts. */
const BOT = { id: 'tro-ly-ctxh', name: 'Trợ lý CTXH' };

interface Conversation {
  userId: string;
  activities: Record<string, unknown>[];
}

const byToken = new Map<string, string>();
const conversations = new Map<string, Conversation>();

function fail(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** The conversation the request's token opens, or null (403 sent). */
function authorised(authorization: string | undefined, conversationId: string, res: Response): Conversation | null {
  const token = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : '';
  const conversation = byToken.get(token) === conversationId ? conversations.get(conversationId) : undefined;
  if (!conversation) fail(res, 403, 'TokenInvalid', 'Token is missing, invalid or expired');
  return conversation ?? null;
}

const app = express();
app.disable('x-powered-by');
const router = express.Router();
router.use(express.json({ limit: '64kb' }));

router.post('/tokens/generate', (_req, res) => {
  const conversationId = randomBytes(12).toString('base64url');
  const token = randomBytes(24).toString('base64url');
  byToken.set(token, conversationId);
  conversations.set(conversationId, { userId: `dl_${randomBytes(9).toString('base64url')}`, activities: [] });
  res.json({ conversationId, token, expires_in: 3600 });
});

router.post('/conversations/:conversationId/activities', (req, res) => {
  const conversationId = req.params.conversationId;
  const conversation = authorised(req.get('authorization'), conversationId, res);
  if (!conversation) return;
  const body = (req.body ?? {}) as { type?: unknown; text?: unknown };
  const text = typeof body.text === 'string' ? body.text : '';
  if (body.type !== 'message' || !text.trim()) return fail(res, 400, 'BadArgument', 'text: tin nhắn trống');
  const id = `${conversationId}|${randomUUID()}`;
  const timestamp = new Date().toISOString();
  conversation.activities.push(
    { type: 'message', id, timestamp, channelId: 'directline', conversation: { id: conversationId }, from: { id: conversation.userId, name: 'Người dân', role: 'user' }, text, locale: 'vi-VN' },
    {
      type: 'message',
      id: `${conversationId}|${randomUUID()}`,
      timestamp,
      channelId: 'directline',
      conversation: { id: conversationId },
      from: { ...BOT, role: 'bot' },
      text,
      replyToId: id,
      locale: 'vi-VN',
    },
  );
  res.json({ id });
});

router.get('/conversations/:conversationId/activities', (req, res) => {
  const conversationId = req.params.conversationId;
  const conversation = authorised(req.get('authorization'), conversationId, res);
  if (!conversation) return;
  const watermark = req.query.watermark ?? '';
  if (typeof watermark !== 'string' || !/^\d{0,15}$/.test(watermark)) return fail(res, 400, 'BadArgument', 'watermark must be a whole number');
  const after = Math.min(Number(watermark || 0), conversation.activities.length);
  res.json({ activities: conversation.activities.slice(after), watermark: String(conversation.activities.length) });
});

router.use((_req, res) => fail(res, 404, 'NotFound', 'No such Direct Line endpoint'));
app.use('/v3/directline', router);

const server = app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
process.once('SIGTERM', () => {
  server.close();
  process.exit(0);
});
