// "Câu hỏi chưa trả lời": the questions the bot declined or had to clarify, grouped and
// masked (the inbox API, src/console/inbox-api.ts). #/inbox lists the open groups, most
// asked first, with how often and when; #/inbox/<id> shows one group's wordings, lets staff
// pick an entry (search the live entries), see which entry the question would then get,
// and in one click add it as a way of asking that entry (in force at once), start a new
// entry from it (a draft for review), or set it aside.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post } from './api.js';
import { html } from './html.js';
import { vnDateTime } from './labels.js';
import { TOPIC_LABELS, kbApi, topicLabel, vnDay } from './knowledge-edit.js';

const enc = encodeURIComponent;

export const inboxApi = {
  list: () => get('/inbox'),
  group: (id) => get(`/inbox/${enc(id)}`),
  preview: (id, entryId, question) => post(`/inbox/${enc(id)}/preview`, { entryId, question }),
  addPhrasing: (id, entryId, question) => post(`/inbox/${enc(id)}/phrasing`, { entryId, question }),
  newEntry: (id, body) => post(`/inbox/${enc(id)}/new-entry`, body),
  dismiss: (id) => post(`/inbox/${enc(id)}/dismiss`),
};

const KINDS = { declined: 'không trả lời được', clarified: 'phải hỏi lại', unhelpful: 'người dân chê' };
const HOW = { phrasing: 'đã thêm làm cách hỏi của mục', 'new-entry': 'đã tạo bản nháp mục mới', dismissed: 'đã bỏ qua' };

/** How often a group was asked, why it reached the inbox, and when. */
function GroupMeta({ group }) {
  return html`
    <div class="kb-row__meta">
      <span class="inbox-count"><strong>${group.count}</strong> lần hỏi</span>
      <${Kinds} kinds=${group.kinds} />
      <span>Lần đầu: ${vnDateTime(group.firstSeen)}</span>
      <span>Gần nhất: ${vnDateTime(group.lastSeen)}</span>
    </div>
  `;
}

function Kinds({ kinds }) {
  return html`${Object.entries(KINDS)
    .filter(([k]) => kinds[k] > 0)
    .map(([k, text]) => html`<span key=${k} class=${`badge badge--inbox-${k}`}>${kinds[k]} lần ${text}</span>`)}`;
}

export function InboxView({ id, onError, onInfo }) {
  return id ? html`<${GroupView} key=${id} id=${id} onError=${onError} onInfo=${onInfo} />` : html`<${ListView} onError=${onError} />`;
}

