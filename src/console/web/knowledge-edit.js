// The pieces of the "Kiến thức" area (knowledge.js) that write: the client of the
// knowledge API (/console/api/kb/…, src/console/kb-api.ts), dates in Vietnam time, the
// edit form with its live preview (POST /kb/preview/<id>, debounced: the reply exactly as
// a citizen reads it, or the problems next to their fields), "Lưu bản nháp", and a
// reviewer's "Duyệt" (now or from a date) / "Trả lại" for one draft.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post } from './api.js';
import { html } from './html.js';

const enc = encodeURIComponent;

export const kbApi = {
  list: ({ q = '', topic = '', due = false } = {}) => {
    const params = new URLSearchParams();
    if (q.trim()) params.set('q', q.trim());
    if (topic) params.set('topic', topic);
    if (due) params.set('due', '1');
    const query = params.toString();
    return get(`/kb/entries${query ? `?${query}` : ''}`);
  },
  drafts: () => get('/kb/drafts'),
  entry: (id) => get(`/kb/entries/${enc(id)}`),
  preview: (id, entry) => post(`/kb/preview/${enc(id)}`, { entry }),
  saveDraft: (id, body) => post(`/kb/entries/${enc(id)}/drafts`, body),
  approve: (id, version, publishOn) => post(`/kb/entries/${enc(id)}/versions/${version}/approve`, publishOn ? { publishOn } : {}),
  reject: (id, version, note) => post(`/kb/entries/${enc(id)}/versions/${version}/reject`, { note }),
  restore: (id, version) => post(`/kb/entries/${enc(id)}/versions/${version}/restore`),
};

/** Topic ids (src/kb/topics.ts) in words. */
export const TOPIC_LABELS = {
  'doi-tuong-bao-tro-xa-hoi': 'Đối tượng bảo trợ xã hội',
  'muc-chuan-tro-giup': 'Mức chuẩn trợ giúp xã hội',
  'tro-cap-nguoi-cao-tuoi': 'Trợ cấp người cao tuổi',
  'tro-cap-nguoi-khuyet-tat': 'Trợ cấp người khuyết tật',
  'xac-dinh-muc-do-khuyet-tat': 'Xác định mức độ khuyết tật',
  'tro-cap-tre-em': 'Trợ cấp trẻ em',
  'don-than-nuoi-con': 'Đơn thân nuôi con',
  'ho-so-thu-tuc': 'Hồ sơ, thủ tục',
  'chi-tra-tro-cap': 'Chi trả trợ cấp',
  'chuyen-noi-cu-tru': 'Chuyển nơi cư trú',
  'ho-tro-mai-tang': 'Hỗ trợ mai táng',
  'bao-hiem-y-te': 'Bảo hiểm y tế',
  'tro-giup-khan-cap': 'Trợ giúp khẩn cấp',
  'ho-ngheo-can-ngheo': 'Hộ nghèo, cận nghèo',
  'co-so-tro-giup-xa-hoi': 'Cơ sở trợ giúp xã hội',
  'dich-vu-ctxh': 'Dịch vụ công tác xã hội',
  'tu-van-tam-ly': 'Tư vấn tâm lý',
  'bao-ve-tre-em': 'Bảo vệ trẻ em',
  'bao-luc-gia-dinh': 'Bạo lực gia đình',
  'mua-ban-nguoi': 'Mua bán người',
  'cham-soc-thay-the': 'Chăm sóc thay thế',
  'tro-giup-phap-ly': 'Trợ giúp pháp lý',
  'cai-nghien-ma-tuy': 'Cai nghiện ma túy',
  'suc-khoe-tam-than': 'Sức khỏe tâm thần',
  'hoc-nghe-viec-lam': 'Học nghề, việc làm',
  'cong-tac-vien-ctxh': 'Cộng tác viên CTXH',
  'nghe-ctxh': 'Nghề công tác xã hội',
  'lien-he': 'Liên hệ trung tâm',
  'du-lieu-ca-nhan': 'Dữ liệu cá nhân',
  'gap-tu-van-vien': 'Gặp tư vấn viên',
  'nguoi-co-cong': 'Người có công',
  'co-quan-khac': 'Cơ quan khác (chỉ nơi hỏi)',
};

/** The referral topic: its entries name the office that handles the question. */
const REFERRAL_TOPIC = 'co-quan-khac';

