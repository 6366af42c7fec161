/**
 * Direct Line as a centre's website uses it: the WebSocket stream (one conversation per
 * socket, authenticated by its token, resumable from a watermark, fed by other instances'
 * writes), typing while a turn is slow, tokens generated with the centre's secret, and
 * CORS for the origins the centre allows.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAssistant } from './support/assistant.js';
import { startFakeLlm } from './support/fake-llm.js';
import { waitFor } from './support/http.js';

const SECRET = 'centre-directline-secret-0123456789abcdef';
const SITE = 'https://ctxh.example.gov.vn';

let running: Awaited<ReturnType<typeof startAssistant>>;
let llm: Awaited<ReturnType<typeof startFakeLlm>>;
const closers: Array<() => Promise<unknown> | void> = [];

beforeAll(async () => {
  llm = await startFakeLlm();
  running = await startAssistant({
    ALLOWED_ORIGINS: `${SITE}, http://localhost:8080`,
    DIRECTLINE_SECRET: SECRET,
    DIRECTLINE_TOKENS_PER_MINUTE: '3',
    OPENAI_BASE_URL: llm.baseUrl,
    LLM_MODEL: 'fake',
  });
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await running?.close();
  await llm?.close();
});

const json = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

async function start(base = running.url): Promise<{ conversationId: string; token: string; streamUrl: string }> {
  const t = await (await fetch(`${base}/v3/directline/tokens/generate`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}` } })).json();
  const res = await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: json(t.token) });
  expect(res.status).toBe(201);
  return res.json();
}

/** A socket and every activity set it received. */
async function open(url: string): Promise<{ sets: any[]; activities: () => any[]; socket: WebSocket }> {
  const sets: any[] = [];
  const socket = new WebSocket(url);
  socket.on('message', (data) => {
    const text = data.toString();
    if (text) sets.push(JSON.parse(text));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  closers.push(() => socket.close());
  return { sets, socket, activities: () => sets.flatMap((s) => s.activities) };
}

function refusal(url: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.on('open', () => resolve(101));
    socket.on('error', () => undefined);
  });
}

async function say(c: { conversationId: string; token: string }, text: string, base = running.url): Promise<Response> {
  return fetch(`${base}/v3/directline/conversations/${c.conversationId}/activities`, {
    method: 'POST',
    headers: json(c.token),
    body: JSON.stringify({ type: 'message', text, from: { id: 'x', name: 'Bà Tư' }, channelData: { clientActivityID: `c-${text.length}-${Date.now()}` } }),
  });
}

