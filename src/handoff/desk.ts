/**
 * What counsellors and supervisors do with tickets: claim, reply, transfer, hold,
 * resume, close, take over, note, flag. Each action is one conditional write in the
 * store (so of two people clicking at once exactly one wins, on any number of
 * instances), then the conversation's status, the audit event, what the citizen is told,
 * and the console's live event. A refusal changes nothing and says why in Vietnamese.
 *
 * @example
 * const desk = new Desk({ store, events, sendToCitizen, now, centreName, teams });
 * const r = await desk.claim(ticketId, lan);   // { ok: true, ticket } | { ok: false, code: 'taken', message: 'Phiếu này đã có Hoa nhận.' }
 */
import type { Reply } from '../flows/replies.js';
import type { Conversation, Staff, Store, Ticket, TransferTarget } from '../store/types.js';
import { closedReply, counsellorJoinedReply, transferredToColleagueReply, transferredToTeamReply } from './citizen-replies.js';
import type { HandoffEvents } from './events.js';

export type DeskRefusal = 'not-found' | 'taken' | 'not-yours' | 'closed' | 'bad-target' | 'not-waiting' | 'forbidden';
export type DeskResult = { ok: true; ticket: Ticket } | { ok: false; code: DeskRefusal; message: string };

/** Who wrote a message the citizen receives from a person. */
export interface Author {
  staffId: string;
  name: string;
}

export interface DeskDeps {
  store: Pick<Store, 'tickets' | 'conversations' | 'audit' | 'staff' | 'notes'>;
  events: HandoffEvents;
  /** Sends on the citizen's own channel, stored before it is sent (TurnRunner.sendProactive). */
  sendToCitizen: (conversation: Conversation, reply: Reply, author?: Author) => Promise<void>;
  now: () => Date;
  centreName: string;
  /** Configured teams: id → label. */
  teams: ReadonlyMap<string, string>;
}

/** Close outcome codes, with the label the console shows. */
export const CLOSE_OUTCOMES = {
  resolved: 'Đã giải quyết',
  'info-given': 'Đã cung cấp thông tin',
  referred: 'Đã chuyển cơ quan, dịch vụ khác',
  'follow-up': 'Cần theo dõi tiếp (đã lập kế hoạch)',
  'no-response': 'Người dân không phản hồi',
  'not-in-scope': 'Ngoài phạm vi hỗ trợ',
} as const;
export type CloseOutcome = keyof typeof CLOSE_OUTCOMES;

const isSupervisor = (s: Staff) => s.role === 'supervisor' || s.role === 'admin';

const refuse = (code: DeskRefusal, message: string): DeskResult => ({ ok: false, code, message });

export class Desk {
  constructor(private readonly deps: DeskDeps) {}

  /** Why an action on this ticket failed, read after the conditional write refused it. */
  private async whyRefused(ticketId: string, staff: Staff): Promise<DeskResult> {
    const t = await this.deps.store.tickets.get(ticketId);
    if (!t) return refuse('not-found', 'Không tìm thấy phiếu này.');
    if (t.status === 'closed' || t.status === 'abandoned') return refuse('closed', 'Phiếu này đã đóng.');
    if (t.assigneeId && t.assigneeId !== staff.id) {
      const holder = await this.deps.store.staff.get(t.assigneeId);
      return refuse('taken', `Phiếu này đã có ${holder?.displayName ?? 'người khác'} nhận.`);
    }
    if (t.status === 'waiting') return refuse('not-yours', 'Phiếu này đang chờ: bạn cần nhận phiếu trước.');
    return refuse('not-waiting', 'Phiếu này không ở trạng thái phù hợp cho việc này.');
  }

  private async audit(staff: Staff | 'system', action: string, ticket: Ticket, detail: Record<string, unknown> = {}) {
    await this.deps.store.audit.append({
      at: this.deps.now(),
      actor: staff === 'system' ? 'system' : staff.id,
      action,
      subject: ticket.conversationId,
      detail: { ticketId: ticket.id, ...detail },
    });
  }

  private changed(ticket: Ticket, change: string) {
    this.deps.events.publish({ type: 'ticket', ticketId: ticket.id, conversationId: ticket.conversationId, change, urgent: ticket.priority === 0 });
  }