export const topicLabel = (id) => TOPIC_LABELS[id] ?? id;

const dayFmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The day (YYYY-MM-DD) in Vietnam of an instant. */
export const vnDay = (value) => dayFmt.format(new Date(value));

/** "02/12/2026" from an instant, or from a YYYY-MM-DD / YYYY-MM / YYYY as written. */
export function vnDate(value) {
  if (!value) return '';
  const written = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(String(value));
  const parts = written ? written.slice(1) : vnDay(value).split('-');
  return parts.filter(Boolean).reverse().join('/');
}

/** The person who wrote a draft, as the API names them: 'import' is the files. */
export const authorName = (author) => (author === 'import' ? 'nhập từ tệp' : author);

/** The form's fields from an entry; and back, as the API's body. */
const toForm = (e) => ({
  topic: e?.topic ?? '',
  office: e?.office ?? '',
  questions: (e?.questions ?? []).join('\n'),
  body: e?.body ?? '',
  source: e?.source ?? '',
  effective: e?.effective ?? '',
  reviewed: e?.reviewed ?? '',
});
const toEntry = (f) => ({
  topic: f.topic,
  ...(f.topic === REFERRAL_TOPIC ? { office: f.office.trim() } : {}),
  questions: f.questions.split('\n').map((q) => q.trim()).filter(Boolean),
  body: f.body,
  source: f.source.trim(),
  effective: f.effective.trim(),
  reviewed: f.reviewed.trim(),
});

/** The problems about one field ('questions.2' belongs to 'questions'). */
const problemsOf = (problems, field) => problems.filter((p) => (p.field || '').split('.')[0] === field);
const FIELDS = ['topic', 'office', 'questions', 'body', 'source', 'effective', 'reviewed'];

function FieldProblems({ problems, field, id }) {
  const mine = problemsOf(problems, field);
  if (mine.length === 0) return null;
  return html`<ul class="kb-problems" id=${id} data-field=${field}>${mine.map((p, n) => html`<li key=${n}>${p.message}</li>`)}</ul>`;
}

/** What a citizen would read: the text, then the quick replies under it. */
export function ReplyPreview({ reply }) {
  return html`
    <div class="kb-bubble">
      <p class="kb-bubble__text">${reply.text}</p>
      ${reply.choices.length > 0 &&
      html`<div class="kb-bubble__choices" aria-label="Nút trả lời nhanh">${reply.choices.map((c) => html`<span key=${c} class="chip">${c}</span>`)}</div>`}
    </div>
  `;
}

/** POST /kb/preview/<id> ~400 ms after the last keystroke; answers to older requests are dropped. */
function usePreview(id, entry) {
  const [state, setState] = useState({ loading: true, reply: null, problems: [], error: '' });
  const seq = useRef(0);
  const key = JSON.stringify(entry);
  useEffect(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(async () => {
      try {
        const r = await kbApi.preview(id, entry);
        if (mine === seq.current) setState({ loading: false, reply: r.reply, problems: r.problems ?? [], error: '' });
      } catch (err) {
        if (mine === seq.current) setState({ loading: false, reply: null, problems: [], error: err.message });
      }
    }, 400);
    return () => clearTimeout(timer);
  }, [id, key]);
  return state;
}

/**
 * The edit form: starts from `entry` (the version in force, or one copied in), previews as
 * it is typed, and saves a draft based on `basedOn` (the version in force).
 */
