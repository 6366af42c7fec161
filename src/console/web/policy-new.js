// A new value for "Giá trị chính sách" (policy.js): on the list, "Thêm giá trị mới" asks for
// the key (checked here with a Vietnamese message and a suggestion; the server has the last
// word) and opens #/kb-policy/<key>; there, while no version exists (the API answers 404),
// NewValueView shows the edit form empty (one dated amount, reviewed today). Saving makes
// draft 1, reviewed like any other draft; once approved the value is listed.
import { useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { EditForm } from './policy-edit.js';

const enc = encodeURIComponent;
/** The API's rule for a key (src/console/policy-api.ts). */
const KEY = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Why `key` cannot name a value, in Vietnamese; '' when it can. */
export function keyProblem(key) {
  if (!key) return 'Ghi mã cho giá trị mới, ví dụ: he-so-thu.';
  if (!KEY.test(key)) {
    return 'Mã chỉ gồm chữ thường không dấu (a–z), chữ số và dấu gạch ngang nối các chữ: không viết hoa, không dấu tiếng Việt, không khoảng trắng, không bắt đầu hay kết thúc bằng dấu gạch ngang.';
  }
  return '';
}

/** A key made from what was typed: "Hệ số thu" → "he-so-thu". */
export const suggestKey = (text) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

/** The list's "Thêm giá trị mới": a key, then the value's page (an existing key is pointed to). */
export function NewValueForm({ values }) {
  const [open, setOpen] = useState(false);
  const [key, setKey] = useState('');
  const [error, setError] = useState('');
  const [existing, setExisting] = useState(null);
  const input = useRef(null);
  const typed = key.trim();
  const suggestion = error && suggestKey(typed);
  const focus = () => requestAnimationFrame(() => input.current?.focus());

  const show = () => (setOpen(true), focus());
  const close = () => (setOpen(false), setKey(''), setError(''), setExisting(null));
  const submit = (e) => {
    e.preventDefault();
    setExisting(null);
    const problem = keyProblem(typed);
    setError(problem);
    if (problem) return focus();
    const found = values.find((v) => v.key === typed);
    if (found) return setExisting(found);
    location.hash = `#/kb-policy/${enc(typed)}`;
  };
  const use = (k) => (setKey(k), setError(''), setExisting(null), focus());

  return html`
    <section class="kb-section policy-new-form" aria-labelledby="pv-new-title">
      <h2 id="pv-new-title">Thêm giá trị mới</h2>
      <p class="muted">Các mục dùng giá trị bằng cách viết <code>{{policy.${typed && !keyProblem(typed) ? typed : '<mã>'}}}</code> trong câu trả lời.</p>
      ${!open
        ? html`<button type="button" class="btn btn--small" onClick=${show}>+ Thêm giá trị mới</button>`
        : html`<form class="policy-new-form__form" onSubmit=${submit} noValidate>
            <label for="pv-new-key">Mã giá trị</label>
            <p class="muted" id="pv-new-key-hint">Chữ thường không dấu, số, nối bằng dấu gạch ngang, ví dụ: he-so-thu. Không đổi được sau khi tạo.</p>
            <input
              id="pv-new-key"
              ref=${input}
              value=${key}
              autocomplete="off"
              spellcheck="false"
              aria-invalid=${error ? 'true' : undefined}
              aria-describedby=${error ? 'pv-new-key-hint pv-new-key-error' : 'pv-new-key-hint'}
              onInput=${(e) => (setKey(e.currentTarget.value), setExisting(null))}
            />
            ${error &&
            html`<div class="kb-error" id="pv-new-key-error" role="alert">
              ${error}
              ${suggestion && suggestion !== typed && !keyProblem(suggestion) &&
              html` <span class="policy-new-form__suggest">Gợi ý: <code>${suggestion}</code> <button type="button" class="btn btn--small" onClick=${() => use(suggestion)}>Dùng mã gợi ý</button></span>`}
            </div>`}
            ${existing &&
            html`<p class="hint" role="status">Đã có giá trị “${existing.label}” với mã này. <a href=${`#/kb-policy/${enc(existing.key)}`}>Mở giá trị này</a></p>`}
            <div class="kb-edit__buttons">
              <button type="submit" class="btn btn--primary">Tạo giá trị</button>
              <button type="button" class="btn" onClick=${close}>Thôi</button>
            </div>
          </form>`}
    </section>
  `;
}

/** A key with no version yet: the edit form empty, one dated amount, reviewed `today`. No history. */
export function NewValueView({ valueKey, today, back, onSaved, onInfo }) {
  const [empty] = useState(() => ({ label: '', values: [{ value: '', from: '', source: '' }], reviewed: today }));
  return html`
    <div class="kb policy-value policy-value--new" data-key=${valueKey}>
      ${back}
      <h2 class="kb__title">Giá trị mới: ${valueKey}</h2>
      <div class="kb-row__meta">
        <span>Mã: ${valueKey}</span>
        <span>Trong câu trả lời: <code>{{policy.${valueKey}}}</code></span>
        <span class="badge badge--due">chưa có bản nào</span>
      </div>
      <p class="hint">Chưa có giá trị nào với mã này. Ghi tên gọi, ít nhất một mức với ngày áp dụng và nguồn, rồi lưu bản nháp: giá trị dùng được khi một giám sát viên khác duyệt.</p>
      <section class="kb-section" aria-label="Giá trị mới">
        <${EditForm} key=${`new-${valueKey}`} valueKey=${valueKey} value=${empty} basedOn=${null} fromLabel="chưa có bản nào" title="Nhập giá trị" today=${today} onSaved=${onSaved} onInfo=${onInfo} />
      </section>
    </div>
  `;
}
