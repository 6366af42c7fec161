/**
 * The queue's timed work, one pass per tick: hand waiting tickets out (auto-assigning
 * routing methods), set idle counsellors away and put their unanswered chats back in the
 * queue, escalate tickets left unclaimed too long, and tell waiting citizens when their
 * place or wait changed meaningfully. Each rule is a pure function (routing/, presence.ts,
 * wait-estimate.ts); this file only reads the store, asks them, and acts.
 *
 * Several instances may run it: a lease in the store lets one pass run at a time, and
 * every change is a conditional write anyway.
 *
 * @example
 * const keeper = new QueueKeeper({ store, desk, routing, ... });
 * await keeper.tick(); // also run on a timer by the server and after a ticket event
 */
import { CHOICE_CALLBACK } from '../flows/callback.js';
import type { Reply } from '../flows/replies.js';
import { HANDOFF_PRIORITY, type Conversation, type Staff, type Store, type Ticket } from '../store/types.js';
import type { Desk } from './desk.js';
import type { HandoffEvents } from './events.js';
import { dueForAway, ticketsToReoffer } from './presence.js';
import { planAssignments } from './routing/plan.js';
import { toCounsellorView, type RoutingMethod } from './routing/method.js';
import { estimateWait, queueMessage, queuePosition, worthTelling, type QueueStatus } from './wait-estimate.js';
import { isOpen, whenWeAnswer, type OfficeHours } from './office-hours.js';

export interface QueueKeeperDeps {
  store: Pick<Store, 'tickets' | 'staff' | 'conversations' | 'audit' | 'leases'>;
  desk: Desk;
  events: HandoffEvents;
  routing: RoutingMethod;
  officeHours: OfficeHours;
  now: () => Date;
  /** COUNSELLOR_IDLE_MINUTES in ms. */
  idleMs: number;
  /** A non-urgent ticket whose citizen has written nothing for this long is closed as abandoned. */
  abandonAfterMs: number;
  /** Unclaimed longer than this, supervisors are told (urgent and other tickets). */
  escalateAfterMs: { urgent: number; normal: number };
  /** Sends the bot's message on the citizen's channel (stored first). */
  sendToCitizen: (conversation: Conversation, reply: Reply) => Promise<void>;
  /** The on-call alert again, for an urgent ticket nobody has claimed. */
  onUnclaimedUrgent?: (ticket: Ticket, waitedMinutes: number) => void;
  /** Unique per process: the lease holder. */
  holder: string;
}

/** Recent waits of a team, for estimates: the tickets assigned in the last day. */
const WAIT_WINDOW_MS = 24 * 3_600_000;

export class QueueKeeper {
  /** What each waiting citizen was last told (this instance's memory; a restart tells again at most once). */
  private readonly told = new Map<string, QueueStatus>();

  constructor(private readonly deps: QueueKeeperDeps) {}

  async tick(): Promise<void> {
    const { store, now, holder } = this.deps;
    const at = now();
    if (!(await store.leases.acquire('queue-keeper', holder, at, new Date(at.getTime() + 30_000)))) return;
    try {
      await this.awaySweep();
      await this.abandon();
      await this.route();
      await this.escalate();
      await this.tellWaiting();
    } finally {
      await store.leases.release('queue-keeper', holder);
    }
  }

  /** Idle counsellors are set away; chats they have not answered go back to the queue. */
  private async awaySweep(): Promise<void> {
    const { store, now, idleMs } = this.deps;
    const staff = await store.staff.list();
    for (const id of dueForAway(staff, now(), idleMs)) {
      await store.staff.setPresence(id, 'away', now());
      await store.audit.append({ at: now(), actor: 'system', action: 'staff.set-away', subject: id, detail: { idleMinutes: idleMs / 60_000 } });
    }
    const gone = new Set((await store.staff.list()).filter((s) => s.presence !== 'available' || s.disabled).map((s) => s.id));
    const open = await store.tickets.list({ statuses: ['assigned'] });
    for (const ticket of ticketsToReoffer(open, gone)) await this.deps.desk.release(ticket);
  }

  /**
   * Waiting tickets whose citizen has been silent past abandonAfterMs are closed as
   * abandoned (they left); an urgent one never is: it stays at the head of the queue.
   */
  private async abandon(): Promise<void> {
    const { store, now, abandonAfterMs, events } = this.deps;
    const at = now();
    for (const ticket of await store.tickets.list({ statuses: ['waiting'], limit: 500 })) {
      if (ticket.priority === HANDOFF_PRIORITY.urgent) continue;
      const conversation = await store.conversations.get(ticket.conversationId);
      const lastHeard = Math.max(conversation?.lastInboundAt?.getTime() ?? 0, (ticket.reopenedAt ?? ticket.createdAt).getTime());
      if (at.getTime() - lastHeard < abandonAfterMs) continue;
      const closed = await store.tickets.close(ticket.id, { by: 'system', outcome: 'abandoned', note: null, status: 'abandoned' }, at);
      if (!closed) continue;
      if (conversation?.status === 'queued') await store.conversations.setStatus(conversation.id, 'bot', at);
      await store.audit.append({ at, actor: 'system', action: 'ticket.abandoned', subject: ticket.conversationId, detail: { ticketId: ticket.id } });
      events.publish({ type: 'ticket', ticketId: ticket.id, conversationId: ticket.conversationId, change: 'abandoned', urgent: false });
    }
  }

