// "Giá trị chính sách": the amounts and dates many answers share (chuẩn nghèo, mức chuẩn
// trợ giúp xã hội…), written {{policy.<key>}} in the entries (the policy values API,
// src/console/policy-api.ts). #/kb-policy lists each value with the amount in force, the
// next one scheduled and the entries that use it, and the drafts waiting for review;
// #/kb-policy/<key> shows one value: its dated amounts, the entries that use it, the drafts
// with "Duyệt" / "Trả lại", the edit form with its preview on any day (policy-edit.js), and
// every version, older ones with "Khôi phục bản này". Approval takes effect at once: the
// dates inside the value say when each amount shows. A new value starts from the list's
// "Thêm giá trị mới" (policy-new.js). The server has the last word.
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { vnDateTime } from './labels.js';
import { authorName, vnDate, vnDay } from './knowledge-edit.js';
import { mayEditKnowledge } from './knowledge.js';
import { AmountTable, EditForm, ReviewForm, amountText, policyApi } from './policy-edit.js';
import { NewValueForm, NewValueView, keyProblem } from './policy-new.js';

const STATUS = { draft: 'nháp', approved: 'đã duyệt', rejected: 'trả lại' };
const isReviewer = (me) => me.role === 'supervisor' || me.role === 'admin';
const enc = encodeURIComponent;
const href = (key) => `#/kb-policy/${enc(key)}`;

export function PolicyView({ me, id, onError, onInfo }) {
  return id
    ? html`<${ValueView} key=${id} me=${me} valueKey=${id} onError=${onError} onInfo=${onInfo} />`
    : html`<${ListView} me=${me} onError=${onError} />`;
}

function ListView({ me, onError }) {
  const [list, setList] = useState(null);
  useEffect(() => {
    policyApi
      .list()
      .then(setList)
      .catch((err) => err.status !== 401 && onError(err.message));
  }, []);
  const labels = new Map((list?.values ?? []).map((v) => [v.key, v.label]));
  return html`
    <div class="kb policy">
      <p class="back"><a href="#/kb">← Kiến thức</a></p>
      <h2 class="kb__title">Giá trị chính sách <span class="muted">· các mức tiền, ngày áp dụng mà nhiều câu trả lời dùng chung</span></h2>
      <p class="kb-state" role="status">${list ? '' : 'Đang tải…'}</p>
      ${list && mayEditKnowledge(me) && html`<${NewValueForm} values=${list.values} />`}
      ${list &&
      html`<section class="kb-section kb-section--drafts" aria-labelledby="pv-drafts-title">
          <h2 id="pv-drafts-title">Chờ duyệt <span class="count">${list.drafts.length}</span></h2>
          ${list.drafts.length === 0
            ? html`<p class="empty">Không có bản nháp nào chờ duyệt.</p>`
            : html`<ol class="kb-rows">
                ${list.drafts.map(
                  (d) => html`<li key=${`${d.key}-${d.version}`} class="kb-row kb-draft policy-draft" data-key=${d.key} data-version=${d.version}>
                    <a class="kb-row__question" href=${href(d.key)}>${d.value?.label ?? labels.get(d.key) ?? d.key}</a>
                    <div class="kb-row__meta">
                      <span>Bản ${d.version}${d.basedOn ? ` (sửa từ bản ${d.basedOn})` : ''}</span>
                      ${!labels.has(d.key) && html`<span class="badge badge--draft">giá trị mới</span>`}
                      <span>Người viết: ${authorName(d.author)}</span>
                      <span>${vnDateTime(d.createdAt)}</span>
                    </div>
                    ${d.note && html`<p class="kb-row__note">Thay đổi: ${d.note}</p>`}
                    <a class="btn btn--small kb-row__open" href=${href(d.key)}>Xem bản nháp</a>
                  </li>`,
                )}
              </ol>`}
        </section>
        <section class="kb-section policy-values" aria-labelledby="pv-values-title">
          <h2 id="pv-values-title">Các giá trị đang áp dụng <span class="count">${list.values.length}</span></h2>
          ${list.values.length === 0
            ? html`<p class="empty">Chưa có giá trị nào.</p>`
            : html`<ol class="kb-rows">${list.values.map((row) => html`<${ValueRow} key=${row.key} row=${row} />`)}</ol>`}
        </section>`}
    </div>
  `;
}

