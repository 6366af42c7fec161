/**
 * The server is killed (SIGKILL, a real child process) in the middle of an intake and
 * started again on the same SQLite file: the citizen continues at the same step, over
 * the Direct Line HTTP API with the token they already had.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, healthy, startChildServer } from './support/child-server.js';
import { waitFor } from './support/http.js';

const startServer = (dataDir: string, port: number) => startChildServer(dataDir, port);

describe('an intake survives a crash', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  it('continues at the same step after SIGKILL and a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ctxh-crash-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let server = startServer(dataDir, port);
    children.push(server);
    await waitFor(() => healthy(url), 'server up', 30_000);

    const { token, conversationId } = (await (await fetch(`${url}/v3/directline/tokens/generate`, { method: 'POST' })).json()) as { token: string; conversationId: string };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const activities = `${url}/v3/directline/conversations/${conversationId}/activities`;
    let watermark = '';
    /** Posts a message; returns the bot's first reply to it. */
    const say = async (text: string): Promise<string> => {
      const posted = await fetch(activities, { method: 'POST', headers, body: JSON.stringify({ type: 'message', from: { id: 'citizen' }, text }) });
      expect(posted.status).toBe(200);
      const reply = await waitFor(async () => {
        const page = (await (await fetch(`${activities}?watermark=${watermark}`, { headers })).json()) as { activities: Array<{ from: { role?: string }; text?: string }>; watermark: string };
        const bot = page.activities.find((a) => a.from.role === 'bot');
        if (bot) watermark = page.watermark;
        return bot?.text;
      }, `reply to "${text}"`, 20_000);
      return reply;
    };

    expect(await say('dang ky ho tro')).toMatch(/đồng ý/);
    expect(await say('dong y')).toMatch(/cho ai/);
    expect(await say('nguoi than')).toMatch(/thuộc nhóm nào/);
    const ageQuestion = await say('nguoi cao tuoi');
    expect(ageQuestion).toMatch(/bao nhiêu tuổi/);

    server.kill('SIGKILL');
    await waitFor(() => server.exitCode !== null || server.signalCode !== null, 'server killed');
    server = startServer(dataDir, port);
    children.push(server);
    await waitFor(() => healthy(url), 'server up again', 30_000);

    // The same step: the answer to the age question is read as an age.
    expect(await say('82 tuoi')).toMatch(/cần hỗ trợ việc gì/);
    expect(await say('cham soc')).toMatch(/xã, phường nào/);
  }, 120_000); // two real starts of the server, each allowed 30 s as above
});