  /** Auto-assigning methods hand out waiting tickets, most urgent then oldest first. */
  private async route(): Promise<void> {
    const { store, routing } = this.deps;
    if (!routing.autoAssigns) return;
    const waiting = await store.tickets.list({ statuses: ['waiting'], limit: 500 });
    if (waiting.length === 0) return;
    const staff = await store.staff.list();
    const counts = await store.tickets.countOpenByAssignee();
    const held = await store.tickets.list({ statuses: ['assigned', 'on-hold'], limit: 1000 });
    const lastAssigned = new Map<string, Date>();
    for (const t of held) {
      if (t.assigneeId && t.assignedAt && (lastAssigned.get(t.assigneeId)?.getTime() ?? 0) < t.assignedAt.getTime()) lastAssigned.set(t.assigneeId, t.assignedAt);
    }
    const views = staff.map((s) => toCounsellorView(s, counts.get(s.id) ?? 0, lastAssigned.get(s.id) ?? null));
    const byId = new Map<string, Staff>(staff.map((s) => [s.id, s]));
    for (const { ticketId, counsellorId } of planAssignments(waiting, views, routing)) {
      const who = byId.get(counsellorId);
      if (who) await this.deps.desk.assign(ticketId, who);
    }
  }

  /** Waiting too long: supervisors are told once (live event, audit); urgent ones alert on-call again. */
  private async escalate(): Promise<void> {
    const { store, now, escalateAfterMs, events } = this.deps;
    const at = now();
    for (const ticket of await store.tickets.list({ statuses: ['waiting'], limit: 500 })) {
      if (ticket.escalatedAt) continue;
      const urgent = ticket.priority === HANDOFF_PRIORITY.urgent;
      const waited = at.getTime() - ticket.createdAt.getTime();
      if (waited < (urgent ? escalateAfterMs.urgent : escalateAfterMs.normal)) continue;
      if (!(await store.tickets.markEscalated(ticket.id, at))) continue;
      const minutes = Math.floor(waited / 60_000);
      await store.audit.append({ at, actor: 'system', action: 'ticket.escalated', subject: ticket.conversationId, detail: { ticketId: ticket.id, waitedMinutes: minutes, urgent } });
      events.publish({ type: 'escalated', ticketId: ticket.id, conversationId: ticket.conversationId, urgent });
      if (urgent) this.deps.onUnclaimedUrgent?.(ticket, minutes);
    }
  }

  /** Where a waiting ticket stands now: its place among the tickets competing for the same people, and a rough wait. */
  async statusOf(ticket: Ticket, waiting?: readonly Ticket[]): Promise<QueueStatus> {
    const { store, now } = this.deps;
    const competing = (waiting ?? (await store.tickets.list({ statuses: ['waiting'], limit: 500 }))).filter(
      (t) => !this.deps.routing.autoAssigns || t.team === ticket.team,
    );
    const position = queuePosition(ticket, competing);
    const recent = await store.tickets.listCreatedSince(new Date(now().getTime() - WAIT_WINDOW_MS), 1000);
    const recentWaitsMs = recent.filter((t) => t.team === ticket.team && t.assignedAt).map((t) => t.assignedAt!.getTime() - t.createdAt.getTime());
    const available = (await store.staff.list()).filter((s) => s.presence === 'available' && !s.disabled && s.teams.includes(ticket.team)).length;
    return { position, minutes: estimateWait({ position, recentWaitsMs, availableCounsellors: available }) };
  }

  /** What a citizen hears after a new ticket: outside office hours when the centre answers; inside, their place and wait. */
  async statusReply(ticket: Ticket): Promise<Reply> {
    const at = this.deps.now();
    if (!isOpen(this.deps.officeHours, at)) {
      return { text: `Hiện ngoài giờ làm việc. ${whenWeAnswer(this.deps.officeHours, at)} Bạn có thể để lại số để cán bộ gọi lại.`, choices: [CHOICE_CALLBACK] };
    }
    const status = await this.statusOf(ticket);
    this.told.set(ticket.id, status);
    return { text: `${queueMessage(status.position, status.minutes)} Nếu không tiện chờ, bạn có thể để lại số để cán bộ gọi lại.`, choices: [CHOICE_CALLBACK] };
  }

  /** Waiting citizens hear again when their place or wait changed meaningfully (inside office hours). */
  private async tellWaiting(): Promise<void> {
    const { store, now } = this.deps;
    if (!isOpen(this.deps.officeHours, now())) return;
    const waiting = await store.tickets.list({ statuses: ['waiting'], limit: 500 });
    const ids = new Set(waiting.map((t) => t.id));
    for (const id of this.told.keys()) if (!ids.has(id)) this.told.delete(id);
    for (const ticket of waiting) {
      const previous = this.told.get(ticket.id);
      if (!previous) continue; // never told here (another instance opened it, or urgent): nothing to update
      const next = await this.statusOf(ticket, waiting);
      if (!worthTelling(previous, next)) continue;
      this.told.set(ticket.id, next);
      const conversation = await store.conversations.get(ticket.conversationId);
      if (conversation) await this.deps.sendToCitizen(conversation, { text: queueMessage(next.position, next.minutes), choices: [] });
    }
  }
}
