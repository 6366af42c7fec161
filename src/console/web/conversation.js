// One ticket's conversation view (#/ticket/<id>): GET /console/api/tickets/:id, refetched
// when a live event concerns its conversation or ticket, and on reconnect. Transcript and
// reply on one side; ticket, risk, cases, consents, the citizen's other tickets and actions
// on the other. The same view reads a conversation by id (#/conversation/<id>, GET
// /console/api/conversations/:id): read-only, for supervisors looking at one the bot is
// handling, with "Chuyển cho tư vấn viên" when no ticket is open.
import { useEffect, useRef, useState } from 'preact/hooks';
import { consoleApi } from './api.js';
import { FlagForm } from './bot-conversations.js';
import { Cases, Consents, RiskFlag, TicketHistory } from './citizen-info.js';
import { html } from './html.js';
import { CHANNEL_LABELS, CONVERSATION_STATUS_LABELS, REASON_LABELS, STATUS_LABELS, formatWait, label, vnDateTime, undeliverableLabel } from './labels.js';
import { useCoalesced, useLiveEvent } from './live.js';
import { beep } from './notify.js';
import { TicketFlags, useNow } from './queue.js';
import { NoteBox, ReplyBox, TicketActions } from './ticket-actions.js';
import { Transcript } from './transcript.js';

function TicketSummary({ ticket, teams, fetchedAt }) {
  const now = useNow(1000);
  const team = teams.find((t) => t.id === ticket.team);
  return html`
    <div class=${`summary ${ticket.urgent ? 'summary--urgent' : ''}`}>
      <${TicketFlags} ticket=${ticket} />
      <dl class="fields">
        <div class="field"><dt>Trạng thái</dt><dd data-status=${ticket.status}>${label(STATUS_LABELS, ticket.status)}</dd></div>
        <div class="field"><dt>Lý do</dt><dd>${label(REASON_LABELS, ticket.reason)}</dd></div>
        <div class="field"><dt>Kênh</dt><dd>${label(CHANNEL_LABELS, ticket.channel)}</dd></div>
        <div class="field"><dt>Nhóm</dt><dd>${team ? team.label : ticket.team}</dd></div>
        <div class="field"><dt>Người nhận</dt><dd>${ticket.assigneeName ?? 'Chưa có'}</dd></div>
        ${['waiting', 'assigned', 'on-hold'].includes(ticket.status) &&
        html`<div class="field">
          <dt>${ticket.status === 'waiting' ? 'Đã chờ' : 'Đã nhận'}</dt>
          <dd>${formatWait(ticket.waitingMs + Math.max(0, now - fetchedAt))}</dd>
        </div>`}
        <div class="field"><dt>Mở lúc</dt><dd>${vnDateTime(ticket.createdAt)}</dd></div>
      </dl>
    </div>
  `;
}

/** A conversation read by id, with no ticket of its own in view: its state, and a way to hand it to a person. */
function ConversationSummary({ detail, me, act, onFlagged }) {
  const c = detail.conversation;
  const supervisor = me.role === 'supervisor' || me.role === 'admin';
  return html`
    <div class="summary">
      <dl class="fields">
        <div class="field"><dt>Đang trả lời</dt><dd data-conversation-status=${c.status}>${label(CONVERSATION_STATUS_LABELS, c.status)}</dd></div>
        <div class="field"><dt>Kênh</dt><dd>${label(CHANNEL_LABELS, c.channel)}</dd></div>
        <div class="field"><dt>Bắt đầu</dt><dd>${vnDateTime(c.createdAt)}</dd></div>
        ${c.lastInboundAt && html`<div class="field"><dt>Tin cuối</dt><dd>${vnDateTime(c.lastInboundAt)}</dd></div>`}
      </dl>
      ${detail.ticket
        ? html`<p><a class="btn" href=${`#/ticket/${encodeURIComponent(detail.ticket.id)}`}>Mở phiếu (${label(STATUS_LABELS, detail.ticket.status)})</a></p>`
        : supervisor && html`<details class="panel">
            <summary>Chuyển cho tư vấn viên</summary>
            <${FlagForm} conversationId=${c.id} act=${act} onFlagged=${onFlagged} />
          </details>`}
    </div>
  `;
}