function ValueRow({ row }) {
  return html`
    <li class=${`kb-row policy-row ${row.reviewDue ? 'kb-row--due' : ''}`} data-key=${row.key}>
      <a class="kb-row__question" href=${href(row.key)}>${row.label}</a>
      <div class="policy-row__amounts">
        ${row.current
          ? html`<span class="policy-row__current">Đang áp dụng: <strong>${amountText(row.current.value)}</strong> từ ${vnDate(row.current.from)}</span>`
          : html`<span class="badge badge--due">chưa có mức nào đang áp dụng</span>`}
        ${row.next && html`<span class="policy-row__next">Sắp áp dụng: <strong>${amountText(row.next.value)}</strong> từ ${vnDate(row.next.from)}</span>`}
      </div>
      <div class="kb-row__meta">
        <span>Mã: ${row.key}</span>
        <span>Rà soát: ${vnDate(row.reviewed)}${row.reviewDue ? html` <span class="badge badge--due">cần rà soát</span>` : ''}</span>
        <span>${row.usedBy.length > 0 ? `Dùng trong ${row.usedBy.length} mục` : 'Chưa mục nào dùng'}</span>
        ${row.drafts > 0 && html`<span class="badge badge--draft">${row.drafts} bản nháp</span>`}
      </div>
    </li>
  `;
}

/** What a version changes in the label, unit and review date (the amounts are in its table). */
function FieldChanges({ from, to }) {
  if (!to) return html`<p class="kb-diff__none">Bản này bỏ giá trị khỏi kho.</p>`;
  if (!from) return null;
  const fields = [
    ['label', 'Tên gọi', (v) => v.label],
    ['unit', 'Đơn vị', (v) => v.unit ?? ''],
    ['reviewed', 'Ngày rà soát', (v) => vnDate(v.reviewed)],
  ].filter(([, , show]) => show(from) !== show(to));
  if (fields.length === 0) return null;
  return html`<div class="kb-diff">
    ${fields.map(([key, name, show]) => html`<p key=${key} class="kb-diff__field"><strong>${name}:</strong> <del>${show(from) || '(trống)'}</del> → <ins>${show(to) || '(trống)'}</ins></p>`)}
  </div>`;
}

/**
 * One version: status, who wrote and reviewed it, its amounts. In full a draft shows what it
 * changes from the version in force and, to a reviewer who did not write it, "Duyệt" /
 * "Trả lại"; in the history a draft is one line pointing up to "Chờ duyệt".
 */