  private async tell(ticket: Ticket, reply: Reply, author?: Author) {
    const conversation = await this.deps.store.conversations.get(ticket.conversationId);
    if (!conversation) return;
    await this.deps.sendToCitizen(conversation, reply, author);
    this.deps.events.publish({ type: 'message', conversationId: conversation.id });
  }

  /** A counsellor takes a waiting ticket; the citizen is told who is helping. */
  async claim(ticketId: string, staff: Staff): Promise<DeskResult> {
    const now = this.deps.now();
    const ticket = await this.deps.store.tickets.claim(ticketId, staff.id, now);
    if (!ticket) return this.whyRefused(ticketId, staff);
    await this.present(staff);
    await this.taken(ticket, staff, 'ticket.claimed');
    return { ok: true, ticket };
  }

  /**
   * Whoever takes a ticket by hand is at work: an away or offline holder would have it put
   * back in the queue by the queue keeper (presence.ts ticketsToReoffer) before answering,
   * after the citizen was told they had joined.
   */
  private async present(staff: Staff) {
    if (staff.presence === 'available') return;
    const at = this.deps.now();
    await this.deps.store.staff.setPresence(staff.id, 'available', at);
    await this.deps.store.audit.append({ at, actor: staff.id, action: 'staff.presence', subject: staff.id, detail: { presence: 'available', on: 'ticket-taken' } });
  }

  /** Routing gave a waiting ticket to a counsellor (auto-assignment): same as their claim, by the system. */
  async assign(ticketId: string, staff: Staff): Promise<Ticket | null> {
    const ticket = await this.deps.store.tickets.claim(ticketId, staff.id, this.deps.now(), { maxOpen: staff.maxOpen });
    if (ticket) await this.taken(ticket, staff, 'ticket.assigned', 'system');
    return ticket;
  }

  private async taken(ticket: Ticket, staff: Staff, action: string, actor: Staff | 'system' = staff) {
    await this.deps.store.conversations.setStatus(ticket.conversationId, 'assigned', this.deps.now());
    await this.audit(actor, action, ticket, { assigneeId: staff.id, waitedMs: ticket.assignedAt ? ticket.assignedAt.getTime() - ticket.createdAt.getTime() : null });
    this.changed(ticket, 'claimed');
    await this.tell(ticket, counsellorJoinedReply(staff.displayName, this.deps.centreName));
  }

  /** The holder writes to the citizen, on the citizen's own channel. */
  async reply(ticketId: string, staff: Staff, text: string): Promise<DeskResult> {
    const ticket = await this.deps.store.tickets.get(ticketId);
    if (!ticket) return refuse('not-found', 'Không tìm thấy phiếu này.');
    if (ticket.assigneeId !== staff.id || (ticket.status !== 'assigned' && ticket.status !== 'on-hold')) return this.whyRefused(ticketId, staff);
    await this.tell(ticket, { text, choices: [] }, { staffId: staff.id, name: staff.displayName });
    await this.deps.store.tickets.markFirstResponse(ticket.id, this.deps.now());
    // The audit says that a counsellor answered, never what they wrote.
    await this.audit(staff, 'ticket.replied', ticket, { length: text.length });
    return { ok: true, ticket };
  }

  /** To a colleague (assigned to them) or back to a team's queue. Supervisors may move anyone's ticket. */
  async transfer(ticketId: string, staff: Staff, to: TransferTarget): Promise<DeskResult> {
    let colleague: Staff | null = null;
    if ('counsellorId' in to) {
      colleague = await this.deps.store.staff.get(to.counsellorId);
      if (!colleague || colleague.disabled) return refuse('bad-target', 'Không tìm thấy đồng nghiệp này.');
    } else if (!this.deps.teams.has(to.team)) return refuse('bad-target', 'Không có nhóm này.');
    const ticket = await this.deps.store.tickets.transfer(ticketId, to, this.deps.now(), isSupervisor(staff) ? undefined : staff.id);
    if (!ticket) return this.whyRefused(ticketId, staff);
    await this.deps.store.conversations.setStatus(ticket.conversationId, colleague ? 'assigned' : 'queued', this.deps.now());
    await this.audit(staff, 'ticket.transferred', ticket, colleague ? { to: colleague.id } : { team: ticket.team });
    this.changed(ticket, 'transferred');
    await this.tell(ticket, colleague ? transferredToColleagueReply(colleague.displayName) : transferredToTeamReply(this.deps.teams.get(ticket.team) ?? ticket.team));
    return { ok: true, ticket };
  }