export function ConversationView({ ticketId, conversationId, me, queue, live, act, onError, onClaim, onTakeOver, onClosed, onFlagged }) {
  const [state, setState] = useState({ detail: null, fetchedAt: 0, missing: false });
  const [danger, setDanger] = useState(false);
  // By conversation: a read-only view (no reply, no note).
  const readOnly = !ticketId;
  const target = ticketId ?? conversationId;

  const current = useRef(target);
  current.current = target;

  const load = async () => {
    const id = target;
    try {
      const detail = ticketId ? await consoleApi.ticket(id) : await consoleApi.conversation(id);
      if (current.current !== id) return; // the page moved on to another ticket meanwhile
      setState({ detail, fetchedAt: Date.now(), missing: false });
    } catch (err) {
      if (current.current !== id) return;
      if (err.status === 404) setState({ detail: null, fetchedAt: 0, missing: true });
      else if (err.status !== 401) onError(err.message);
    }
  };
  const reload = useCoalesced(load, 150);

  useEffect(() => {
    setState({ detail: null, fetchedAt: 0, missing: false });
    setDanger(false);
    void load();
  }, [target]);

  useLiveEvent(live, (e) => {
    const detail = state.detail;
    const shownConversation = detail?.conversation.id;
    const aboutTicket = Boolean(ticketId) && e.ticketId === ticketId;
    const aboutConversation = Boolean(shownConversation) && e.conversationId === shownConversation;
    if (e.type === 'reconnect' || e.type === 'queue') return reload();
    if (e.type === 'alert' && (aboutTicket || aboutConversation)) {
      setDanger(true);
      beep();
      return reload();
    }
    if (aboutTicket || aboutConversation) reload();
  });

  if (state.missing) {
    return html`<p class="empty">${readOnly ? 'Không tìm thấy cuộc trò chuyện này.' : 'Không tìm thấy phiếu này.'} <a href="#/">Về hàng chờ</a></p>`;
  }
  if (!state.detail) return html`<p class="loading" role="status">Đang tải cuộc trò chuyện…</p>`;

  const { detail } = state;
  const ticket = readOnly ? null : detail.ticket;
  const teams = queue?.teams ?? [];
  const mine = ticket && ticket.assigneeId === me.id && (ticket.status === 'assigned' || ticket.status === 'on-hold');

  return html`
    <div class="conversation" data-ticket-id=${ticket?.id ?? ''} data-conversation-id=${detail.conversation.id} data-read-only=${readOnly ? 'true' : 'false'}>
      <div class="conversation__main">
        <p class="back"><a href="#/">← Hàng chờ</a></p>
        ${danger &&
        html`<p class="danger-banner" role="alert">
          Người dân vừa viết điều có dấu hiệu nguy hiểm. Đọc tin nhắn mới nhất và hỏi về sự an toàn ngay.
        </p>`}
        ${detail.conversation.undeliverable &&
        html`<p class="undeliverable-banner" role="alert">${undeliverableLabel(detail.conversation.undeliverable)}</p>`}
        <${Transcript} lines=${detail.transcript} currentConversationId=${detail.conversation.id} />
        ${readOnly
          ? html`<p class="hint">Chỉ xem: muốn trả lời người dân thì chuyển cuộc trò chuyện cho tư vấn viên.</p>`
          : html`
              ${mine
                ? html`<${ReplyBox} ticket=${ticket} act=${act} onSent=${reload} />`
                : ticket && ticket.status === 'waiting'
                  ? html`<p class="hint">Nhận phiếu để trả lời người dân.</p>`
                  : null}
              <${NoteBox} conversationId=${detail.conversation.id} ticketId=${ticket?.id ?? null} act=${act} onSaved=${reload} />
            `}
      </div>
      <aside class="conversation__side" aria-label=${readOnly ? 'Thông tin cuộc trò chuyện' : 'Thông tin phiếu'}>
        ${readOnly &&
        html`<section>
          <h2>Cuộc trò chuyện</h2>
          <${ConversationSummary} detail=${detail} me=${me} act=${act} onFlagged=${(t) => (onFlagged ? onFlagged(t) : reload())} />
        </section>`}
        ${ticket && html`<section><h2>Phiếu</h2><${TicketSummary} ticket=${ticket} teams=${teams} fetchedAt=${state.fetchedAt} /></section>`}
        ${ticket &&
        html`<section>
          <h2>Thao tác</h2>
          <${TicketActions}
            ticket=${ticket}
            me=${me}
            queue=${queue}
            act=${act}
            onChanged=${reload}
            onClaim=${onClaim}
            onTakeOver=${onTakeOver}
            onClosed=${onClosed}
          />
        </section>`}
        <section><h2>Dấu hiệu nguy hiểm</h2><${RiskFlag} risk=${detail.conversation.risk} /></section>
        <section><h2>Phiếu tiếp nhận</h2><${Cases} cases=${detail.cases} /></section>
        <section><h2>Đồng ý của người dân</h2><${Consents} consents=${detail.consents} /></section>
        <section><h2>Các phiếu khác của người này</h2><${TicketHistory} history=${detail.history} /></section>
      </aside>
    </div>
  `;
}