function VersionItem({ v, me, ctx, compact }) {
  const { valueKey, byVersion, inForce, today, canEdit, busy, load, onInfo, restore, copy } = ctx;
  const before = v.status === 'draft' ? (inForce?.value ?? byVersion.get(v.basedOn)?.value) : byVersion.get(v.basedOn)?.value;
  const older = v.status === 'approved' && !v.inForce && v.value;
  return html`
    <li class=${`kb-version kb-version--${v.status} ${v.inForce ? 'kb-version--in-force' : ''}`} data-version=${v.version} data-status=${v.status}>
      <div class="kb-version__head">
        <strong>Bản ${v.version}</strong>
        <span class=${`badge badge--${v.status}`}>${STATUS[v.status] ?? v.status}</span>
        ${v.inForce && html`<span class="badge badge--in-force">đang áp dụng</span>`}
      </div>
      <div class="kb-row__meta">
        <span>Người viết: ${authorName(v.author)}, ${vnDateTime(v.createdAt)}</span>
        ${v.reviewer && html`<span>${v.status === 'rejected' ? 'Người trả lại' : 'Người duyệt'}: ${authorName(v.reviewer)}, ${vnDateTime(v.reviewedAt)}</span>`}
        ${v.basedOn && html`<span>Sửa từ bản ${v.basedOn}</span>`}
      </div>
      ${v.note && html`<p class="kb-row__note">${v.status === 'rejected' ? 'Lý do trả lại' : 'Thay đổi'}: ${v.note}</p>`}
      ${compact
        ? html`<p class="hint">Đang chờ duyệt: xem ở phần “Chờ duyệt” phía trên.</p>`
        : v.status === 'draft'
          ? html`<p class="kb-diff__what">${inForce ? `So với bản ${inForce.version} đang áp dụng:` : v.basedOn ? `So với bản ${v.basedOn}:` : 'Giá trị mới, chưa có bản nào áp dụng:'}</p>
              <${FieldChanges} from=${before ?? null} to=${v.value} />
              ${v.value && html`<${AmountTable} value=${v.value} today=${today} before=${before} />`}`
          : v.value &&
            html`<details class="kb-version__changes"><summary>Xem các mức của bản này</summary>
              <${FieldChanges} from=${before ?? null} to=${v.value} />
              <${AmountTable} value=${v.value} today=${today} before=${before} />
            </details>`}
      ${!compact &&
      v.status === 'draft' &&
      (!isReviewer(me)
        ? html`<p class="hint">Chờ giám sát viên hoặc quản trị viên duyệt.</p>`
        : v.authorId === me.id
          ? html`<p class="hint">Bản này do bạn viết: cần một giám sát viên khác duyệt.</p>`
          : html`<${ReviewForm} valueKey=${valueKey} version=${v.version} onDone=${load} onInfo=${onInfo} />`)}
      ${!compact &&
      html`<div class="kb-version__actions">
        ${canEdit && v.value && v.status !== 'approved' && html`<button type="button" class="btn btn--small" onClick=${() => copy(v)}>Chép vào ô sửa</button>`}
        ${canEdit && older && html`<button type="button" class="btn btn--small" disabled=${busy} onClick=${() => restore(v)}>Khôi phục bản này</button>`}
      </div>`}
    </li>
  `;
}

