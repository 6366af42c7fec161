// The live queue: GET /console/api/queue, refetched on every live event (coalesced) and
// on reconnect; a new urgent ticket beeps and notifies. The view lists three sections:
// waiting, mine (assigned or on hold to me), and others' (supervisors may take over).
import { useEffect, useRef, useState } from 'preact/hooks';
import { consoleApi } from './api.js';
import { html } from './html.js';
import { CHANNEL_LABELS, REASON_LABELS, RISK_LABELS, STATUS_LABELS, formatWait, label } from './labels.js';
import { useCoalesced, useLiveEvent } from './live.js';
import { beep, notify } from './notify.js';

const OPEN = ['waiting', 'assigned', 'on-hold'];
const time = (v) => new Date(v).getTime();

/** Most urgent first, then the oldest. */
export const queueOrder = (a, b) => a.priority - b.priority || time(a.createdAt) - time(b.createdAt);

/** The whole queue response, kept fresh; `reload()` asks for a refetch soon. */
export function useQueue(live, onError) {
  const [state, setState] = useState({ data: null, fetchedAt: 0, requestedAt: 0 });
  const knownUrgent = useRef(null);

  const load = async () => {
    let data;
    const requestedAt = Date.now();
    try {
      data = await consoleApi.queue();
    } catch (err) {
      if (err.status !== 401) onError(err.message);
      return;
    }
    const urgentOpen = data.tickets.filter((t) => t.urgent && OPEN.includes(t.status));
    if (knownUrgent.current) {
      const fresh = urgentOpen.filter((t) => t.status === 'waiting' && !knownUrgent.current.has(t.id));
      if (fresh.length > 0) announce(fresh[0], data.teams);
    }
    knownUrgent.current = new Set(urgentOpen.map((t) => t.id));
    setState({ data, fetchedAt: Date.now(), requestedAt });
  };

  const reload = useCoalesced(load, 150);
  useEffect(() => {
    void load();
  }, []);
  useLiveEvent(live, () => reload());
  return { ...state, reload };
}

function announce(ticket, teams) {
  beep();
  const team = teams.find((t) => t.id === ticket.team);
  notify(
    `Phiếu khẩn cấp: ${label(RISK_LABELS, ticket.riskCategory) || 'Cần hỗ trợ ngay'}`,
    `Kênh ${label(CHANNEL_LABELS, ticket.channel)}${team ? ` · Nhóm ${team.label}` : ''}. Bấm để mở.`,
    ticket.id,
  );
}

/** Re-renders its caller every `ms`. */
export function useNow(ms = 1000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

export function TicketFlags({ ticket }) {
  return html`
    <span class="flags">
      ${ticket.urgent &&
      html`<span class="badge badge--urgent">Khẩn cấp${ticket.riskCategory ? ` · ${label(RISK_LABELS, ticket.riskCategory)}` : ''}</span>`}
      ${!ticket.urgent && ticket.riskCategory && html`<span class="badge badge--risk">${label(RISK_LABELS, ticket.riskCategory)}</span>`}
      ${ticket.escalated && html`<span class="badge badge--escalated">Đã báo giám sát</span>`}
      ${ticket.status === 'on-hold' && html`<span class="badge badge--hold">Tạm giữ</span>`}
    </span>
  `;
}

function TicketRow({ ticket, now, fetchedAt, teams, section, canTakeOver, onClaim, onTakeOver, busy }) {
  const team = teams.find((t) => t.id === ticket.team);
  const waited = ticket.waitingMs + Math.max(0, now - fetchedAt);
  const classes = ['ticket', ticket.urgent ? 'ticket--urgent' : '', ticket.escalated ? 'ticket--escalated' : ''].join(' ').trim();
  return html`
    <li class=${classes} data-ticket-id=${ticket.id} data-urgent=${ticket.urgent ? 'true' : 'false'}>
      <div class="ticket__main">
        <${TicketFlags} ticket=${ticket} />
        <a class="ticket__reason" href=${`#/ticket/${encodeURIComponent(ticket.id)}`}>${label(REASON_LABELS, ticket.reason)}</a>
        <div class="ticket__meta">
          <span>Kênh: ${label(CHANNEL_LABELS, ticket.channel)}</span>
          <span>Nhóm: ${team ? team.label : ticket.team}</span>
          ${ticket.assigneeName && html`<span>Người nhận: ${ticket.assigneeName}</span>`}
          ${section !== 'waiting' && html`<span>${label(STATUS_LABELS, ticket.status)}</span>`}
        </div>
      </div>
      <div class="ticket__wait">
        <span class="ticket__wait-label">${ticket.status === 'waiting' ? 'Đã chờ' : 'Đã nhận'}</span>
        <time class="ticket__clock">${formatWait(waited)}</time>
      </div>
      <div class="ticket__actions">
        ${section === 'waiting' &&
        html`<button type="button" class="btn btn--primary" disabled=${busy} onClick=${() => onClaim(ticket)}>Nhận</button>`}
        ${section === 'others' && canTakeOver &&
        html`<button type="button" class="btn btn--warn" disabled=${busy} onClick=${() => onTakeOver(ticket)}>Tiếp quản</button>`}
        <a class="btn" href=${`#/ticket/${encodeURIComponent(ticket.id)}`}>Xem</a>
      </div>
    </li>
  `;
}

function Section({ id, title, empty, tickets, ...rest }) {
  return html`
    <section class="queue__section" data-section=${id} aria-labelledby=${`h-${id}`}>
      <h2 id=${`h-${id}`}>${title} <span class="count">${tickets.length}</span></h2>
      ${tickets.length === 0
        ? html`<p class="empty">${empty}</p>`
        : html`<ol class="tickets">${tickets.map((t) => html`<${TicketRow} key=${t.id} ticket=${t} section=${id} ...${rest} />`)}</ol>`}
    </section>
  `;
}

export function QueueView({ queue, me, onClaim, onTakeOver, busy }) {
  const now = useNow(1000);
  if (!queue.data) return html`<p class="loading" role="status">Đang tải hàng chờ…</p>`;
  const open = queue.data.tickets.filter((t) => OPEN.includes(t.status)).sort(queueOrder);
  const waiting = open.filter((t) => t.status === 'waiting');
  const mine = open.filter((t) => t.status !== 'waiting' && t.assigneeId === me.id);
  const others = open.filter((t) => t.status !== 'waiting' && t.assigneeId !== me.id);
  const shared = {
    now,
    fetchedAt: queue.fetchedAt,
    teams: queue.data.teams,
    canTakeOver: me.role === 'supervisor' || me.role === 'admin',
    onClaim,
    onTakeOver,
    busy,
  };
  return html`
    <div class="queue">
      <${Section} id="waiting" title="Đang chờ" empty="Không có ai đang chờ." tickets=${waiting} ...${shared} />
      <${Section} id="mine" title="Của tôi" empty="Bạn chưa nhận phiếu nào." tickets=${mine} ...${shared} />
      <${Section} id="others" title="Đang xử lý" empty="Không có phiếu nào do người khác xử lý." tickets=${others} ...${shared} />
    </div>
  `;
}
