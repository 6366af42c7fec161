/**
 * The unanswered questions inbox against the real assistant: a question the shipped
 * knowledge declines, asked three times in other words (once with a phone number), is one
 * group with a count of 3 and no phone digits anywhere in what is kept; the preview says
 * which entry it would get; added as a way of asking that entry, in one step, the same
 * question is answered at once. An unrelated question is a second group, a clarified
 * question is counted as clarified, a new entry is a draft for review, and a counsellor
 * without the knowledge permission is kept out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAssistant } from './support/assistant.js';
import { askWebChat } from './support/web-ask.js';
import { addStaff, ConsoleClient } from './support/console-client.js';

const ENTRY = 'ngheo-ho-tro-khac';
const LOANS = [
  'Muốn vay vốn buôn bán làm ăn thì phải làm sao?',
  'muon vay von buon ban lam an thi phai lam sao, sdt 0912 345 678',
  'Cho hỏi vay vốn để buôn bán làm ăn thì làm thủ tục ở đâu?',
];
const UNRELATED = 'Nghỉ thai sản được mấy tháng?';
const CLARIFIED = 'cho hỏi về trợ cấp, sdt 0987 654 321';
const DECLINED = /chưa có thông tin chắc chắn nên không dám trả lời sai/;
const CLARIFY = /Mình chưa chắc bạn muốn hỏi điều nào/;
const PHONE_DIGITS = /0912|345\s?678|912345678|0987|654\s?321/;

let running: Awaited<ReturnType<typeof startAssistant>>;
let editor: ConsoleClient;
let counsellor: ConsoleClient;

beforeAll(async () => {
  running = await startAssistant({ CONSOLE_SECURE_COOKIES: 'false' });
  const { store } = running.assistant;
  await addStaff(store, { username: 'bien-tap', displayName: 'Chị Mai', canEditKnowledge: true });
  await addStaff(store, { username: 'tu-van', displayName: 'Chị Hoa' });
  editor = await ConsoleClient.login(running.url, 'bien-tap');
  counsellor = await ConsoleClient.login(running.url, 'tu-van');
});
afterAll(async () => {
  await running?.close();
});

const ask = (text: string) => askWebChat(running.url, text);

const inbox = async () => (await editor.get('/inbox')).body.groups as any[];

describe('unanswered questions inbox', () => {
  it('groups one out-of-scope question asked three ways, masked, and answers it once added as a phrasing', async () => {
    for (const q of LOANS) expect(await ask(q)).toMatch(DECLINED);

    const groups = await inbox();
    expect(groups).toHaveLength(1);
    const [group] = groups;
    expect(group).toMatchObject({ count: 3, kinds: { declined: 3, clarified: 0, unhelpful: 0 }, sample: LOANS[0] });
    expect(group.samples).toHaveLength(3);
    expect(group.samples[1]).toBe('muon vay von buon ban lam an thi phai lam sao, sdt ***');
    // Nothing kept anywhere holds the number: not the group, its samples, its terms, nor the audit.
    const stored = await running.assistant.store.unanswered.listOpen(500);
    expect(JSON.stringify(stored)).not.toMatch(PHONE_DIGITS);
    expect(JSON.stringify(groups)).not.toMatch(PHONE_DIGITS);

    // An unrelated question is a group of its own.
    expect(await ask(UNRELATED)).toMatch(DECLINED);
    const two = await inbox();
    expect(two.map((g) => [g.sample, g.count])).toEqual([
      [LOANS[0], 3],
      [UNRELATED, 1],
    ]);

    // The preview: today nothing answers it; as a way of asking ENTRY, that entry would.
    const detail = await editor.get(`/inbox/${group.id}`);
    expect(detail.body.now.kind).toBe('decline');
    const preview = await editor.post(`/inbox/${group.id}/preview`, { entryId: ENTRY });
    expect(preview.status).toBe(200);
    expect(preview.body.before).toMatchObject({ kind: 'decline', entryId: null });
    expect(preview.body.result).toMatchObject({ kind: 'answer', entryId: ENTRY });
    expect(preview.body.question).toBe(LOANS[0]);

    // One step: added, in force, the group resolved, and the same question now answered from the entry.
    const added = await editor.post(`/inbox/${group.id}/phrasing`, { entryId: ENTRY });
    expect(added.status).toBe(201);
    expect(added.body.result).toMatchObject({ kind: 'answer', entryId: ENTRY });
    const { inForce } = (await editor.get(`/kb/entries/${ENTRY}`)).body;
    expect(inForce.version).toBe(added.body.version.version);
    expect(inForce.entry.questions.at(-1)).toBe(LOANS[0]);
    const answer = await ask(LOANS[0]!);
    expect(answer).not.toMatch(DECLINED);
    expect(answer).toMatch(/vay vốn ưu đãi/);
    expect(answer).toContain(`Nguồn: ${inForce.entry.source}`);

    expect((await inbox()).map((g) => g.sample)).toEqual([UNRELATED]);
    expect((await editor.post(`/inbox/${group.id}/phrasing`, { entryId: ENTRY })).status).toBe(409);
    const [event] = await running.assistant.store.audit.list({ action: 'inbox.phrasing-added' });
    expect(event).toMatchObject({ subject: ENTRY, detail: { group: group.id, count: 3, version: inForce.version } });
    expect(String(event!.detail!.approved)).toMatch(/no second reviewer/);
  });

  it('counts a clarified question as clarified, without the number', async () => {
    expect(await ask(CLARIFIED)).toMatch(CLARIFY);
    const group = (await inbox()).find((g) => g.kinds.clarified > 0);
    expect(group).toMatchObject({ count: 1, kinds: { declined: 0, clarified: 1, unhelpful: 0 } });
    expect(group.sample).toBe('cho hỏi về trợ cấp, sdt ***');
    // Not useful as knowledge: set aside.
    expect((await editor.post(`/inbox/${group.id}/dismiss`)).status).toBe(200);
    expect((await inbox()).some((g) => g.id === group.id)).toBe(false);
  });

  it('starts a new entry from a group as a draft for review', async () => {
    const [group] = await inbox();
    expect(group.sample).toBe(UNRELATED);
    const entry = { id: 'thai-san-nghi-bao-lau', topic: 'lien-he', body: 'Chế độ thai sản do bảo hiểm xã hội giải quyết: hỏi cơ quan bảo hiểm xã hội nơi bạn đóng.', source: 'Luật Bảo hiểm xã hội 2024', effective: '2025-07-01', reviewed: '2026-11-22' };
    const drafted = await editor.post(`/inbox/${group.id}/new-entry`, entry);
    expect(drafted.status).toBe(201);
    expect(drafted.body.version).toMatchObject({ entryId: entry.id, version: 1, status: 'draft' });
    const drafts = (await editor.get('/kb/drafts')).body.drafts;
    expect(drafts.find((d: any) => d.entryId === entry.id).entry.questions[0]).toBe(UNRELATED);
    // A draft: the bot does not answer from it until someone else approves it.
    expect(await ask(UNRELATED)).toMatch(DECLINED);
  });

  it('keeps the question whose answer a citizen marked "Chưa đúng ý", masked, as unhelpful', async () => {
    const url = running.url;
    const t = await (await fetch(`${url}/v3/directline/tokens/generate`, { method: 'POST' })).json();
    const headers = { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' };
    const activities = `${url}/v3/directline/conversations/${t.conversationId}/activities`;
    const say = (text: string) => fetch(activities, { method: 'POST', headers, body: JSON.stringify({ type: 'message', text }) });
    await say('tro cap nguoi khuyet tat nang bao nhieu, sdt 0987 654 321');
    let listed = (await (await fetch(activities, { headers })).json()).activities;
    expect(listed.at(-1).suggestedActions.actions.map((a: any) => a.title)).toContain('Chưa đúng ý');
    await say('Chưa đúng ý');
    listed = (await (await fetch(activities, { headers })).json()).activities;
    expect(listed.at(-1).text).toMatch(/chưa đúng ý.*ghi lại/);
    const group = (await inbox()).find((g) => g.kinds.unhelpful > 0);
    expect(group).toMatchObject({ count: 1, kinds: { declined: 0, clarified: 0, unhelpful: 1 } });
    expect(group.sample).toMatch(/khuyet tat nang/);
    expect(JSON.stringify(group)).not.toMatch(/0987|654|321/);
  });

  it('keeps counsellors without the knowledge permission out', async () => {
    expect((await counsellor.get('/inbox')).status).toBe(403);
    const [group] = await running.assistant.store.unanswered.listOpen(1);
    expect((await counsellor.post(`/inbox/${group!.id}/phrasing`, { entryId: ENTRY })).status).toBe(403);
  });
});
