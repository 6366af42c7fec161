import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import XHR2 from 'xhr2';
import WebSocket from 'ws';
import { startAssistant } from './support/assistant.js';
import { waitFor } from './support/http.js';

// botframework-directlinejs expects browser globals; in polling mode it never opens a socket.
Object.assign(globalThis, { XMLHttpRequest: XHR2, WebSocket });
const { DirectLine, ConnectionStatus } = await import('botframework-directlinejs');

let running: Awaited<ReturnType<typeof startAssistant>>;
beforeAll(async () => {
  running = await startAssistant({ DIRECTLINE_TOKENS_PER_MINUTE: '8' });
});
afterAll(async () => {
  await running?.close();
});

async function token(): Promise<{ token: string; conversationId: string }> {
  const res = await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST' });
  expect(res.status).toBe(200);
  return res.json();
}

const auth = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' });

describe('web chat over Direct Line 3.0', () => {
  it.each([
    ['polling', false],
    ['WebSocket', true],
  ])('converses with the real botframework-directlinejs client (%s), greeting first', async (_mode, webSocket) => {
    const { token: t } = await token();
    const dl = new DirectLine({ token: t, domain: `${running.url}/v3/directline`, webSocket, pollingInterval: 200 });
    const bot: any[] = [];
    const mine: any[] = [];
    const sub = dl.activity$.subscribe((a: any) => {
      if (a.type === 'message' && a.from?.role === 'bot') bot.push(a);
      if (a.type === 'message' && a.from?.role === 'user') mine.push(a);
    });
    try {
      // A new conversation opens with what the bot can do and the most asked topics.
      const greeting = await waitFor(() => bot[0], 'greeting');
      expect(greeting.text).toMatch(/^Xin chào/);
      expect(greeting.suggestedActions.actions.map((x: any) => x.title)).toContain('Gặp tư vấn viên');
      const posted = await new Promise<string>((resolve, reject) =>
        dl.postActivity({ type: 'message', from: { id: 'me', name: 'Lan' }, text: 'tro cap nguoi khuyet tat bao nhieu' } as any)
          .subscribe({ next: resolve, error: reject }),
      );
      const reply = await waitFor(() => bot[1], 'bot reply');
      expect(reply.text).toMatch(/khuyết tật/);
      expect(reply.text).toMatch(/Nguồn: /);
      // The citizen's message comes back once, under the id the POST returned, with their name;
      // the answer names it as what it replies to.
      await waitFor(() => mine[0], 'echo');
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ id: posted, from: { name: 'Lan', role: 'user' } });
      expect(reply.replyToId).toBe(posted);
      expect(new Set([...bot, ...mine].map((a) => a.id)).size).toBe(bot.length + mine.length);
      expect(dl.connectionStatus$.getValue()).toBe(ConnectionStatus.Online);
    } finally {
      sub.unsubscribe();
      dl.end();
    }
  });

  it('keeps each conversation to its own token', async () => {
    const a = await token();
    const b = await token();
    expect(a.conversationId).not.toBe(b.conversationId);
    const post = await fetch(`${running.url}/v3/directline/conversations/${a.conversationId}/activities`, {
      method: 'POST',
      headers: auth(a.token),
      body: JSON.stringify({ type: 'message', text: 'muc chuan tro giup xa hoi' }),
    });
    expect(post.status).toBe(200);
    const readOther = await fetch(`${running.url}/v3/directline/conversations/${a.conversationId}/activities`, { headers: auth(b.token) });
    expect(readOther.status).toBe(403);
    const writeOther = await fetch(`${running.url}/v3/directline/conversations/${a.conversationId}/activities`, {
      method: 'POST',
      headers: auth(b.token),
      body: JSON.stringify({ type: 'message', text: 'xin chao' }),
    });
    expect(writeOther.status).toBe(403);
    const noToken = await fetch(`${running.url}/v3/directline/conversations/${a.conversationId}/activities`);
    expect(noToken.status).toBe(403);
    const forged = await fetch(`${running.url}/v3/directline/conversations/${a.conversationId}/activities`, {
      headers: auth(`${a.token.split('.')[0]}.${'A'.repeat(43)}`),
    });
    expect(forged.status).toBe(403);

    const own = await (await fetch(`${running.url}/v3/directline/conversations/${a.conversationId}/activities`, { headers: auth(a.token) })).json();
    expect(own.activities.map((x: any) => x.from.role)).toEqual(['user', 'bot']);
    expect(own.activities[1].text).toMatch(/500\.000 đồng/);
    const after = await (
      await fetch(`${running.url}/v3/directline/conversations/${a.conversationId}/activities?watermark=${own.watermark}`, { headers: auth(a.token) })
    ).json();
    expect(after.activities).toEqual([]);
    expect(after.watermark).toBe(own.watermark);
  });

  it('answers bad input with a clear error and stores nothing', async () => {
    const a = await token();
    const url = `${running.url}/v3/directline/conversations/${a.conversationId}/activities`;
    const bad = [
      { type: 'message', text: '   ' },
      { type: 'message', text: 'x'.repeat(2001) },
      { type: 'nonsense', text: 'hi' },
      { text: 'no type' },
    ];
    for (const body of bad) {
      const res = await fetch(url, { method: 'POST', headers: auth(a.token), body: JSON.stringify(body) });
      expect(res.status).toBe(400);
      const json = await res.json();
      expect(json.error.code).toBe('BadArgument');
      expect(json.error.message.length).toBeGreaterThan(3);
    }
    const badJson = await fetch(url, { method: 'POST', headers: auth(a.token), body: '{"type": "mess' });
    expect(badJson.status).toBe(400);
    const badWatermark = await fetch(`${url}?watermark=abc`, { headers: auth(a.token) });
    expect(badWatermark.status).toBe(400);
    const listed = await (await fetch(url, { headers: auth(a.token) })).json();
    expect(listed.activities).toEqual([]);
  });

  it('puts the conversation in the counsellor queue when the citizen asks for a person', async () => {
    const a = await token();
    const url = `${running.url}/v3/directline/conversations/${a.conversationId}/activities`;
    const res = await fetch(url, { method: 'POST', headers: auth(a.token), body: JSON.stringify({ type: 'message', text: 'Gặp tư vấn viên' }) });
    expect(res.status).toBe(200);
    const listed = await (await fetch(url, { headers: auth(a.token) })).json();
    expect(listed.activities[1].text).toMatch(/chuyển yêu cầu gặp tư vấn viên/);
    const conversation = (await running.assistant.store.audit.list({ action: 'handoff.requested' }))[0]!.subject;
    expect((await running.assistant.store.conversations.get(conversation))?.status).toBe('queued');
  });

  it('refreshes a token for the same conversation', async () => {
    const a = await token();
    const res = await fetch(`${running.url}/v3/directline/tokens/refresh`, { method: 'POST', headers: auth(a.token) });
    expect(res.status).toBe(200);
    const refreshed = await res.json();
    expect(refreshed.conversationId).toBe(a.conversationId);
    const read = await fetch(`${running.url}/v3/directline/conversations/${a.conversationId}/activities`, { headers: auth(refreshed.token) });
    expect(read.status).toBe(200);
  });

  it('limits how many tokens one address can take', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push((await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST' })).status);
    }
    expect(statuses).toContain(429);
  });
});
