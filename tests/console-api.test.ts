/**
 * The counsellors' desk over the console API (real server, real SQLite file, Direct Line
 * citizens): one winner per claim, transfer, hold and resume, close with a goodbye and a
 * one-tap rating, reopening when the citizen writes again, flags, notes, presence, CSRF,
 * the live feed and the numbers, the bot's conversations for supervisors, and a citizen's
 * other tickets in the conversation view.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startAssistant } from './support/assistant.js';
import { addStaff, ConsoleClient } from './support/console-client.js';
import { waitFor } from './support/http.js';
import { WebCitizen } from './support/urgent-scenarios.js';
import { HANDOFF_PRIORITY, citizenKeyOf } from '../src/store/types.js';

const running = await startAssistant({ CONSOLE_SECURE_COOKIES: 'false' }, { livePollMs: 100 });
const { store } = running.assistant;
const lan = await addStaff(store, { username: 'lan', displayName: 'Chị Lan', teams: ['tam-ly', 'chung'] });
const hoa = await addStaff(store, { username: 'hoa', displayName: 'Chị Hoa', teams: ['phap-ly', 'chung'] });
await addStaff(store, { username: 'minh', displayName: 'Anh Minh', role: 'supervisor' });
const asLan = await ConsoleClient.login(running.url, 'lan');
const asHoa = await ConsoleClient.login(running.url, 'hoa');
const asMinh = await ConsoleClient.login(running.url, 'minh');
const citizens: WebCitizen[] = [];
afterAll(async () => {
  for (const c of citizens) c.close();
  await running.close();
});

async function citizenAsking(text = 'cho tôi gặp tư vấn viên') {
  const citizen = await WebCitizen.open(running.url);
  citizens.push(citizen);
  await citizen.say(text);
  const conversation = await waitFor(() => store.conversations.findByAddress({ channel: 'webchat', chatId: citizen.conversationId, userId: citizen.userId }), 'conversation');
  const ticket = await waitFor(() => store.tickets.findOpenByConversation(conversation.id), 'ticket');
  return { citizen, conversation, ticket };
}

describe('the console desk', () => {
  it('gives a ticket to exactly one of two counsellors claiming at once, and tells the citizen who helps', async () => {
    const { citizen, ticket } = await citizenAsking();
    expect(citizen.botTexts.some((t) => /vị trí|người tiếp theo/.test(t))).toBe(true);
    const [a, b] = await Promise.all([asLan.post(`/tickets/${ticket.id}/claim`), asHoa.post(`/tickets/${ticket.id}/claim`)]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    const winner = a.status === 200 ? 'Chị Lan' : 'Chị Hoa';
    expect(loser.body.error.message).toBe(`Phiếu này đã có ${winner} nhận.`);
    await waitFor(() => citizen.botTexts.find((t) => t.includes(`mình là ${winner}`)), 'who is helping');
    expect((await store.audit.list({ action: 'ticket.claimed' })).filter((e) => e.detail?.ticketId === ticket.id)).toHaveLength(1);
  });

  it('refuses a change without the CSRF token, and bad input, changing nothing', async () => {
    const { ticket } = await citizenAsking();
    expect((await asLan.post(`/tickets/${ticket.id}/claim`, {}, { csrf: null })).status).toBe(403);
    expect((await asLan.post(`/tickets/${ticket.id}/claim`, {}, { csrf: 'x'.repeat(43) })).status).toBe(403);
    expect((await store.tickets.get(ticket.id))?.status).toBe('waiting');
    expect((await asLan.post(`/tickets/${ticket.id}/claim`)).status).toBe(200);
    const empty = await asLan.post(`/tickets/${ticket.id}/reply`, { text: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toBe('Nội dung trống.');
    expect((await asLan.post(`/tickets/${ticket.id}/close`, { outcome: 'no-such-outcome' })).status).toBe(400);
    expect((await store.tickets.get(ticket.id))?.status).toBe('assigned');
    expect((await asHoa.post(`/tickets/${ticket.id}/reply`, { text: 'Chào em' })).status).toBe(409);
  });

  it('transfers to a colleague and to a team, holds and resumes', async () => {
    const { citizen, ticket } = await citizenAsking();
    expect((await asLan.post(`/tickets/${ticket.id}/claim`)).status).toBe(200);
    expect((await asLan.post(`/tickets/${ticket.id}/transfer`, { counsellorId: hoa.id })).body.ticket).toMatchObject({ status: 'assigned', assigneeId: hoa.id });
    await waitFor(() => citizen.botTexts.find((t) => t.includes('đồng nghiệp Chị Hoa')), 'told of the transfer');
    expect((await asLan.post(`/tickets/${ticket.id}/hold`)).status).toBe(409);
    expect((await asHoa.post(`/tickets/${ticket.id}/hold`)).body.ticket.status).toBe('on-hold');
    expect((await asHoa.post(`/tickets/${ticket.id}/resume`)).body.ticket.status).toBe('assigned');
    expect((await asHoa.post(`/tickets/${ticket.id}/transfer`, { team: 'tam-ly' })).body.ticket).toMatchObject({ status: 'waiting', team: 'tam-ly', assigneeId: null });
    expect((await store.conversations.get(ticket.conversationId))?.status).toBe('queued');
    expect((await asHoa.post(`/tickets/${ticket.id}/transfer`, { team: 'khong-co' })).body.error.message).toBe('Không có nhóm này.');
  });

  it('closes with a goodbye and a rating, reopens when the citizen writes again, not on a thank-you', async () => {
    const { citizen, ticket } = await citizenAsking();
    expect((await asLan.post(`/tickets/${ticket.id}/claim`)).status).toBe(200);
    const closed = await asLan.post(`/tickets/${ticket.id}/close`, { outcome: 'resolved', note: 'Đã hướng dẫn thủ tục.' });
    expect(closed.body.ticket.status).toBe('closed');
    const goodbye = await waitFor(() => citizen.botTexts.find((t) => t.includes('Bạn thấy lần hỗ trợ này thế nào')), 'goodbye');
    expect(goodbye).toBeTruthy();
    expect((await store.conversations.get(ticket.conversationId))?.status).toBe('bot');
    expect(await citizen.say('Hài lòng')).toMatch(/Cảm ơn bạn/);
    expect((await store.tickets.get(ticket.id))?.satisfaction).toBe(3);
    await citizen.say('cảm ơn');
    expect((await store.tickets.get(ticket.id))?.status).toBe('closed');
    expect(await citizen.say('à chị ơi còn giấy tờ hộ nghèo thì sao')).toMatch(/báo lại cho tư vấn viên/);
    expect(await store.tickets.get(ticket.id)).toMatchObject({ status: 'waiting', lastAssigneeId: lan.id });
  });

  it('lets a supervisor take over, not a counsellor, and flag a bot conversation with a note', async () => {
    const { ticket } = await citizenAsking();
    expect((await asLan.post(`/tickets/${ticket.id}/claim`)).status).toBe(200);
    expect((await asHoa.post(`/tickets/${ticket.id}/take-over`)).status).toBe(403);
    expect((await asMinh.post(`/tickets/${ticket.id}/take-over`)).body.ticket).toMatchObject({ assigneeName: 'Anh Minh' });

    const citizen = await WebCitizen.open(running.url);
    citizens.push(citizen);
    await citizen.say('trợ cấp người cao tuổi bao nhiêu');
    const conversation = await waitFor(() => store.conversations.findByAddress({ channel: 'webchat', chatId: citizen.conversationId, userId: citizen.userId }), 'conversation');
    const flagged = await asMinh.post(`/conversations/${conversation.id}/flag`, { note: 'Bà hỏi nhiều lần, nên gọi lại.' });
    expect(flagged.status).toBe(201);
    expect(flagged.body.ticket).toMatchObject({ reason: 'staff-flagged', status: 'waiting' });
    const detail = (await asLan.get(`/conversations/${conversation.id}`)).body;
    expect(detail.transcript.find((l: any) => l.kind === 'note')).toMatchObject({ author: 'Anh Minh', text: 'Bà hỏi nhiều lần, nên gọi lại.' });
    expect(detail.transcript.find((l: any) => l.kind === 'citizen').text).toBe('trợ cấp người cao tuổi bao nhiêu');
    // Reading it is in the audit log, once for a burst of re-reads.
    await asLan.get(`/conversations/${conversation.id}`);
    expect((await store.audit.list({ subject: conversation.id, action: 'conversation.viewed' })).map((e) => e.actor)).toEqual([lan.id]);
  });

  it('lists the conversations the bot is handling to supervisors, newest first, the last message masked and cut short', async () => {
    const talker = await WebCitizen.open(running.url);
    citizens.push(talker);
    const long = 'Mẹ tôi 82 tuổi, số của mẹ là 0912 345 678, mẹ muốn hỏi trợ cấp người cao tuổi bao nhiêu một tháng và làm hồ sơ ở đâu ạ';
    await talker.say('trợ cấp người cao tuổi bao nhiêu');
    await talker.say(long);
    const conversation = await waitFor(() => store.conversations.findByAddress({ channel: 'webchat', chatId: talker.conversationId, userId: talker.userId }), 'conversation');
    expect(conversation.status).toBe('bot');
    const { ticket } = await citizenAsking();

    // Supervisors and admins only.
    expect((await asLan.get('/conversations?status=bot')).status).toBe(403);
    const listed = await asMinh.get('/conversations?status=bot');
    expect(listed.status).toBe(200);
    const rows = listed.body.conversations;
    expect(rows.every((r: any) => r.status === 'bot')).toBe(true);
    expect(rows.map((r: any) => r.id)).not.toContain(ticket.conversationId);
    const times = rows.map((r: any) => Date.parse(r.updatedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const row = rows.find((r: any) => r.id === conversation.id);
    // Only these: nothing else about the citizen rides on the list.
    expect(Object.keys(row).sort()).toEqual(['channel', 'createdAt', 'id', 'lastInboundAt', 'lastMessage', 'lastMessageRedacted', 'risk', 'status', 'updatedAt']);
    expect(row).toMatchObject({ channel: 'webchat', status: 'bot', risk: null, lastMessageRedacted: false });
    expect(Date.parse(row.lastInboundAt)).toBeGreaterThan(0);
    // The first 80 characters of the citizen's last message, the phone masked before the cut.
    expect(Array.from(row.lastMessage)).toHaveLength(80);
    expect(long.replace('0912 345 678', '***78').startsWith(row.lastMessage)).toBe(true);
    expect(row.lastMessage).not.toMatch(/0912|345/);
    // Every status, or some; bad input is refused.
    const all = (await asMinh.get('/conversations')).body.conversations;
    expect(all.map((r: any) => r.id)).toEqual(expect.arrayContaining([conversation.id, ticket.conversationId]));
    expect((await asMinh.get('/conversations?status=queued,assigned')).body.conversations.map((r: any) => r.id)).toContain(ticket.conversationId);
    expect((await asMinh.get('/conversations?status=bot&limit=1')).body.conversations).toHaveLength(1);
    for (const query of ['status=robot', 'status=bot&status=queued', 'limit=0', 'limit=abc', 'limit=201']) {
      const refused = await asMinh.get(`/conversations?${query}`);
      expect(refused.status, query).toBe(400);
      expect(refused.body.error.message, query).toMatch(/không hợp lệ|Tối đa 200/);
    }
    // Looking at the list is in the audit log, once for a burst of refreshes.
    expect((await store.audit.list({ action: 'conversations.listed' })).map((e) => e.actor)).toEqual([(await store.staff.getByUsername('minh'))!.id]);

    // Handed to a counsellor from the list: it leaves the bot's list for the queue.
    const flagged = await asMinh.post(`/conversations/${conversation.id}/flag`, { note: 'Hỏi nhiều lần, nên gọi lại.' });
    expect(flagged.body.ticket).toMatchObject({ reason: 'staff-flagged', status: 'waiting', conversationId: conversation.id });
    expect((await asMinh.get('/conversations?status=bot')).body.conversations.map((r: any) => r.id)).not.toContain(conversation.id);
    expect((await asLan.get('/queue')).body.tickets.map((t: any) => t.id)).toContain(flagged.body.ticket.id);
  });

  it('shows the citizen’s other tickets: status, outcome, dates, who handled them and the rating', async () => {
    const citizen = await WebCitizen.open(running.url);
    citizens.push(citizen);
    await citizen.say('trợ cấp người cao tuổi bao nhiêu');
    const conversation = await waitFor(() => store.conversations.findByAddress({ channel: 'webchat', chatId: citizen.conversationId, userId: citizen.userId }), 'conversation');
    const key = citizenKeyOf(conversation);
    const day = 86_400_000;
    const base = { conversationId: conversation.id, citizenKey: key, channel: conversation.channel, priority: HANDOFF_PRIORITY.normal, messageId: null, team: 'chung', provinceCode: null, communeCode: null, caseId: null } as const;
    // Earlier contacts, days ago: one the citizen left before anyone came, one Lan handled and the citizen rated.
    const left = (await store.tickets.open({ ...base, reason: 'no-answer', riskCategory: null, createdAt: new Date(Date.now() - 10 * day) })).ticket;
    await store.tickets.close(left.id, { by: 'system', outcome: 'abandoned', note: null, status: 'abandoned' }, new Date(Date.now() - 7 * day));
    const helped = (await store.tickets.open({ ...base, reason: 'citizen-asked', riskCategory: null, createdAt: new Date(Date.now() - 5 * day) })).ticket;
    await store.tickets.claim(helped.id, lan.id, new Date(Date.now() - 5 * day + 60_000));
    const closedAt = new Date(Date.now() - 5 * day + 600_000);
    await store.tickets.close(helped.id, { by: lan.id, outcome: 'referred', note: 'Chuyển UBND phường' }, closedAt);
    await store.tickets.rate(helped.id, 2, closedAt);
    // Another citizen's ticket is not in this one's history.
    await citizenAsking();
    expect(await citizen.say('cho tôi gặp tư vấn viên')).toMatch(/tư vấn viên/);
    const current = await waitFor(() => store.tickets.findOpenByConversation(conversation.id), 'the new ticket');

    const detail = (await asHoa.get(`/tickets/${current.id}`)).body;
    expect(detail.history.map((t: any) => t.id)).toEqual([helped.id, left.id]);
    expect(detail.history[0]).toEqual({
      id: helped.id,
      status: 'closed',
      reason: 'citizen-asked',
      riskCategory: null,
      team: 'chung',
      channel: 'webchat',
      conversationId: conversation.id,
      caseId: null,
      createdAt: helped.createdAt.toISOString(),
      closedAt: closedAt.toISOString(),
      outcome: 'referred',
      outcomeLabel: 'Đã chuyển cơ quan, dịch vụ khác',
      handledById: lan.id,
      handledByName: 'Chị Lan',
      satisfaction: 2,
    });
    expect(detail.history[1]).toMatchObject({ status: 'abandoned', outcome: 'abandoned', outcomeLabel: 'Người dân rời đi trước khi có người nhận', handledByName: null, satisfaction: null });
    // Read by conversation, the open ticket is the one shown; read from an earlier ticket, the others are its history.
    expect((await asMinh.get(`/conversations/${conversation.id}`)).body.history.map((t: any) => t.id)).toEqual([helped.id, left.id]);
    expect((await asHoa.get(`/tickets/${helped.id}`)).body.history.map((t: any) => t.id)).toEqual([current.id, left.id]);
  });

  it('puts urgent tickets first in the queue and streams changes live', async () => {
    const events: string[] = [];
    const controller = new AbortController();
    const stream = await fetch(`${running.url}/console/api/events`, { headers: { cookie: (asLan as any).cookie }, signal: controller.signal });
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = stream.body!.getReader();
    void (async () => {
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        events.push(decoder.decode(value));
      }
    })();
    const { ticket } = await citizenAsking('con tôi bị sốt co giật, môi tím tái, không thở được');
    expect(ticket.priority).toBe(0);
    await waitFor(() => events.some((e) => e.includes(ticket.id)), 'a live event for the new ticket');
    controller.abort();
    const queue = (await asLan.get('/queue')).body.tickets;
    const firstNonUrgent = queue.findIndex((t: any) => !t.urgent);
    expect(queue.slice(firstNonUrgent).some((t: any) => t.urgent)).toBe(false);
    expect(queue[0].urgent).toBe(true);
  });

  it('lets a waiting citizen leave a call-back number instead, kept only in a case the counsellor sees', async () => {
    const { citizen, ticket } = await citizenAsking();
    const offer = citizen.botTexts.find((t) => /để lại số để cán bộ gọi lại/.test(t));
    expect(offer).toBeTruthy();
    expect(await citizen.say('Để lại số gọi lại')).toMatch(/Bạn đồng ý không/);
    expect(await citizen.say('Đồng ý')).toMatch(/số điện thoại/);
    expect(await citizen.say('0912 345 678')).toMatch(/gọi lại số 0912 345 678/);
    const updated = await store.tickets.get(ticket.id);
    expect(updated?.caseId).toBeTruthy();
    const kept = await store.cases.get(updated!.caseId!);
    expect(kept).toMatchObject({ phone: '+84912345678' });
    const consents = await store.consents.listByCitizen(kept!.citizenKey!);
    expect(consents.find((c) => c.purpose === 'callback')).toMatchObject({ decision: 'granted' });
    expect(kept!.consentIds).toEqual([consents.find((c) => c.purpose === 'callback')!.id]);
    // The citizen's message that held the number is not kept (the bot's read-back is, under the consent, like the intake's summary).
    const messages = await store.messages.listByConversation(ticket.conversationId);
    expect(messages.filter((m) => m.direction === 'in').some((m) => m.text.includes('0912') || JSON.stringify(m.activity).includes('0912'))).toBe(false);
    const detail = (await asLan.get(`/tickets/${ticket.id}`)).body;
    expect(detail.cases[0]).toMatchObject({ phone: '+84912345678' });
    expect(detail.consents.map((c: any) => c.purpose)).toContain('callback');
  });

  it('sets presence, and reports the numbers to supervisors and Prometheus', async () => {
    expect((await asLan.post('/presence', { presence: 'away' })).body.staff.presence).toBe('away');
    expect((await asLan.post('/presence', { presence: 'busy' })).status).toBe(400);
    expect((await asLan.get('/stats')).status).toBe(403);
    const stats = (await asMinh.get('/stats')).body;
    expect(stats.all.createdToday).toBeGreaterThan(0);
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toMatch(/ctxh_tickets_waiting\{dimension="all",value="all"\} \d+/);
    expect(metrics).toMatch(/ctxh_urgent_tickets_today \d+/);
  });
});