export function EditForm({ entryId, entry, basedOn, fromLabel, onSaved, onInfo }) {
  const [form, setForm] = useState(() => toForm(entry));
  const [note, setNote] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState('');
  const [saved, setSaved] = useState('');
  const current = toEntry(form);
  const preview = usePreview(entryId, current);
  const dirty = JSON.stringify(current) !== JSON.stringify(toEntry(toForm(entry)));
  const changed = dirty && JSON.stringify(current) !== saved;
  const problems = preview.problems;
  const set = (field) => (e) => setForm((f) => ({ ...f, [field]: e.currentTarget.value }));
  const idOf = (field) => `kb-${field}`;
  const described = (field) => (problemsOf(problems, field).length > 0 ? `${idOf(field)}-problems` : undefined);
  const invalid = (field) => (problemsOf(problems, field).length > 0 ? 'true' : undefined);

  const save = async (e) => {
    e.preventDefault();
    if (saving) return;
    setSaving(true);
    setError('');
    try {
      const r = await kbApi.saveDraft(entryId, { entry: current, note: note.trim() || null, basedOn: basedOn ?? null });
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

  const other = problems.filter((p) => !FIELDS.includes((p.field || '').split('.')[0]));
  return html`
    <form class="kb-edit" onSubmit=${save} aria-labelledby="kb-edit-title">
      <div class="kb-edit__fields">
        <h3 id="kb-edit-title">Sửa nội dung <span class="muted">(${fromLabel})</span></h3>
        <label for=${idOf('questions')}>Câu hỏi <span class="muted">(mỗi dòng một câu)</span></label>
        <textarea id=${idOf('questions')} rows="5" value=${form.questions} onInput=${set('questions')} aria-invalid=${invalid('questions')} aria-describedby=${described('questions')}></textarea>
        <${FieldProblems} problems=${problems} field="questions" id=${`${idOf('questions')}-problems`} />
        <label for=${idOf('body')}>Câu trả lời</label>
        <textarea id=${idOf('body')} rows="12" value=${form.body} onInput=${set('body')} aria-invalid=${invalid('body')} aria-describedby=${described('body')}></textarea>
        <${FieldProblems} problems=${problems} field="body" id=${`${idOf('body')}-problems`} />
        <label for=${idOf('source')}>Nguồn <span class="muted">(văn bản, điều, khoản)</span></label>
        <input id=${idOf('source')} value=${form.source} onInput=${set('source')} aria-invalid=${invalid('source')} aria-describedby=${described('source')} />
        <${FieldProblems} problems=${problems} field="source" id=${`${idOf('source')}-problems`} />
        <div class="kb-edit__row">
          <div>
            <label for=${idOf('effective')}>Hiệu lực từ <span class="muted">(YYYY-MM-DD)</span></label>
            <input id=${idOf('effective')} inputmode="numeric" value=${form.effective} onInput=${set('effective')} aria-invalid=${invalid('effective')} aria-describedby=${described('effective')} />
            <${FieldProblems} problems=${problems} field="effective" id=${`${idOf('effective')}-problems`} />
          </div>
          <div>
            <label for=${idOf('reviewed')}>Ngày rà soát</label>
            <input id=${idOf('reviewed')} type="date" value=${form.reviewed} onInput=${set('reviewed')} aria-invalid=${invalid('reviewed')} aria-describedby=${described('reviewed')} />
            <${FieldProblems} problems=${problems} field="reviewed" id=${`${idOf('reviewed')}-problems`} />
          </div>
        </div>
        <label for=${idOf('topic')}>Chủ đề</label>
        <select id=${idOf('topic')} value=${form.topic} onChange=${set('topic')} aria-invalid=${invalid('topic')} aria-describedby=${described('topic')}>
          ${!TOPIC_LABELS[form.topic] && html`<option value=${form.topic}>${form.topic || 'Chọn chủ đề…'}</option>`}
          ${Object.entries(TOPIC_LABELS).map(([value, text]) => html`<option key=${value} value=${value}>${text}</option>`)}
        </select>
        <${FieldProblems} problems=${problems} field="topic" id=${`${idOf('topic')}-problems`} />
        ${form.topic === REFERRAL_TOPIC &&
        html`<label for=${idOf('office')}>Cơ quan giải quyết <span class="muted">(người dân được chỉ tới đây; câu trả lời không ghi nguồn)</span></label>
          <input id=${idOf('office')} value=${form.office} onInput=${set('office')} aria-invalid=${invalid('office')} aria-describedby=${described('office')} placeholder="Ví dụ: Cơ quan bảo hiểm xã hội" />
          <${FieldProblems} problems=${problems} field="office" id=${`${idOf('office')}-problems`} />`}
        ${other.length > 0 && html`<ul class="kb-problems">${other.map((p, n) => html`<li key=${n}>${p.message}</li>`)}</ul>`}
        <label for="kb-note">Thay đổi gì <span class="muted">(không bắt buộc, cho người duyệt)</span></label>
        <input id="kb-note" maxlength="500" value=${note} onInput=${(e) => setNote(e.currentTarget.value)} placeholder="Ví dụ: mức trợ cấp mới theo nghị định…" />
        ${error && html`<p class="kb-error" role="alert">${error}</p>`}
        <div class="kb-edit__buttons">
          <button type="submit" class="btn btn--primary" disabled=${saving || !changed}>${saving ? 'Đang lưu…' : 'Lưu bản nháp'}</button>
          <button type="button" class="btn" disabled=${saving || !dirty} onClick=${() => (setForm(toForm(entry)), setError(''), setSaved(''))}>Bỏ thay đổi</button>
          ${!changed && html`<span class="muted">${saved === JSON.stringify(current) ? 'Đã lưu thành bản nháp.' : 'Chưa có thay đổi để lưu.'}</span>`}
        </div>
      </div>
      <section class="kb-preview" aria-labelledby="kb-preview-title">
        <h3 id="kb-preview-title">Xem trước <span class="muted">(người dân sẽ đọc thế này)</span></h3>
        <p class="kb-preview__state" aria-live="polite">${preview.loading ? 'Đang cập nhật…' : ''}</p>
        ${preview.error && html`<p class="kb-error">${preview.error}</p>`}
        ${preview.reply
          ? html`<${ReplyPreview} reply=${preview.reply} />`
          : !preview.loading && problems.length > 0 && html`<p class="kb-error">Chưa xem trước được: sửa các chỗ ghi đỏ trong ô bên cạnh.</p>`}
      </section>
    </form>
  `;
}

/** A reviewer's decision on one draft: approve (now, or from a day in Vietnam) or send back with a reason. */
export function ReviewForm({ entryId, version, today, onDone, onInfo }) {
  const [when, setWhen] = useState('now');
  const [day, setDay] = useState('');
  const [reason, setReason] = useState('');
  const [rejecting, setRejecting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const name = `kb-when-${version}`;

  const run = async (fn, message) => {
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      await fn();
      onInfo(message);
      onDone();
    } catch (err) {
      if (err.status !== 401) setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  const approve = (e) => {
    e.preventDefault();
    if (when === 'day' && !/^\d{4}-\d{2}-\d{2}$/.test(day)) return setError('Chọn ngày áp dụng.');
    const publishOn = when === 'day' ? day : null;
    void run(() => kbApi.approve(entryId, version, publishOn), publishOn ? `Đã duyệt bản ${version}: áp dụng từ ${vnDate(publishOn)}.` : `Đã duyệt bản ${version}: áp dụng ngay.`);
  };
  const reject = (e) => {
    e.preventDefault();
    if (!reason.trim()) return setError('Ghi lý do trả lại.');
    void run(() => kbApi.reject(entryId, version, reason.trim()), `Đã trả lại bản ${version}.`);
  };

  return html`
    <div class="kb-review">
      <form class="kb-review__approve" onSubmit=${approve}>
        <fieldset>
          <legend>Duyệt bản ${version}</legend>
          <label class="kb-choice"><input type="radio" name=${name} value="now" checked=${when === 'now'} onChange=${() => setWhen('now')} /> Áp dụng ngay</label>
          <label class="kb-choice"><input type="radio" name=${name} value="day" checked=${when === 'day'} onChange=${() => setWhen('day')} /> Áp dụng từ ngày</label>
          ${when === 'day' &&
          html`<label class="kb-choice kb-choice--date">
            Ngày áp dụng
            <input type="date" min=${today || undefined} value=${day} onInput=${(e) => setDay(e.currentTarget.value)} />
          </label>
          <p class="muted kb-review__hint">Bản này thay bản đang áp dụng từ 00:00 ngày đã chọn (giờ Việt Nam).</p>`}
          <button type="submit" class="btn btn--primary" disabled=${busy}>Duyệt</button>
        </fieldset>
      </form>
      ${rejecting
        ? html`<form class="kb-review__reject" onSubmit=${reject}>
            <label for=${`kb-reason-${version}`}>Lý do trả lại</label>
            <textarea id=${`kb-reason-${version}`} rows="2" maxlength="500" value=${reason} onInput=${(e) => setReason(e.currentTarget.value)}></textarea>
            <div class="kb-edit__buttons">
              <button type="submit" class="btn btn--warn" disabled=${busy}>Trả lại</button>
              <button type="button" class="btn" onClick=${() => (setRejecting(false), setError(''))}>Thôi</button>
            </div>
          </form>`
        : html`<button type="button" class="btn btn--warn" onClick=${() => setRejecting(true)}>Trả lại…</button>`}
      ${error && html`<p class="kb-error" role="alert">${error}</p>`}
    </div>
  `;
}
