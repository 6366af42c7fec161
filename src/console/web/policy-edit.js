// The pieces of "Giá trị chính sách" (policy.js) that show and write a value: the client of
// the policy values API (/console/api/kb/policy/…, src/console/policy-api.ts), the table of
// dated amounts, the edit form (a row per amount) with its preview of every entry that uses
// the value on a chosen day (POST …/preview, debounced, nothing stored; the server's
// problems next to their fields), "Lưu bản nháp", and a reviewer's "Duyệt" / "Trả lại".
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post } from './api.js';
import { html } from './html.js';
import { ReplyPreview, vnDate } from './knowledge-edit.js';

const enc = encodeURIComponent;

export const policyApi = {
  list: () => get('/kb/policy'),
  one: (key) => get(`/kb/policy/${enc(key)}`),
  preview: (key, value, on) => post(`/kb/policy/${enc(key)}/preview`, on ? { value, on } : { value }),
  saveDraft: (key, body) => post(`/kb/policy/${enc(key)}/drafts`, body),
  approve: (key, version) => post(`/kb/policy/${enc(key)}/versions/${version}/approve`),
  reject: (key, version, note) => post(`/kb/policy/${enc(key)}/versions/${version}/reject`, { note }),
  restore: (key, version) => post(`/kb/policy/${enc(key)}/versions/${version}/restore`),
};

/** An amount as shown: an empty one says so. */
export const amountText = (value) => (value.trim() === '' ? '(để trống)' : value);

/** Where each dated amount stands on `today` (YYYY-MM-DD): replaced, in force, or still to come. */
function standing(values, today) {
  const current = [...values].filter((d) => d.from <= today).sort((a, b) => a.from.localeCompare(b.from)).at(-1);
  return (d) => (d === current ? ['in-force', 'đang áp dụng'] : d.from > today ? ['scheduled', 'sắp áp dụng'] : ['old', 'đã thay']);
}

/**
 * A value's dated amounts, oldest first, with where each stands today; given `before` (the
 * version a draft is compared with), also which amounts are new, changed or removed.
 */
