// What is known about the citizen besides the messages: the conversation's risk flag,
// their intake cases (phiếu tiếp nhận), their consents and their other tickets.
import { html } from './html.js';
import {
  CASE_STATUS_LABELS,
  RATING_LABELS,
  REASON_LABELS,
  STATUS_LABELS,
  CONSENT_DECISION_LABELS,
  CONSENT_PURPOSE_LABELS,
  GROUP_LABELS,
  NEED_LABELS,
  RISK_LABELS,
  RISK_LEVEL_LABELS,
  WHO_LABELS,
  label,
  vnDateTime,
} from './labels.js';

export function RiskFlag({ risk }) {
  if (!risk) return html`<p class="risk risk--none">Không có dấu hiệu nguy hiểm được ghi nhận.</p>`;
  return html`
    <p class=${`risk risk--${risk.level}`} data-risk-level=${risk.level}>
      <strong>${label(RISK_LEVEL_LABELS, risk.level)}</strong>
      ${risk.category ? `: ${label(RISK_LABELS, risk.category)}` : ''}
      <span class="muted"> · từ ${vnDateTime(risk.at)}</span>
    </p>
  `;
}

const Field = ({ name, value }) =>
  value === null || value === undefined || value === ''
    ? null
    : html`<div class="field"><dt>${name}</dt><dd>${value}</dd></div>`;

function CaseCard({ c }) {
  const place = [c.communeCode && `xã/phường ${c.communeCode}`, c.provinceCode && `tỉnh ${c.provinceCode}`].filter(Boolean).join(', ');
  return html`
    <li class="case">
      <div class="case__head"><strong>${c.code}</strong> <span class="muted">${label(CASE_STATUS_LABELS, c.status)} · ${vnDateTime(c.createdAt)}</span></div>
      <dl class="fields">
        <${Field} name="Ai cần giúp" value=${label(WHO_LABELS, c.who)} />
        <${Field} name="Nhóm" value=${label(GROUP_LABELS, c.group)} />
        <${Field} name="Nhu cầu" value=${label(NEED_LABELS, c.need)} />
        <${Field} name="Tuổi" value=${c.age} />
        <${Field} name="Điện thoại" value=${c.phone && html`<a href=${`tel:${c.phone}`}>${c.phone}</a>`} />
        <${Field} name="Nơi ở (mã)" value=${place} />
        <${Field} name="Nguy cơ" value=${c.riskLevel && `${label(RISK_LEVEL_LABELS, c.riskLevel)}${c.riskCategory ? `: ${label(RISK_LABELS, c.riskCategory)}` : ''}`} />
        <${Field} name="Mô tả" value=${c.description} />
      </dl>
    </li>
  `;
}

export function Cases({ cases }) {
  if (cases.length === 0) return html`<p class="empty">Chưa có phiếu tiếp nhận.</p>`;
  return html`<ul class="cases">${cases.map((c) => html`<${CaseCard} key=${c.id} c=${c} />`)}</ul>`;
}

export function Consents({ consents }) {
  if (consents.length === 0) return html`<p class="empty">Chưa ghi nhận đồng ý nào.</p>`;
  return html`
    <ul class="consents">
      ${consents.map(
        (k, i) => html`
          <li key=${i} class=${`consent consent--${k.withdrawnAt ? 'withdrawn' : k.decision}`}>
            <strong>${label(CONSENT_PURPOSE_LABELS, k.purpose)}</strong>:
            ${k.withdrawnAt ? ` đã rút lại (${vnDateTime(k.withdrawnAt)})` : ` ${label(CONSENT_DECISION_LABELS, k.decision)}`}
            <span class="muted"> · ${vnDateTime(k.at)}</span>
          </li>
        `,
      )}
    </ul>
  `;
}

/** The citizen's other tickets, newest first: what came of each, when, who handled it, the rating. */
export function TicketHistory({ history }) {
  if (history.length === 0) return html`<p class="empty">Chưa có phiếu nào khác.</p>`;
  return html`
    <ul class="history">
      ${history.map(
        (t) => html`
          <li key=${t.id} class="history__item" data-ticket-id=${t.id} data-status=${t.status}>
            <div class="case__head">
              <strong>${label(STATUS_LABELS, t.status)}</strong>
              ${t.outcomeLabel && html`<span> · ${t.outcomeLabel}</span>`}
              <a class="history__link" href=${`#/ticket/${encodeURIComponent(t.id)}`}>Xem</a>
            </div>
            <dl class="fields">
              <${Field} name="Lý do" value=${label(REASON_LABELS, t.reason)} />
              <${Field} name="Mở lúc" value=${vnDateTime(t.createdAt)} />
              <${Field} name="Đóng lúc" value=${vnDateTime(t.closedAt)} />
              <${Field} name="Người xử lý" value=${t.handledByName ?? 'Chưa ai nhận'} />
              <${Field} name="Đánh giá" value=${t.satisfaction == null ? 'Chưa đánh giá' : label(RATING_LABELS, t.satisfaction)} />
            </dl>
          </li>
        `,
      )}
    </ul>
  `;
}
