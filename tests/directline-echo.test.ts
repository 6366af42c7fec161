/**
 * Web Chat names each message it sends (channelData.clientActivityID) and matches the
 * echo by it: the citizen's own message comes back with that id, and a retried POST with
 * the same id is one stored message with one answer.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startAssistant } from './support/assistant.js';
import { waitFor } from './support/http.js';

const running = await startAssistant();
afterAll(() => running.close());

const auth = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' });

describe('the echo of a web chat message', () => {
  it('carries the clientActivityID the page sent, and a retried POST is answered once', async () => {
    const { token, conversationId } = (await (await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST' })).json()) as { token: string; conversationId: string };
    const url = `${running.url}/v3/directline/conversations/${conversationId}/activities`;
    const body = JSON.stringify({ type: 'message', text: 'tro cap nguoi khuyet tat bao nhieu', channelData: { clientActivityID: '1764470000000abcde' } });
    const first = await fetch(url, { method: 'POST', headers: auth(token), body });
    expect(first.status).toBe(200);
    const again = await fetch(url, { method: 'POST', headers: auth(token), body });
    expect(again.status).toBe(200);
    const activities = await waitFor(async () => {
      const page = (await (await fetch(url, { headers: auth(token) })).json()) as { activities: Array<{ from: { role: string }; text: string; channelData?: { clientActivityID?: string } }> };
      return page.activities.some((a) => a.from.role === 'bot') ? page.activities : null;
    }, 'the answer');
    const mine = activities.filter((a) => a.from.role === 'user');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.channelData).toEqual({ clientActivityID: '1764470000000abcde' });
    await running.assistant.runner.idle();
    const all = (await (await fetch(url, { headers: auth(token) })).json()) as { activities: Array<{ from: { role: string } }> };
    expect(all.activities.filter((a) => a.from.role === 'bot')).toHaveLength(1);
    // Another citizen may use the same id (it is the page's, not ours): their message is theirs.
    const other = (await (await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST' })).json()) as { token: string; conversationId: string };
    const theirs = await fetch(`${running.url}/v3/directline/conversations/${other.conversationId}/activities`, { method: 'POST', headers: auth(other.token), body });
    expect(theirs.status).toBe(200);
    await waitFor(async () => {
      const page = (await (await fetch(`${running.url}/v3/directline/conversations/${other.conversationId}/activities`, { headers: auth(other.token) })).json()) as { activities: Array<{ from: { role: string } }> };
      return page.activities.some((a) => a.from.role === 'bot');
    }, 'the other citizen answered');
  });
});