export function AmountTable({ value, today, before, caption }) {
  const at = standing(value.values, today);
  const old = new Map((before?.values ?? []).map((d) => [d.from, d]));
  const now = new Set(value.values.map((d) => d.from));
  const rows = [
    ...value.values.map((d) => {
      const was = old.get(d.from);
      const change = !before ? null : !was ? 'mới' : was.value !== d.value || was.source !== d.source ? 'đã sửa' : null;
      return { d, change, was };
    }),
    ...(before?.values ?? []).filter((d) => !now.has(d.from)).map((d) => ({ d, change: 'bỏ đi', removed: true })),
  ].sort((a, b) => a.d.from.localeCompare(b.d.from));
  return html`
    <div class="policy-table-wrap">
      <table class="policy-table">
        ${caption && html`<caption>${caption}</caption>`}
        <thead><tr><th scope="col">Giá trị</th><th scope="col">Áp dụng từ</th><th scope="col">Nguồn</th><th scope="col">Tình trạng</th></tr></thead>
        <tbody>
          ${rows.map(({ d, change, was, removed }) => {
            const [kind, words] = removed ? ['removed', ''] : at(d);
            return html`<tr key=${d.from} class=${`policy-amount-row policy-amount-row--${kind}`} data-from=${d.from}>
              <td data-label="Giá trị">${removed ? html`<del>${amountText(d.value)}</del>` : amountText(d.value)}${was && was.value !== d.value && html`<span class="policy-was">trước: ${amountText(was.value)}</span>`}</td>
              <td data-label="Áp dụng từ">${vnDate(d.from)}</td>
              <td data-label="Nguồn">${d.source}</td>
              <td data-label="Tình trạng">
                ${words && html`<span class=${`badge badge--${kind}`}>${words}</span>`}
                ${change && html` <span class=${`badge badge--change`}>${change}</span>`}
              </td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>
  `;
}

/** The form's fields from a value, and back as the API's body (an empty unit is left out). */
let rowSeq = 0;
const toRow = (d) => ({ id: ++rowSeq, value: d?.value ?? '', from: d?.from ?? '', source: d?.source ?? '' });
const toForm = (v, today) => ({ label: v?.label ?? '', unit: v?.unit ?? '', rows: (v?.values ?? []).map(toRow), reviewed: today || v?.reviewed || '' });
const toValue = (f) => ({
  label: f.label.trim(),
  ...(f.unit.trim() ? { unit: f.unit.trim() } : {}),
  values: f.rows.map((r) => ({ value: r.value.trim(), from: r.from, source: r.source.trim() })),
  reviewed: f.reviewed,
});
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** The problems about exactly `field`, or (with `under`) about it and everything below it. */
const problemsOf = (problems, field, under = false) => problems.filter((p) => p.field === field || (under && (p.field || '').startsWith(`${field}.`)));

function FieldProblems({ problems, field, id }) {
  if (problems.length === 0) return null;
  return html`<ul class="kb-problems" id=${id} data-field=${field}>${problems.map((p, n) => html`<li key=${n}>${p.message}</li>`)}</ul>`;
}

/** POST …/preview ~400 ms after the last change; answers to older requests are dropped. */
function usePreview(key, value, on) {
  const [state, setState] = useState({ loading: true, previews: [], problems: [], error: '' });
  const seq = useRef(0);
  const asked = JSON.stringify([value, on]);
  useEffect(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(async () => {
      try {
        const r = await policyApi.preview(key, value, /^\d{4}-\d{2}-\d{2}$/.test(on) ? on : undefined);
        if (mine === seq.current) setState({ loading: false, previews: r.previews ?? [], problems: r.problems ?? [], error: '' });
      } catch (err) {
        if (mine === seq.current) setState({ loading: false, previews: [], problems: [], error: err.message });
      }
    }, 400);
    return () => clearTimeout(timer);
  }, [key, asked]);
  return state;
}

/**
 * The edit form: starts from `value` (the version in force, one copied in, or an empty one
 * for a new value) with today as the review date, previews every entry that uses it on the chosen day, and saves a
 * draft based on `basedOn` (the version in force).
 */
export function EditForm({ valueKey, value, basedOn, fromLabel, title = 'Sửa giá trị', today, onSaved, onInfo }) {
  const [form, setForm] = useState(() => toForm(value, today));
  const [on, setOn] = useState(today);
  const [note, setNote] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState('');
  const [saved, setSaved] = useState('');
  const current = toValue(form);
  const preview = usePreview(valueKey, current, on);
  const [initial] = useState(() => toValue(toForm(value, today)));
  // Unchanged amounts with today's review date still differ from the version: saving records the review.
  const dirty = !same(current, initial);
  const changed = !same(current, toValue(toForm(value, value?.reviewed))) && JSON.stringify(current) !== saved;
  const problems = preview.problems;
  const set = (field) => (e) => setForm((f) => ({ ...f, [field]: e.currentTarget.value }));
  const setRow = (id, field) => (e) => {
    const text = e.currentTarget.value;
    setForm((f) => ({ ...f, rows: f.rows.map((r) => (r.id === id ? { ...r, [field]: text } : r)) }));
  };
  const addRow = () => {
    const row = toRow();
    setForm((f) => ({ ...f, rows: [...f.rows, row] }));
    requestAnimationFrame(() => document.getElementById(`pv-${row.id}-value`)?.focus());
  };
  const removeRow = (id) => setForm((f) => ({ ...f, rows: f.rows.filter((r) => r.id !== id) }));

  /** An input's problems, its aria attributes and the list under it. */
  const field = (name, id, shown = problemsOf(problems, name)) => ({
    attrs: { id, 'aria-invalid': shown.length > 0 ? 'true' : undefined, 'aria-describedby': shown.length > 0 ? `${id}-problems` : undefined },
    list: html`<${FieldProblems} problems=${shown} field=${name} id=${`${id}-problems`} />`,
  });
  // An empty date is "chọn ngày" (once), whatever the schema's wording.
  const dateProblems = (i, row) => {
    const found = problemsOf(problems, `values.${i}.from`);
    return row.from ? found : found.slice(0, 1).map((p) => ({ ...p, message: 'Chọn ngày bắt đầu áp dụng.' }));
  };

  const save = async (e) => {
    e.preventDefault();
    if (saving) return;
    setSaving(true);
    setError('');
    try {
      const r = await policyApi.saveDraft(valueKey, { value: current, note: note.trim() || null, basedOn: basedOn ?? null });
      setNote('');
      setSaved(JSON.stringify(current));
      onInfo(`Đã lưu bản nháp ${r.version.version}. Bản này cần một giám sát viên khác duyệt trước khi áp dụng.`);
      onSaved(r.version);
    } catch (err) {
      if (err.status !== 401) setError(err.message);
    } finally {
      setSaving(false);
    }
  };

  const label = field('label', 'pv-label');
  const unit = field('unit', 'pv-unit');
  const reviewed = field('reviewed', 'pv-reviewed');
  const amounts = problemsOf(problems, 'values');
  const known = (p) => ['label', 'unit', 'reviewed', 'values'].includes(p.field) || /^values\.\d+(\.|$)/.test(p.field || '');
  const other = problems.filter((p) => !known(p));
  return html`
    <form class="kb-edit policy-edit" onSubmit=${save} aria-labelledby="pv-edit-title">
      <div class="kb-edit__fields">
        <h3 id="pv-edit-title">${title} <span class="muted">(${fromLabel})</span></h3>
        <label for="pv-label">Tên gọi</label>
        <input ...${label.attrs} value=${form.label} onInput=${set('label')} />
        ${label.list}
        <label for="pv-unit">Đơn vị <span class="muted">(không bắt buộc)</span></label>
        <input ...${unit.attrs} value=${form.unit} onInput=${set('unit')} placeholder="đồng/người/tháng" />
        ${unit.list}
        <fieldset class="policy-amounts" aria-describedby=${amounts.length > 0 ? 'pv-values-problems' : undefined}>
          <legend>Các mức theo ngày áp dụng</legend>
          <p class="muted policy-amounts__hint">Câu trả lời dùng mức có ngày áp dụng gần nhất, không sau ngày người dân hỏi (giờ Việt Nam).</p>
          ${form.rows.map((row, i) => {
            const v = field(`values.${i}.value`, `pv-${row.id}-value`);
            const from = field(`values.${i}.from`, `pv-${row.id}-from`, dateProblems(i, row));
            const source = field(`values.${i}.source`, `pv-${row.id}-source`);
            const whole = problemsOf(problems, `values.${i}`);
            return html`
              <fieldset key=${row.id} class="policy-amount" data-index=${i}>
                <legend>Mức ${i + 1}</legend>
                <div class="policy-amount__value">
                  <label for=${v.attrs.id}>Giá trị</label>
                  <input ...${v.attrs} value=${row.value} onInput=${setRow(row.id, 'value')} placeholder="2.300.000 đồng" />
                  ${v.list}
                </div>
                <div class="policy-amount__from">
                  <label for=${from.attrs.id}>Áp dụng từ ngày</label>
                  <input ...${from.attrs} type="date" value=${row.from} onInput=${setRow(row.id, 'from')} />
                  ${from.list}
                </div>
                <div class="policy-amount__source">
                  <label for=${source.attrs.id}>Nguồn <span class="muted">(văn bản, điều, khoản)</span></label>
                  <input ...${source.attrs} value=${row.source} onInput=${setRow(row.id, 'source')} placeholder="Nghị định …/…/NĐ-CP" />
                  ${source.list}
                </div>
                <${FieldProblems} problems=${whole} field=${`values.${i}`} id=${`pv-${row.id}-problems`} />
                <button type="button" class="btn btn--small policy-amount__remove" disabled=${form.rows.length < 2} onClick=${() => removeRow(row.id)}>Bỏ mức ${i + 1}</button>
              </fieldset>
            `;
          })}
          <${FieldProblems} problems=${amounts} field="values" id="pv-values-problems" />
          <button type="button" class="btn btn--small policy-amounts__add" onClick=${addRow}>+ Thêm một mức</button>
        </fieldset>
        <label for="pv-reviewed">Ngày rà soát</label>
        <input ...${reviewed.attrs} type="date" value=${form.reviewed} onInput=${set('reviewed')} />
        ${reviewed.list}
        ${other.length > 0 && html`<ul class="kb-problems">${other.map((p, n) => html`<li key=${n}>${p.field}: ${p.message}</li>`)}</ul>`}
        <label for="pv-note">Thay đổi gì <span class="muted">(không bắt buộc, cho người duyệt)</span></label>
        <input id="pv-note" maxlength="500" value=${note} onInput=${(e) => setNote(e.currentTarget.value)} placeholder="Ví dụ: mức mới từ 01/7/2027 theo nghị định…" />
        ${error && html`<p class="kb-error" role="alert">${error}</p>`}
        <div class="kb-edit__buttons">
          <button type="submit" class="btn btn--primary" disabled=${saving || !changed}>${saving ? 'Đang lưu…' : 'Lưu bản nháp'}</button>
          <button type="button" class="btn" disabled=${saving || !dirty} onClick=${() => (setForm(toForm(value, today)), setError(''), setSaved(''))}>Bỏ thay đổi</button>
          ${!changed && html`<span class="muted">${saved === JSON.stringify(current) ? 'Đã lưu thành bản nháp.' : 'Chưa có thay đổi để lưu.'}</span>`}
        </div>
      </div>
      <section class="kb-preview policy-previews" aria-labelledby="pv-preview-title">
        <h3 id="pv-preview-title">Xem trước <span class="muted">(người dân sẽ đọc thế này)</span></h3>
        <label for="pv-on">Xem trước câu trả lời vào ngày</label>
        <input id="pv-on" type="date" value=${on} onInput=${(e) => setOn(e.currentTarget.value)} />
        <p class="kb-preview__state" aria-live="polite">${preview.loading ? 'Đang cập nhật…' : ''}</p>
        ${preview.error && html`<p class="kb-error">${preview.error}</p>`}
        ${preview.previews.length > 0
          ? html`<ol class="policy-preview-list">
              ${preview.previews.map(
                (p) => html`<li key=${p.id} class="policy-preview" data-entry-id=${p.id}>
                  <a class="policy-preview__question" href=${`#/kb/${enc(p.id)}`}>${p.question}</a>
                  <${ReplyPreview} reply=${p.reply} />
                </li>`,
              )}
            </ol>`
          : !preview.loading &&
            (problems.length > 0
              ? html`<p class="kb-error">Chưa xem trước được: sửa các chỗ ghi đỏ trong ô bên cạnh.</p>`
              : html`<p class="empty">Chưa có mục nào dùng giá trị này.</p>`)}
      </section>
    </form>
  `;
}

/** A reviewer's decision on one draft: approve (in force at once) or send back with a reason. */
export function ReviewForm({ valueKey, version, onDone, onInfo }) {
  const [reason, setReason] = useState('');
  const [rejecting, setRejecting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [problems, setProblems] = useState([]);

  const run = async (fn, message) => {
    if (busy) return;
    setBusy(true);
    setError('');
    setProblems([]);
    try {
      await fn();
      onInfo(message);
      onDone();
    } catch (err) {
      if (err.status !== 401) {
        setError(err.message);
        setProblems(err.problems ?? []);
      }
    } finally {
      setBusy(false);
    }
  };
  const approve = () => void run(() => policyApi.approve(valueKey, version), `Đã duyệt bản ${version}. Mỗi mức hiện trong câu trả lời từ ngày áp dụng của nó.`);
  const reject = (e) => {
    e.preventDefault();
    if (!reason.trim()) return setError('Ghi lý do trả lại.');
    void run(() => policyApi.reject(valueKey, version, reason.trim()), `Đã trả lại bản ${version}.`);
  };

  return html`
    <div class="kb-review">
      <p class="muted kb-review__hint">Duyệt là áp dụng ngay: mỗi mức hiện trong câu trả lời từ ngày ghi ở mức đó.</p>
      <button type="button" class="btn btn--primary" disabled=${busy} onClick=${approve}>Duyệt</button>
      ${rejecting
        ? html`<form class="kb-review__reject" onSubmit=${reject}>
            <label for=${`pv-reason-${version}`}>Lý do trả lại</label>
            <textarea id=${`pv-reason-${version}`} rows="2" maxlength="500" value=${reason} onInput=${(e) => setReason(e.currentTarget.value)}></textarea>
            <div class="kb-edit__buttons">
              <button type="submit" class="btn btn--warn" disabled=${busy}>Trả lại</button>
              <button type="button" class="btn" onClick=${() => (setRejecting(false), setError(''))}>Thôi</button>
            </div>
          </form>`
        : html`<button type="button" class="btn btn--warn" onClick=${() => setRejecting(true)}>Trả lại…</button>`}
      ${error && html`<p class="kb-error" role="alert">${error}</p>`}
      ${problems.length > 0 && html`<ul class="kb-problems">${problems.map((p, n) => html`<li key=${n}>${p.message}</li>`)}</ul>`}
    </div>
  `;
}