function ListView({ onError }) {
  const [groups, setGroups] = useState(null);
  useEffect(() => {
    inboxApi
      .list()
      .then((r) => setGroups(r.groups))
      .catch((err) => err.status !== 401 && onError(err.message));
  }, []);
  return html`
    <div class="kb inbox">
      <h2 class="kb__title">Câu hỏi chưa trả lời <span class="muted">· trợ lý chưa trả lời được, gộp theo câu giống nhau (đã che số điện thoại, tên)</span></h2>
      <section class="kb-section" aria-labelledby="inbox-title">
        <h2 id="inbox-title">Đang chờ xử lý ${groups && html`<span class="count">${groups.length}</span>`}</h2>
        ${!groups
          ? html`<p class="loading">Đang tải…</p>`
          : groups.length === 0
            ? html`<p class="empty">Không có câu hỏi nào đang chờ.</p>`
            : html`<ol class="kb-rows">
                ${groups.map(
                  (g) => html`
                    <li key=${g.id} class="kb-row inbox-row" data-group-id=${g.id}>
                      <a class="kb-row__question" href=${`#/inbox/${enc(g.id)}`}>${g.sample}</a>
                      <${GroupMeta} group=${g} />
                      ${g.samples.length > 1 && html`<ul class="inbox-samples">${g.samples.filter((s) => s !== g.sample).map((s, n) => html`<li key=${n}>${s}</li>`)}</ul>`}
                    </li>
                  `,
                )}
              </ol>`}
      </section>
    </div>
  `;
}

/** What the bot answers with the chosen change, in words. */
function PreviewLine({ result, entryId }) {
  if (!result) return null;
  if (result.kind === 'answer' || result.kind === 'counsellor') {
    const other = entryId && result.entryId !== entryId;
    return html`<p class=${`inbox-preview ${other ? 'inbox-preview--other' : 'inbox-preview--ok'}`} role="status">
      Câu này sẽ được trả lời bằng mục “${result.question ?? result.entryId}” <span class="muted">(${result.entryId})</span>${other ? ': không phải mục bạn chọn.' : '.'}
    </p>`;
  }
  return html`<p class="inbox-preview inbox-preview--none" role="status">
    Câu này vẫn chưa có mục phù hợp${result.kind === 'clarify' ? ': trợ lý sẽ hỏi lại người dân muốn hỏi điều nào' : ''}.
  </p>`;
}

/** Search the live entries (GET /kb/entries?q=), debounced; the group's closest entries until something is typed. */
function EntryPicker({ suggestions, chosen, onChoose }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState(null);
  const seq = useRef(0);
  useEffect(() => {
    if (!q.trim()) return setFound(null);
    const mine = ++seq.current;
    const timer = setTimeout(async () => {
      try {
        const r = await kbApi.list({ q });
        if (mine === seq.current) setFound(r.entries.slice(0, 20).map((e) => ({ id: e.id, topic: e.topic, question: e.question })));
      } catch {
        if (mine === seq.current) setFound([]);
      }
    }, 300);
    return () => clearTimeout(timer);
  }, [q]);
  const rows = found ?? suggestions;
  return html`
    <div class="inbox-picker">
      <label class="inbox-search">
        <span>Tìm mục kiến thức</span>
        <input type="search" value=${q} onInput=${(e) => setQ(e.currentTarget.value)} placeholder="Câu hỏi, nội dung, mã mục…" />
      </label>
      <p class="muted">${found ? `${rows.length} mục khớp` : 'Các mục gần với câu hỏi này:'}</p>
      <ul class="inbox-entries" role="listbox" aria-label="Chọn mục">
        ${rows.map(
          (e) => html`<li key=${e.id}>
            <button type="button" role="option" aria-selected=${chosen === e.id} class=${`inbox-entry ${chosen === e.id ? 'inbox-entry--chosen' : ''}`} onClick=${() => onChoose(e.id)}>
              <strong>${e.question}</strong> <span class="muted">${topicLabel(e.topic)} · ${e.id}</span>
            </button>
          </li>`,
        )}
      </ul>
    </div>
  `;
}

/** The small form of a new entry: its question is the group's; the answer is new content, so it goes for review. */
function NewEntryForm({ group, onDone, onCancel }) {
  const today = vnDay(new Date());
  const [f, setF] = useState({ id: '', topic: '', question: group.phrasing, body: '', source: '', effective: today, reviewed: today });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const set = (field) => (e) => setF((old) => ({ ...old, [field]: e.currentTarget.value }));
  const submit = async (e) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      const r = await inboxApi.newEntry(group.id, { ...f, id: f.id.trim(), source: f.source.trim() });
      onDone(r.version);
    } catch (err) {
      if (err.status !== 401) setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <form class="kb-edit__fields inbox-new" onSubmit=${submit} aria-labelledby="inbox-new-title">
      <h3 id="inbox-new-title">Tạo mục mới <span class="muted">(bản nháp, cần giám sát viên duyệt)</span></h3>
      <label for="inbox-new-question">Câu hỏi</label>
      <input id="inbox-new-question" value=${f.question} onInput=${set('question')} />
      <label for="inbox-new-id">Mã mục <span class="muted">(chữ thường không dấu, nối bằng gạch ngang)</span></label>
      <input id="inbox-new-id" value=${f.id} onInput=${set('id')} placeholder="vi-du-vay-von-lam-an" />
      <label for="inbox-new-topic">Chủ đề</label>
      <select id="inbox-new-topic" value=${f.topic} onChange=${set('topic')}>
        <option value="">Chọn chủ đề…</option>
        ${Object.entries(TOPIC_LABELS).map(([value, text]) => html`<option key=${value} value=${value}>${text}</option>`)}
      </select>
      <label for="inbox-new-body">Câu trả lời</label>
      <textarea id="inbox-new-body" rows="6" value=${f.body} onInput=${set('body')}></textarea>
      <label for="inbox-new-source">Nguồn <span class="muted">(văn bản, điều, khoản)</span></label>
      <input id="inbox-new-source" value=${f.source} onInput=${set('source')} />
      <div class="kb-edit__row">
        <div>
          <label for="inbox-new-effective">Hiệu lực từ</label>
          <input id="inbox-new-effective" value=${f.effective} onInput=${set('effective')} />
        </div>
        <div>
          <label for="inbox-new-reviewed">Ngày rà soát</label>
          <input id="inbox-new-reviewed" type="date" value=${f.reviewed} onInput=${set('reviewed')} />
        </div>
      </div>
      ${error && html`<p class="kb-error" role="alert">${error}</p>`}
      <div class="kb-edit__buttons">
        <button type="submit" class="btn btn--primary" disabled=${busy}>${busy ? 'Đang lưu…' : 'Lưu bản nháp'}</button>
        <button type="button" class="btn" onClick=${onCancel}>Thôi</button>
      </div>
    </form>
  `;
}

function GroupView({ id, onError, onInfo }) {
  const [data, setData] = useState(null);
  const [missing, setMissing] = useState('');
  const [entryId, setEntryId] = useState(null);
  const [question, setQuestion] = useState('');
  const [preview, setPreview] = useState(null);
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  useEffect(() => {
    inboxApi
      .group(id)
      .then((r) => {
        setData(r);
        setQuestion(r.group.phrasing);
      })
      .catch((err) => (err.status === 404 ? setMissing(err.message) : err.status !== 401 && onError(err.message)));
  }, [id]);
  useEffect(() => {
    if (!entryId || !data || data.group.status !== 'open') return setPreview(null);
    let stale = false;
    const timer = setTimeout(() => {
      inboxApi
        .preview(id, entryId, question)
        .then((r) => !stale && setPreview(r))
        .catch((err) => !stale && err.status !== 401 && setError(err.message));
    }, 300);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [entryId, question, data]);

  if (missing) return html`<div class="kb"><p class="back"><a href="#/inbox">← Câu hỏi chưa trả lời</a></p><p class="empty">${missing}</p></div>`;
  if (!data) return html`<p class="loading" role="status">Đang tải nhóm câu hỏi…</p>`;
  const { group } = data;
  const open = group.status === 'open';

  const run = async (fn, message, to) => {
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      const r = await fn();
      onInfo(typeof message === 'function' ? message(r) : message);
      location.hash = to;
    } catch (err) {
      if (err.status !== 401) setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  const addPhrasing = () =>
    run(() => inboxApi.addPhrasing(id, entryId, question), (r) => `Đã thêm cách hỏi vào mục ${entryId}${r.version ? ` (bản ${r.version.version}, áp dụng ngay)` : ''}.`, '#/inbox');

  return html`
    <div class="kb inbox-group" data-group-id=${group.id}>
      <p class="back"><a href="#/inbox">← Câu hỏi chưa trả lời</a></p>
      <h2 class="kb__title">${group.sample}</h2>
      <${GroupMeta} group=${group} />
      ${!open && html`<p class="kb-scheduled">Nhóm này ${HOW[group.resolution?.how] ?? 'đã xử lý'}${group.resolution?.entryId ? ` ${group.resolution.entryId}` : ''}.</p>`}
      <section class="kb-section" aria-labelledby="inbox-samples-title">
        <h3 id="inbox-samples-title">Các cách người dân đã hỏi <span class="muted">(gần nhất ở cuối)</span></h3>
        <ul class="inbox-samples">${group.samples.map((s, n) => html`<li key=${n}>${s}</li>`)}</ul>
        <div class="muted inbox-now">Hiện nay: <${PreviewLine} result=${data.now} /></div>
      </section>
      ${error && html`<p class="kb-error" role="alert">${error}</p>`}
      ${open &&
      (creating
        ? html`<section class="kb-section"><${NewEntryForm} group=${group} onCancel=${() => setCreating(false)} onDone=${(v) => {
            onInfo(`Đã tạo bản nháp mục ${v.entryId}: cần một giám sát viên duyệt.`);
            location.hash = `#/kb/${enc(v.entryId)}`;
          }} /></section>`
        : html`<section class="kb-section inbox-act" aria-labelledby="inbox-act-title">
            <h3 id="inbox-act-title">Thêm làm một cách hỏi của mục có sẵn</h3>
            <label class="inbox-question">
              <span>Câu hỏi sẽ thêm <span class="muted">(sửa được)</span></span>
              <input value=${question} maxlength="300" onInput=${(e) => setQuestion(e.currentTarget.value)} />
            </label>
            <${EntryPicker} suggestions=${data.suggestions} chosen=${entryId} onChoose=${setEntryId} />
            ${entryId && (preview ? html`<${PreviewLine} result=${preview.result} entryId=${entryId} />` : html`<p class="muted" role="status">Đang xem trước…</p>`)}
            <div class="kb-edit__buttons">
              <button type="button" class="btn btn--primary" disabled=${busy || !entryId} onClick=${addPhrasing}>Thêm làm cách hỏi</button>
              <button type="button" class="btn" disabled=${busy} onClick=${() => setCreating(true)}>Tạo mục mới…</button>
              <button type="button" class="btn btn--warn" disabled=${busy} onClick=${() => run(() => inboxApi.dismiss(id), 'Đã bỏ qua nhóm câu hỏi.', '#/inbox')}>Bỏ qua</button>
            </div>
            <p class="hint">Thêm cách hỏi không đổi nội dung người dân đọc nên áp dụng ngay, không cần người duyệt thứ hai.</p>
          </section>`)}
    </div>
  `;
}
