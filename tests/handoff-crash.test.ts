/**
 * The server is killed (SIGKILL, a real child process) while counsellors work the queue,
 * and started again on the same SQLite file: no ticket, message or assignment is lost,
 * the counsellor's session still works, and the citizen still gets the counsellor's reply.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleClient, TEST_PASSWORD } from './support/console-client.js';
import { childEnv, freePort, healthy, startChildServer } from './support/child-server.js';
import { waitFor } from './support/http.js';

const serverEnv = { CONSOLE_SECURE_COOKIES: 'false' };
const startServer = (dataDir: string, port: number) => startChildServer(dataDir, port, serverEnv);

/** A web chat citizen over the Direct Line HTTP API, as the page does it. */
async function webCitizen(url: string) {
  const { token, conversationId } = (await (await fetch(`${url}/v3/directline/tokens/generate`, { method: 'POST' })).json()) as { token: string; conversationId: string };
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const activities = `${url}/v3/directline/conversations/${conversationId}/activities`;
  const read = async () =>
    ((await (await fetch(activities, { headers })).json()) as { activities: Array<{ from: { role?: string; name?: string }; text?: string }> }).activities;
  return {
    conversationId,
    read,
    async say(text: string) {
      const before = (await read()).filter((a) => a.from.role === 'bot').length;
      const posted = await fetch(activities, { method: 'POST', headers, body: JSON.stringify({ type: 'message', from: { id: 'citizen' }, text }) });
      expect(posted.status).toBe(200);
      await waitFor(async () => (await read()).filter((a) => a.from.role === 'bot').length > before, `reply to "${text}"`, 20_000);
    },
  };
}

describe('the queue survives a crash', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  it('keeps every ticket, message and assignment after SIGKILL and a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ctxh-queue-crash-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let server = startServer(dataDir, port);
    children.push(server);
    await waitFor(() => healthy(url), 'server up', 30_000);
    // The account is made with the real command, as a centre would.
    const added = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/user-add.ts', '--username', 'lan', '--name', 'Chị Lan', '--role', 'counsellor'], {
      env: childEnv(dataDir, port, { ...serverEnv, CTXH_NEW_PASSWORD: TEST_PASSWORD }),
      encoding: 'utf8',
    });
    expect(added.status, added.stderr).toBe(0);

    const urgent = await webCitizen(url);
    await urgent.say('bố em bị điện giật khi sửa điện, đang nằm bất tỉnh');
    const second = await webCitizen(url);
    await second.say('cho tôi gặp tư vấn viên');
    const third = await webCitizen(url);
    await third.say('cho tôi gặp tư vấn viên');

    const lan = await ConsoleClient.login(url, 'lan');
    const queue = (await lan.get('/queue')).body;
    expect(queue.tickets.map((t: any) => t.status)).toEqual(['waiting', 'waiting', 'waiting']);
    expect(queue.tickets[0]).toMatchObject({ urgent: true, riskCategory: 'cap-cuu' });
    const urgentTicket = queue.tickets[0].id;
    expect((await lan.post(`/tickets/${urgentTicket}/claim`)).status).toBe(200);
    expect((await lan.post(`/tickets/${urgentTicket}/reply`, { text: 'Em gọi 115 chưa? Chị đang ở đây với em.' })).status).toBe(200);

    server.kill('SIGKILL');
    await waitFor(() => server.exitCode !== null || server.signalCode !== null, 'server killed');
    server = startServer(dataDir, port);
    children.push(server);
    await waitFor(() => healthy(url), 'server up again', 30_000);

    // Same session (kept in the store), same queue: the assignment and both waiting tickets, in order.
    const after = (await lan.get('/queue')).body;
    expect(after.tickets.map((t: any) => [t.id, t.status])).toEqual(queue.tickets.map((t: any, i: number) => [t.id, i === 0 ? 'assigned' : 'waiting']));
    expect(after.tickets[0].assigneeName).toBe('Chị Lan');
    const detail = (await lan.get(`/tickets/${urgentTicket}`)).body;
    const kinds = detail.transcript.map((l: any) => `${l.kind}:${l.text}`);
    expect(kinds).toContain('citizen:bố em bị điện giật khi sửa điện, đang nằm bất tỉnh');
    expect(kinds).toContain('counsellor:Em gọi 115 chưa? Chị đang ở đây với em.');
    // The citizen's web chat still shows the counsellor's reply, under the counsellor's name.
    const seen = await urgent.read();
    expect(seen.find((a) => a.text === 'Em gọi 115 chưa? Chị đang ở đây với em.')?.from.name).toBe('Chị Lan');
    // And the queue keeps working: the next ticket can be claimed.
    expect((await lan.post(`/tickets/${after.tickets[1].id}/claim`)).status).toBe(200);
  }, 120_000); // two real starts of the server, each allowed 30 s as above
});
