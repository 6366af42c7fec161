/**
 * The counsellors' desk over the console API (real server, real SQLite file, Direct Line
 * citizens): one winner per claim, transfer, hold and resume, close with a goodbye and a
 * one-tap rating, reopening when the citizen writes again, flags, notes, presence, CSRF,
 * the live feed and the numbers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startAssistant } from './support/assistant.js';
import { addStaff, ConsoleClient } from './support/console-client.js';
import { waitFor } from './support/http.js';
import { WebCitizen } from './support/urgent-scenarios.js';

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
