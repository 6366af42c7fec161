/**
 * One question on the web chat, the way a citizen's page asks it over Direct Line: a new
 * token (a conversation of its own), the message, then the bot's last reply.
 *
 * @example expect(await askWebChat(running.url, 'tro cap nguoi khuyet tat bao nhieu')).toMatch(/Nguồn: /);
 */
export async function askWebChat(url: string, text: string): Promise<string> {
  const generated = await fetch(`${url}/v3/directline/tokens/generate`, { method: 'POST' });
  if (generated.status !== 200) throw new Error(`a web chat token got ${generated.status}`);
  const t = await generated.json();
  const headers = { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' };
  const activities = `${url}/v3/directline/conversations/${t.conversationId}/activities`;
  const posted = await fetch(activities, { method: 'POST', headers, body: JSON.stringify({ type: 'message', text }) });
  if (posted.status !== 200) throw new Error(`posting "${text}" got ${posted.status}`);
  const listed = await (await fetch(activities, { headers })).json();
  return listed.activities.filter((a: { from: { role: string } }) => a.from.role === 'bot').at(-1).text;
}
