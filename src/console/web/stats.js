// Today's numbers for supervisors and admins (#/stats, GET /console/api/stats): waiting
// now, wait and first-response times, the urgent-within-5-minutes share against its 94 %
// target, and bar charts by channel, team and risk drawn as inline SVG.
import { useEffect, useState } from 'preact/hooks';
import { consoleApi } from './api.js';
import { html } from './html.js';
import { CHANNEL_LABELS, RISK_LABELS, label, minutes, percent, vnDateTime } from './labels.js';
import { useCoalesced, useLiveEvent } from './live.js';

const URGENT_TARGET = 0.94;

/** Horizontal bars, one per item: `{ key, label, value, note }`. */
export function BarChart({ title, items, unit = 'phiếu' }) {
  const max = Math.max(1, ...items.map((i) => i.value));
  const row = 28;
  const labelWidth = 124;
  const barMax = 130;
  const height = Math.max(row, items.length * row);
  return html`
    <figure class="chart">
      <figcaption>${title}</figcaption>
      <svg viewBox=${`0 0 330 ${height}`} width="100%" role="img" aria-label=${`${title}: ${items.map((i) => `${i.label} ${i.value}`).join(', ')}`}>
        ${items.map((item, n) => {
          const y = n * row;
          const w = item.value === 0 ? 0 : Math.max(2, (item.value / max) * barMax);
          return html`
            <g key=${item.key} class="chart__row">
              <text x=${labelWidth - 6} y=${y + row / 2 + 5} text-anchor="end" class="chart__label">${item.label}</text>
              <rect x=${labelWidth} y=${y + 6} width=${barMax} height=${row - 12} rx="3" class="chart__track" />
              <rect x=${labelWidth} y=${y + 6} width=${w} height=${row - 12} rx="3" class=${`chart__bar ${item.className ?? ''}`} />
              <text x=${labelWidth + barMax + 8} y=${y + row / 2 + 5} class="chart__value">${item.value}${item.note ? ` · ${item.note}` : ''}</text>
            </g>
          `;
        })}
      </svg>
      <p class="visually-hidden">${items.map((i) => `${i.label}: ${i.value} ${unit}${i.note ? ` (${i.note})` : ''}`).join('; ')}</p>
    </figure>
  `;
}

const Stat = ({ name, value, sub, tone }) => html`
  <div class=${`stat ${tone ? `stat--${tone}` : ''}`}>
    <div class="stat__value">${value}</div>
    <div class="stat__name">${name}</div>
    ${sub && html`<div class="stat__sub">${sub}</div>`}
  </div>
`;

const slices = (list, labelOf) =>
  list.map((s) => ({
    key: s.key,
    label: labelOf(s.key),
    value: s.numbers.createdToday,
    note: s.numbers.waitingNow > 0 ? `${s.numbers.waitingNow} chờ` : '',
    className: s.key !== 'none' && RISK_LABELS[s.key] && s.numbers.createdToday > 0 ? 'chart__bar--risk' : '',
  }));

export function StatsView({ me, live, teams, onError }) {
  const [stats, setStats] = useState(null);
  const allowed = me.role === 'supervisor' || me.role === 'admin';
  const load = async () => {
    try {
      setStats(await consoleApi.stats());
    } catch (err) {
      if (err.status !== 401) onError(err.message);
    }
  };
  const reload = useCoalesced(load, 1000);
  useEffect(() => {
    if (allowed) void load();
  }, [allowed]);
  useLiveEvent(live, () => allowed && reload());

  if (!allowed) return html`<p class="empty">Trang thống kê dành cho giám sát viên và quản trị viên.</p>`;
  if (!stats) return html`<p class="loading" role="status">Đang tải số liệu…</p>`;
  const a = stats.all;
  const share = a.urgentShareWithin5Min;
  const teamLabel = (id) => teams.find((t) => t.id === id)?.label ?? id;
  return html`
    <div class="stats">
      <h2>Hôm nay <span class="muted">(từ ${vnDateTime(stats.dayStart)}, cập nhật ${vnDateTime(stats.at)})</span></h2>
      <div class="stat-grid">
        <${Stat} name="Đang chờ" value=${a.waitingNow} tone=${a.waitingNow > 0 ? 'warn' : ''} />
        <${Stat} name="Phiếu hôm nay" value=${a.createdToday} />
        <${Stat} name="Thời gian chờ (trung vị)" value=${minutes(a.waitMedianMs)} sub=${`90 %: ${minutes(a.waitP90Ms)}`} />
        <${Stat} name="Phản hồi đầu tiên (trung vị)" value=${minutes(a.firstResponseMedianMs)} sub=${`90 %: ${minutes(a.firstResponseP90Ms)}`} />
        <${Stat}
          name="Khẩn cấp được trả lời trong 5 phút"
          value=${percent(share)}
          sub=${`Mục tiêu 94 % · ${a.urgentAnsweredWithin5Min}/${a.urgentTotal} phiếu${a.urgentPending ? ` · ${a.urgentPending} đang trong 5 phút` : ''}`}
          tone=${share == null ? '' : share >= URGENT_TARGET ? 'good' : 'bad'}
        />
      </div>
      <div class="chart-grid">
        <${BarChart} title="Theo kênh" items=${slices(stats.byChannel, (k) => label(CHANNEL_LABELS, k))} />
        <${BarChart} title="Theo nhóm" items=${slices(stats.byTeam, teamLabel)} />
        <${BarChart} title="Theo dấu hiệu nguy hiểm" items=${slices(stats.byRisk, (k) => label(RISK_LABELS, k))} />
      </div>
    </div>
  `;
}
