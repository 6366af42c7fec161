// What is known about the citizen besides the messages: the conversation's risk flag,
// their intake cases (phiếu tiếp nhận) and their consents.
import { html } from './html.js';
import {
  CASE_STATUS_LABELS,
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
