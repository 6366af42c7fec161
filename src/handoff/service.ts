/**
 * The handoff side the bot's effects and the timers use: open a ticket (with its team,
 * the on-call alert and the console's live event), reopen one, record a rating, and say
 * where the citizen stands in the queue. One instance per process, built by the server
 * wiring from configuration; the console's actions live in src/handoff/desk.ts.
 *
 * @example
 * const handoff = new Handoff({ store, events, now, teamFor, officeHours });
 * const ticket = await handoff.open({ conversation, priority: HANDOFF_PRIORITY.normal, reason: 'citizen-asked', riskCategory: null, messageId, now });
 */
import type { Reply } from '../flows/replies.js';
import type { RiskCategory, Store, Ticket } from '../store/types.js';
import type { HandoffEvents } from './events.js';
import { openTicket, type OpenTicketInput, type TicketOpener } from './open-ticket.js';

export interface HandoffDeps {
  store: Pick<Store, 'tickets' | 'conversations' | 'audit'>;
  events: HandoffEvents;
  now: () => Date;
  teamFor: (about: { riskCategory: RiskCategory | null; group: string | null }) => string;
  /** Called once a ticket became urgent: the on-call alert (src/handoff/on-call.ts). */
  onUrgent?: (ticket: Ticket) => void;
  /** What the citizen hears after a new (non-urgent) ticket: place in the queue, office hours. Null: nothing more. */
  queueStatus?: (ticket: Ticket) => Promise<Reply | null>;
}

export class Handoff {
  private readonly opener: TicketOpener;

  constructor(private readonly deps: HandoffDeps) {
    this.opener = { store: deps.store, teamFor: deps.teamFor, events: deps.events, onUrgent: deps.onUrgent };
  }

  /** Opens or raises the citizen's ticket (see openTicket). */
  open(input: OpenTicketInput): Promise<Ticket> {
    return openTicket(this.opener, input);
  }

  /** Where a waiting ticket stands, for the citizen; null when there is nothing to add. */
  async queueStatus(ticket: Ticket): Promise<Reply | null> {
    if (ticket.status !== 'waiting' || !this.deps.queueStatus) return null;
    return this.deps.queueStatus(ticket);
  }

  /** The citizen wrote again soon after the close: the ticket waits again, offered first to who held it. */
  async reopen(ticketId: string, actor = 'bot'): Promise<Ticket | null> {
    const { store, now, events } = this.deps;
    const ticket = await store.tickets.reopen(ticketId, now());
    if (!ticket) return null;
    await store.conversations.setStatus(ticket.conversationId, 'queued', now());
    await store.audit.append({ at: now(), actor, action: 'ticket.reopened', subject: ticket.conversationId, detail: { ticketId } });
    events.publish({ type: 'ticket', ticketId, conversationId: ticket.conversationId, change: 'reopened', urgent: ticket.priority === 0 });
    return ticket;
  }

  /** The citizen's one-tap rating after the close; the first one counts. */
  async rate(ticketId: string, score: number): Promise<boolean> {
    const { store, now } = this.deps;
    const rated = await store.tickets.rate(ticketId, score, now());
    const ticket = rated ? await store.tickets.get(ticketId) : null;
    if (ticket) await store.audit.append({ at: now(), actor: 'bot', action: 'ticket.rated', subject: ticket.conversationId, detail: { ticketId, score } });
    return rated;
  }
}