  /** A supervisor takes any open ticket for themself. */
  async takeOver(ticketId: string, supervisor: Staff): Promise<DeskResult> {
    if (!isSupervisor(supervisor)) return refuse('forbidden', 'Chỉ giám sát viên mới tiếp quản được.');
    const current = await this.deps.store.tickets.get(ticketId);
    if (!current) return refuse('not-found', 'Không tìm thấy phiếu này.');
    if (current.status === 'waiting') return this.claim(ticketId, supervisor);
    const ticket = await this.deps.store.tickets.transfer(ticketId, { counsellorId: supervisor.id }, this.deps.now());
    if (!ticket) return this.whyRefused(ticketId, supervisor);
    await this.present(supervisor);
    await this.audit(supervisor, 'ticket.taken-over', ticket, { from: current.assigneeId });
    this.changed(ticket, 'taken-over');
    await this.tell(ticket, counsellorJoinedReply(supervisor.displayName, this.deps.centreName));
    return { ok: true, ticket };
  }

  async hold(ticketId: string, staff: Staff): Promise<DeskResult> {
    const ticket = await this.deps.store.tickets.hold(ticketId, staff.id, this.deps.now());
    if (!ticket) return this.whyRefused(ticketId, staff);
    await this.audit(staff, 'ticket.held', ticket);
    this.changed(ticket, 'held');
    return { ok: true, ticket };
  }

  async resume(ticketId: string, staff: Staff): Promise<DeskResult> {
    const ticket = await this.deps.store.tickets.resume(ticketId, staff.id, this.deps.now());
    if (!ticket) return this.whyRefused(ticketId, staff);
    await this.audit(staff, 'ticket.resumed', ticket);
    this.changed(ticket, 'resumed');
    return { ok: true, ticket };
  }

  /** Closes with an outcome and a note; the bot takes the conversation back with a goodbye and a rating. */
  async close(ticketId: string, staff: Staff, outcome: CloseOutcome, note: string | null): Promise<DeskResult> {
    const now = this.deps.now();
    const ticket = await this.deps.store.tickets.close(ticketId, { by: staff.id, outcome, note, expectAssignee: isSupervisor(staff) ? undefined : staff.id }, now);
    if (!ticket) return this.whyRefused(ticketId, staff);
    await this.deps.store.conversations.setStatus(ticket.conversationId, 'bot', now);
    await this.audit(staff, 'ticket.closed', ticket, { outcome });
    this.changed(ticket, 'closed');
    await this.tell(ticket, closedReply(this.deps.centreName));
    return { ok: true, ticket };
  }

  /** An internal note: staff only, never sent to the citizen. */
  async note(conversationId: string, staff: Staff, text: string, ticketId: string | null) {
    const note = await this.deps.store.notes.add({ conversationId, ticketId, authorId: staff.id, text, createdAt: this.deps.now() });
    await this.deps.store.audit.append({ at: this.deps.now(), actor: staff.id, action: 'note.added', subject: conversationId, detail: { noteId: note.id } });
    this.deps.events.publish({ type: 'message', conversationId });
    return note;
  }

  /** Presence: a counsellor went away before answering; the ticket goes back to the queue for others. */
  async release(ticket: Ticket): Promise<Ticket | null> {
    if (!ticket.assigneeId) return null;
    const released = await this.deps.store.tickets.release(ticket.id, ticket.assigneeId, this.deps.now());
    if (!released) return null;
    await this.deps.store.conversations.setStatus(released.conversationId, 'queued', this.deps.now());
    await this.audit('system', 'ticket.released', released, { from: ticket.assigneeId });
    this.changed(released, 'released');
    return released;
  }
}