describe('the WebSocket stream', () => {
  it('pushes the greeting, then the echo and the answer, with watermarks, to the conversation’s socket', async () => {
    const c = await start();
    expect(c.streamUrl).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:\\d+/v3/directline/conversations/${c.conversationId}/stream\\?t=`));
    const s = await open(c.streamUrl);
    await waitFor(() => s.activities().some((a) => /Xin chào/.test(a.text)), 'greeting');
    expect(s.sets[0].watermark).toBe('1');
    expect((await say(c, 'muc chuan tro giup xa hoi')).status).toBe(200);
    await waitFor(() => s.activities().filter((a) => a.type === 'message' && a.from.role === 'bot').length >= 2, 'answer');
    const [, echo, answer] = s.activities().filter((a) => a.type === 'message');
    expect(echo).toMatchObject({ from: { role: 'user', name: 'Bà Tư' }, text: 'muc chuan tro giup xa hoi' });
    expect(answer.replyToId).toBe(echo.id);
    expect(s.sets.at(-1).watermark).toBe('3');
  });

  it('refuses a socket without a valid token for that conversation', async () => {
    const a = await start();
    const b = await start();
    expect(await refusal(a.streamUrl.replace(/t=[^&]+/, `t=${encodeURIComponent(b.token)}`))).toBe(403);
    expect(await refusal(a.streamUrl.replace(/t=[^&]+/, 't=nonsense'))).toBe(403);
    expect(await refusal(a.streamUrl.replace(/\/stream\?.*$/, '/stream'))).toBe(403);
  });

  it('resumes after a watermark when the client reconnects', async () => {
    const c = await start();
    await say(c, 'tro cap nguoi cao tuoi');
    const again = await fetch(`${running.url}/v3/directline/conversations/${c.conversationId}?watermark=2`, { headers: json(c.token) });
    expect(again.status).toBe(200);
    const { streamUrl } = await again.json();
    expect(streamUrl).toMatch(/watermark=2&t=/);
    const s = await open(streamUrl);
    await waitFor(() => s.activities().length > 0, 'the rest');
    // Only what came after position 2 (the greeting and the question): the answer.
    expect(s.activities().map((a) => a.from.role)).toEqual(['bot']);
    expect(s.sets[0].watermark).toBe('3');
  });

  it('shows the bot typing while a turn waits on the model, then the answer', async () => {
    const c = await start();
    const s = await open(c.streamUrl);
    await waitFor(() => s.activities().length > 0, 'greeting');
    llm.hold();
    const posting = say(c, 'nguoi khuyet tat nang duoc tro cap bao nhieu');
    try {
      const typing = await waitFor(() => s.activities().find((a) => a.type === 'typing'), 'typing');
      expect(typing).toMatchObject({ from: { role: 'bot' }, conversation: { id: c.conversationId } });
      // Typing is not stored: it carries no watermark.
      expect(s.sets.find((set) => set.activities[0].type === 'typing').watermark).toBeUndefined();
    } finally {
      llm.release();
    }
    expect((await posting).status).toBe(200);
    await waitFor(() => s.activities().filter((a) => a.type === 'message' && a.from.role === 'bot').length >= 2, 'answer');
    const ids = s.activities().map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('brings a message stored by another instance to this instance’s socket', async () => {
    // Two app instances on one store (the same SQLite file here; MongoDB in a province).
    const dataDir = mkdtempSync(join(tmpdir(), 'ctxh-two-'));
    const env = { DATA_DIR: dataDir, DIRECTLINE_SECRET: SECRET };
    const first = await startAssistant(env);
    closers.push(() => first.close());
    const second = await startAssistant(env);
    closers.push(() => second.close());
    const c = await start(first.url);
    const s = await open(c.streamUrl.replace(new URL(first.url).host, new URL(second.url).host));
    await waitFor(() => s.activities().length > 0, 'greeting via the second instance');
    await say(c, 'xin giay chung nhan khuyet tat o dau', first.url);
    await waitFor(() => s.activities().filter((a) => a.from.role === 'bot').length >= 2, 'answer written by the first instance');
    expect(s.activities().map((a) => a.from.role)).toEqual(['bot', 'user', 'bot']);
  });
});

describe('tokens for a centre’s website', () => {
  it('generates tokens with the secret, for a user the centre names, without the anonymous limit', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${running.url}/v3/directline/tokens/generate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user: { id: 'dl_citizen-42', name: 'Lan' } }),
      });
      expect(res.status).toBe(200);
    }
    const wrong = await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST', headers: { authorization: 'Bearer not-the-secret' } });
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).error.code).toBe('Unauthorized');
    const badUser = await fetch(`${running.url}/v3/directline/tokens/generate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: { id: 'admin' } }),
    });
    expect(badUser.status).toBe(400);
    // A conversation started with the secret itself, as Direct Line allows a server to.
    const started = await fetch(`${running.url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}` } });
    expect(started.status).toBe(201);
    expect(await started.json()).toMatchObject({ conversationId: expect.any(String), token: expect.any(String), streamUrl: expect.stringMatching(/^ws:/) });
  });

  it('answers CORS preflights for allowed origins only, and unknown paths in Direct Line’s JSON shape', async () => {
    const preflight = (origin: string) =>
      fetch(`${running.url}/v3/directline/conversations/x/activities`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-ms-bot-agent' },
      });
    const ok = await preflight(SITE);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const missing = await fetch(`${running.url}/v3/directline/nothing-here`, { method: 'POST', headers: { origin: SITE } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe(SITE);
    expect((await missing.json()).error.code).toBe('NotFound');
  });
});