function ValueView({ me, valueKey, onError, onInfo }) {
  const [data, setData] = useState(null);
  const [row, setRow] = useState(null);
  const [today, setToday] = useState('');
  const [missing, setMissing] = useState('');
  const [source, setSource] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const badKey = keyProblem(valueKey);
  const load = async () => {
    if (badKey) return;
    try {
      // The list answers with the server's clock: "today" is the server's, in Vietnam.
      // No version yet (404): a new value, written from an empty form by those who may edit.
      const [detail, list] = await Promise.all([
        policyApi.one(valueKey).catch((err) => (err.status === 404 ? { missing: err.message } : Promise.reject(err))),
        policyApi.list(),
      ]);
      setToday(vnDay(list.now));
      setRow(list.values.find((r) => r.key === valueKey) ?? null);
      setMissing(detail.missing ?? '');
      setData(detail.missing ? null : detail);
    } catch (err) {
      if (err.status !== 401) onError(err.message);
    }
  };
  useEffect(() => void load(), [valueKey]);

  const back = html`<p class="back"><a href="#/kb-policy">← Giá trị chính sách</a></p>`;
  const canEdit = mayEditKnowledge(me);
  if (badKey) return html`<div class="kb">${back}<p class="empty">Không mở được “${valueKey}”. ${badKey}</p></div>`;
  if (missing && canEdit) return html`<${NewValueView} valueKey=${valueKey} today=${today} back=${back} onSaved=${load} onInfo=${onInfo} />`;
  if (missing) return html`<div class="kb">${back}<p class="empty">${missing}</p></div>`;
  if (!data) return html`<p class="loading" role="status">Đang tải giá trị…</p>`;

  const inForce = data.inForce;
  const shown = inForce?.value ?? [...data.versions].reverse().find((v) => v.value)?.value ?? null;
  const drafts = data.versions.filter((v) => v.status === 'draft');
  const form = source ?? { key: `in-force-${inForce?.version ?? 0}`, value: shown, label: inForce ? `từ bản ${inForce.version} đang áp dụng` : 'chưa có bản nào áp dụng' };

  const restore = async (v) => {
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      const r = await policyApi.restore(valueKey, v.version);
      onInfo(`Đã tạo bản nháp ${r.version.version} từ bản ${v.version}: cần một giám sát viên duyệt.`);
      await load();
    } catch (err) {
      if (err.status !== 401) setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  const copy = (v) => {
    setSource({ key: `v${v.version}-${Date.now()}`, value: v.value, label: `chép từ bản ${v.version}` });
    requestAnimationFrame(() => document.getElementById('pv-label')?.focus());
  };
  const ctx = { valueKey, byVersion: new Map(data.versions.map((v) => [v.version, v])), inForce, today, canEdit, busy, load, onInfo, restore, copy };

  return html`
    <div class="kb policy-value" data-key=${valueKey}>
      ${back}
      <h2 class="kb__title">${shown ? shown.label : valueKey}</h2>
      <div class="kb-row__meta">
        <span>Mã: ${valueKey}</span>
        <span>Trong câu trả lời: <code>{{policy.${valueKey}}}</code></span>
        ${shown?.unit && html`<span>Đơn vị: ${shown.unit}</span>`}
        ${inForce ? html`<span>Bản ${inForce.version} đang áp dụng</span>` : html`<span class="badge badge--due">chưa có bản nào áp dụng</span>`}
        ${inForce && html`<span>Rà soát: ${vnDate(inForce.value.reviewed)}${row?.reviewDue ? html` <span class="badge badge--due">cần rà soát</span>` : ''}</span>`}
      </div>
      ${error && html`<p class="kb-error" role="alert">${error}</p>`}

      ${inForce &&
      html`<section class="kb-section kb-current policy-current" aria-labelledby="pv-current-title">
        <h3 id="pv-current-title">Đang áp dụng <span class="muted">(bản ${inForce.version}, hôm nay ${vnDate(today)})</span></h3>
        <${AmountTable} value=${inForce.value} today=${today} />
      </section>`}

      <section class="kb-section policy-used" aria-labelledby="pv-used-title">
        <h3 id="pv-used-title">Các mục dùng giá trị này <span class="count">${data.usedBy.length}</span></h3>
        ${data.usedBy.length === 0
          ? html`<p class="empty">Chưa có mục nào dùng giá trị này.</p>`
          : html`<ul class="policy-used__list">
              ${data.usedBy.map((e) => html`<li key=${e.id} data-entry-id=${e.id}><a href=${`#/kb/${enc(e.id)}`}>${e.question}</a> <span class="muted">(${e.id})</span></li>`)}
            </ul>`}
      </section>

      ${drafts.length > 0 &&
      html`<section class="kb-section kb-section--drafts kb-pending policy-pending" aria-labelledby="pv-pending-title">
        <h3 id="pv-pending-title">Chờ duyệt <span class="count">${drafts.length}</span></h3>
        <ol class="kb-history">${drafts.map((v) => html`<${VersionItem} key=${v.version} v=${v} me=${me} ctx=${ctx} />`)}</ol>
      </section>`}

      ${canEdit
        ? html`<section class="kb-section" aria-label="Sửa giá trị">
            <${EditForm} key=${form.key} valueKey=${valueKey} value=${form.value} basedOn=${inForce?.version ?? null} fromLabel=${form.label} today=${today} onSaved=${load} onInfo=${onInfo} />
          </section>`
        : html`<p class="hint">Tài khoản này chưa được giao sửa nội dung. Cần sửa, hãy báo giám sát viên.</p>`}

      <section class="kb-section kb-versions policy-versions" aria-labelledby="pv-history-title">
        <h3 id="pv-history-title">Lịch sử các phiên bản <span class="count">${data.versions.length}</span></h3>
        <ol class="kb-history">
          ${[...data.versions].reverse().map((v) => html`<${VersionItem} key=${v.version} v=${v} me=${me} ctx=${ctx} compact=${v.status === 'draft'} />`)}
        </ol>
      </section>
    </div>
  `;
}
