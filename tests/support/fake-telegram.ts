import express from 'express';
import { listen } from './http.js';

/**
 * A local stand-in for the Telegram Bot API: answers getMe, records every sendMessage,
 * serves queued updates to getUpdates with offset semantics, and can be told to fail.
 */
export interface RecordedCall {
  method: string;
  body: Record<string, any>;
  /** True when the fake answered this call with an error. */
  failed?: boolean;
}

export async function startFakeTelegram(token: string) {
  const calls: RecordedCall[] = [];
  const updates: Array<Record<string, any>> = [];
  let nextMessageId = 1000;
  let failNextSends = 0;
  let failNextGetMe = 0;
  let sendDelayMs = 0;
  const blocked = new Set<string>();
  const app = express();
  app.use(express.json());
  app.post(`/bot${token}/:method`, (req, res) => {
    const method = req.params.method;
    const body = (req.body ?? {}) as Record<string, any>;
    const call: RecordedCall = { method, body };
    calls.push(call);
    switch (method) {
      case 'getMe':
        if (failNextGetMe > 0) {
          failNextGetMe--;
          call.failed = true;
          return res.status(502).json({ ok: false, error_code: 502, description: 'Bad Gateway' });
        }
        return res.json({ ok: true, result: { id: 4242, is_bot: true, first_name: 'CTXH', username: 'ctxh_test_bot' } });
      case 'deleteWebhook':
      case 'setWebhook':
        return res.json({ ok: true, result: true });
      case 'getUpdates': {
        const offset = Number(body.offset ?? 0);
        const pending = updates.filter((u) => u.update_id >= offset);
        if (pending.length) return res.json({ ok: true, result: pending });
        // Long polling: answer empty after a short wait so the client loops.
        return setTimeout(() => res.json({ ok: true, result: [] }), 50);
      }
      case 'sendMessage': {
        if (blocked.has(String(body.chat_id))) {
          call.failed = true;
          return res.status(403).json({ ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
        }
        if (failNextSends > 0) {
          failNextSends--;
          call.failed = true;
          return res.status(429).json({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
        }
        const result = { message_id: nextMessageId++, date: Math.floor(Date.now() / 1000), chat: { id: Number(body.chat_id), type: 'private' }, text: body.text };
        if (sendDelayMs > 0) return setTimeout(() => res.json({ ok: true, result }), sendDelayMs);
        return res.json({ ok: true, result });
      }
      case 'getFile':
        return res.json({ ok: true, result: { file_id: body.file_id, file_unique_id: 'u', file_size: 4, file_path: `files/${body.file_id}.bin` } });
      default:
        return res.json({ ok: true, result: true });
    }
  });
  // File downloads, as api.telegram.org/file/bot<token>/<file_path> serves them.
  app.get(`/file/bot${token}/files/:name`, (req, res) => {
    calls.push({ method: 'download', body: { name: req.params.name } });
    res.type('application/octet-stream').send(Buffer.from(`FILE:${req.params.name}`));
  });
  const http = await listen(app);
  return {
    apiRoot: http.url,
    calls,
    sends: () => calls.filter((c) => c.method === 'sendMessage' && !c.failed),
    queueUpdate: (u: Record<string, any>) => updates.push(u),
    failSends: (n: number) => {
      failNextSends = n;
    },
    /** The next n getMe calls answer 502. */
    failGetMe: (n: number) => {
      failNextGetMe = n;
    },
    /** sendMessage to this chat answers 403, as for a citizen who blocked the bot. */
    blockChat: (chatId: number | string) => blocked.add(String(chatId)),
    /** sendMessage answers after this many ms (a slow platform, a kill mid-send). */
    delaySends: (ms: number) => {
      sendDelayMs = ms;
    },
    close: http.close,
  };
}

export function textUpdate(updateId: number, chatId: number, messageId: number, text: string) {
  return {
    update_id: updateId,
    message: {
      message_id: messageId,
      date: 1795300000,
      chat: { id: chatId, type: 'private', first_name: 'Lan' },
      from: { id: chatId, is_bot: false, first_name: 'Lan' },
      text,
    },
  };
}
