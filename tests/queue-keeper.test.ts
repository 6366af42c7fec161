/**
 * The queue's timed work on a real assistant (SQLite, Direct Line citizens, a clock the
 * test moves): least-busy auto-assignment in priority-then-arrival order under each
 * counsellor's cap, idle counsellors set away with their unanswered chats offered to
 * others, and tickets left unclaimed escalated once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startAssistant } from './support/assistant.js';
import { addStaff, ConsoleClient } from './support/console-client.js';
import { waitFor } from './support/http.js';
import { WebCitizen } from './support/urgent-scenarios.js';

let clock = new Date('2026-12-01T02:00:00Z').getTime(); // Tuesday 09:00 in Vietnam
const now = () => new Date(clock);
const running = await startAssistant(
  { HANDOFF_ROUTING: 'least-busy', COUNSELLOR_IDLE_MINUTES: '10', ESCALATE_UNCLAIMED_MINUTES: '15', ESCALATE_URGENT_UNCLAIMED_MINUTES: '3' },
  { now },
);
const { store } = running.assistant;
const keeper = running.assistant.handoff.keeper;
const citizens: WebCitizen[] = [];
afterAll(async () => {
  for (const c of citizens) c.close();
  await running.close();
});

async function ask(text: string) {
  const citizen = await WebCitizen.open(running.url);
  citizens.push(citizen);
  await citizen.say(text);
  const conversation = await waitFor(() => store.conversations.findByAddress({ channel: 'webchat', chatId: citizen.conversationId, userId: citizen.userId }), 'conversation');
  const ticket = await waitFor(() => store.tickets.findOpenByConversation(conversation.id), 'ticket');
  clock += 1000;
  return { citizen, ticket };
}

describe('the queue keeper', () => {
  it('escalates unclaimed tickets once, hands waiting ones out most urgent first under caps, and re-offers an idle counsellor’s chats', async () => {
    const normal1 = await ask('cho tôi gặp tư vấn viên');
    const normal2 = await ask('cho tôi gặp tư vấn viên');
    const urgent = await ask('mẹ tôi ngã cầu thang, bất tỉnh, chảy nhiều máu ở đầu');
    expect(urgent.ticket.priority).toBe(0);

    // Nobody is on duty: nothing is assigned; after 3 minutes the urgent one is escalated, once.
    await keeper.tick();
    clock += 3 * 60_000;
    await keeper.tick();
    await keeper.tick();
    expect((await store.audit.list({ action: 'ticket.escalated' })).map((e) => e.detail?.ticketId)).toEqual([urgent.ticket.id]);

    // Two counsellors come: Lan may hold 1 chat, Hoa 2. Most urgent, then oldest, first.
    const lan = await addStaff(store, { username: 'lan', displayName: 'Chị Lan', maxOpen: 1 }, now());
    const hoa = await addStaff(store, { username: 'hoa', displayName: 'Chị Hoa', maxOpen: 2 }, now());
    await keeper.tick();
    const after = await Promise.all([urgent, normal1, normal2].map((x) => store.tickets.get(x.ticket.id)));
    expect(after.map((t) => t?.status)).toEqual(['assigned', 'assigned', 'assigned']);
    const holders = after.map((t) => t?.assigneeId);
    expect(holders.filter((h) => h === lan.id)).toHaveLength(1);
    expect(holders.filter((h) => h === hoa.id)).toHaveLength(2);
    await waitFor(() => urgent.citizen.botTexts.find((t) => /mình là Chị (Lan|Hoa)/.test(t)), 'the urgent citizen told who helps');

    // Hoa answers one of hers, then goes quiet for 10 minutes: she is set away and the unanswered one goes back to the queue.
    const hoasTickets = after.filter((t) => t?.assigneeId === hoa.id).map((t) => t!);
    await store.tickets.markFirstResponse(hoasTickets[0]!.id, now());
    await store.staff.touchActive(lan.id, new Date(clock + 10 * 60_000));
    clock += 10 * 60_000 + 1000;
    await keeper.tick();
    expect((await store.staff.get(hoa.id))?.presence).toBe('away');
    expect((await store.tickets.get(hoasTickets[0]!.id))?.assigneeId).toBe(hoa.id);
    const reoffered = await store.tickets.get(hoasTickets[1]!.id);
    // Back in the queue; Lan is at her cap, so it waits for someone to come.
    expect(reoffered).toMatchObject({ status: 'waiting', assigneeId: null });
    expect((await store.audit.list({ action: 'ticket.released' })).map((e) => e.detail?.ticketId)).toEqual([hoasTickets[1]!.id]);

    // Nobody takes it and the citizen says nothing for three days: closed as abandoned, the bot has the conversation again.
    clock += 72 * 3_600_000;
    await keeper.tick();
    expect(await store.tickets.get(hoasTickets[1]!.id)).toMatchObject({ status: 'abandoned', outcome: 'abandoned', closedBy: 'system' });
    expect((await store.conversations.get(hoasTickets[1]!.conversationId))?.status).toBe('bot');
  });
});

describe('a counsellor becoming available', () => {
  it('is handed the waiting tickets at once, most urgent first, without waiting for the timer', async () => {
    const fresh = await startAssistant({ HANDOFF_ROUTING: 'least-busy', CONSOLE_SECURE_COOKIES: 'false' });
    const citizens: WebCitizen[] = [];
    try {
      const st = fresh.assistant.store;
      const mai = await addStaff(st, { username: 'mai', displayName: 'Chị Mai', maxOpen: 1, available: false });
      for (const text of ['cho tôi gặp tư vấn viên', 'bố tôi đột quỵ, méo miệng, nói không được']) {
        const c = await WebCitizen.open(fresh.url);
        citizens.push(c);
        await c.say(text);
      }
      const urgent = await waitFor(async () => (await st.tickets.list()).find((t) => t.priority === 0), 'the urgent ticket');
      const asMai = await ConsoleClient.login(fresh.url, 'mai');
      expect((await asMai.post('/presence', { presence: 'available' })).status).toBe(200);
      const taken = await waitFor(async () => (await st.tickets.get(urgent.id))?.assigneeId === mai.id, 'the urgent ticket given to Mai', 3000);
      expect(taken).toBe(true);
      expect((await st.tickets.list({ statuses: ['waiting'] })).map((t) => t.priority)).toEqual([2]);
    } finally {
      for (const c of citizens) c.close();
      await fresh.close();
    }
  });
});
