// One ticket's conversation view (#/ticket/<id>): GET /console/api/tickets/:id, refetched
// when a live event concerns its conversation or ticket, and on reconnect. Transcript and
// reply on one side; ticket, risk, cases, consents and actions on the other.
import { useEffect, useRef, useState } from 'preact/hooks';
import { consoleApi } from './api.js';
import { Cases, Consents, RiskFlag } from './citizen-info.js';
import { html } from './html.js';
import { CHANNEL_LABELS, REASON_LABELS, STATUS_LABELS, formatWait, label, vnDateTime } from './labels.js';
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

export function ConversationView({ ticketId, me, queue, live, act, onError, onClaim, onTakeOver, onClosed }) {
  const [state, setState] = useState({ detail: null, fetchedAt: 0, missing: false });
  const [danger, setDanger] = useState(false);

  const current = useRef(ticketId);
  current.current = ticketId;

  const load = async () => {
    const id = ticketId;
    try {
      const detail = await consoleApi.ticket(id);
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
  }, [ticketId]);

  useLiveEvent(live, (e) => {
    const detail = state.detail;
    const conversationId = detail?.conversation.id;
    if (e.type === 'reconnect' || e.type === 'queue') return reload();
    if (e.type === 'alert' && (e.ticketId === ticketId || e.conversationId === conversationId)) {
      setDanger(true);
      beep();
      return reload();
    }
    if (e.ticketId === ticketId || (conversationId && e.conversationId === conversationId)) reload();
  });

  if (state.missing) return html`<p class="empty">Không tìm thấy phiếu này. <a href="#/">Về hàng chờ</a></p>`;
  if (!state.detail) return html`<p class="loading" role="status">Đang tải cuộc trò chuyện…</p>`;

  const { detail } = state;
  const ticket = detail.ticket;
  const teams = queue?.teams ?? [];
  const mine = ticket && ticket.assigneeId === me.id && (ticket.status === 'assigned' || ticket.status === 'on-hold');

  return html`
    <div class="conversation" data-ticket-id=${ticket?.id ?? ''}>
      <div class="conversation__main">
        <p class="back"><a href="#/">← Hàng chờ</a></p>
        ${danger &&
        html`<p class="danger-banner" role="alert">
          Người dân vừa viết điều có dấu hiệu nguy hiểm. Đọc tin nhắn mới nhất và hỏi về sự an toàn ngay.
        </p>`}
        <${Transcript} lines=${detail.transcript} currentConversationId=${detail.conversation.id} />
        ${mine
          ? html`<${ReplyBox} ticket=${ticket} act=${act} onSent=${reload} />`
          : ticket && ticket.status === 'waiting'
            ? html`<p class="hint">Nhận phiếu để trả lời người dân.</p>`
            : null}
        <${NoteBox} conversationId=${detail.conversation.id} ticketId=${ticket?.id ?? null} act=${act} onSaved=${reload} />
      </div>
      <aside class="conversation__side" aria-label="Thông tin phiếu">
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
      </aside>
    </div>
  `;
}
