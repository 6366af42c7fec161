/**
 * The one way a conversation reaches the counsellors: opens (or raises) the citizen's
 * ticket, puts a bot conversation in the queue, writes the audit event and tells the
 * console. Triage, the intake, "gặp tư vấn viên", the check-in timer and staff flagging a
 * conversation all come through here. A citizen never has two open tickets: the store
 * keeps one and raises its priority when a more urgent request comes.
 *
 * When a counsellor already holds the conversation, a risk sign alerts them
 * ("handoff.counsellor-alerted") and the conversation stays with them.
 *
 * @example
 * await openTicket(handoff, { conversation, priority: HANDOFF_PRIORITY.urgent, reason: 'risk', riskCategory: 'tu-hai', messageId, now })
 */
import { HANDOFF_PRIORITY, citizenKeyOf, type Conversation, type RiskCategory, type Store, type Ticket, type TicketReason } from '../store/types.js';
import type { HandoffEvents } from './events.js';

export interface OpenTicketInput {
  conversation: Conversation;
  priority: number;
  reason: TicketReason;
  riskCategory: RiskCategory | null;
  /** The stored inbound message that led to it; null when raised by a timer or by staff. */
  messageId: string | null;
  now: Date;
  /** Who asked: 'bot', 'system' (a scheduled job) or a staff id. */
  actor?: string;
  /** The intake's group (src/flows/intake/questions.ts GROUPS), to choose the team. */
  group?: string | null;
  caseId?: string | null;
  provinceCode?: string | null;
  communeCode?: string | null;
}

export interface TicketOpener {
  store: Pick<Store, 'tickets' | 'conversations' | 'audit'>;
  /** Which team serves a ticket (src/handoff/teams.ts teamFor over the configured teams). */
  teamFor: (about: { riskCategory: RiskCategory | null; group: string | null }) => string;
  events?: HandoffEvents;
  /** Called after a ticket became urgent (created urgent or raised to urgent): the on-call alert. */
  onUrgent?: (ticket: Ticket) => void;
}

export async function openTicket(opener: TicketOpener, input: OpenTicketInput): Promise<Ticket> {
  const { store, events } = opener;
  const { conversation, priority, reason, riskCategory, messageId, now } = input;
  const before = await store.tickets.findOpenByCitizen(citizenKeyOf(conversation));
  const { ticket, created } = await store.tickets.open({
    conversationId: conversation.id,
    citizenKey: citizenKeyOf(conversation),
    channel: conversation.channel,
    priority,
    reason,
    riskCategory,
    messageId,
    team: opener.teamFor({ riskCategory, group: input.group ?? null }),
    provinceCode: input.provinceCode ?? null,
    communeCode: input.communeCode ?? null,
    caseId: input.caseId ?? null,
    createdAt: now,
  });
  const held = ticket.status === 'assigned' || ticket.status === 'on-hold';
  if (!held && conversation.status !== 'queued') await store.conversations.setStatus(conversation.id, 'queued', now);
  const alerted = held && reason === 'risk';
  await store.audit.append({
    at: now,
    actor: input.actor ?? 'bot',
    action: alerted ? 'handoff.counsellor-alerted' : 'handoff.requested',
    subject: conversation.id,
    detail: { ticketId: ticket.id, priority: ticket.priority, reason, riskCategory, created, team: ticket.team },
  });
  const urgent = ticket.priority === HANDOFF_PRIORITY.urgent;
  const becameUrgent = urgent && (created || (before?.priority ?? Infinity) > HANDOFF_PRIORITY.urgent);
  events?.publish({ type: 'ticket', ticketId: ticket.id, conversationId: ticket.conversationId, change: created ? 'opened' : 'raised', urgent });
  if (alerted) events?.publish({ type: 'alert', ticketId: ticket.id, conversationId: ticket.conversationId, assigneeId: ticket.assigneeId });
  if (becameUrgent) opener.onUrgent?.(ticket);
  return ticket;
}
