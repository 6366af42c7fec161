// "Kiến thức": staff keep the policy FAQ current (the knowledge API, src/console/kb-api.ts).
// #/kb lists the entries in force (search, topic, "cần rà soát") and the drafts waiting
// for review; #/kb/<id> shows one entry: the version in force, the drafts with the
// reviewer's "Duyệt" / "Trả lại", the edit form with its live preview (knowledge-edit.js),
// and every version, older ones with "Khôi phục bản này". Supervisors and admins approve,
// never their own draft; the server has the last word and its refusals are shown as said.
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { vnDateTime } from './labels.js';
import { EditForm, ReviewForm, TOPIC_LABELS, authorName, kbApi, topicLabel, vnDate, vnDay } from './knowledge-edit.js';

const STATUS = { draft: 'nháp', approved: 'đã duyệt', rejected: 'trả lại' };

const isReviewer = (me) => me.role === 'supervisor' || me.role === 'admin';
/** May write drafts: reviewers, and staff given the permission (unknown to the page: the API decides). */
export const mayEditKnowledge = (me) => isReviewer(me) || me.canEditKnowledge !== false;

/** The list's filters, kept while the user opens an entry and comes back. */
let filters = { q: '', topic: '', due: false };

export function KnowledgeView({ me, id, onError, onInfo }) {
  return id
    ? html`<${EntryView} key=${id} me=${me} id=${id} onError=${onError} onInfo=${onInfo} />`
    : html`<${ListView} onError=${onError} />`;
}

function ListView({ onError }) {
  const [f, setF] = useState(filters);
  const [list, setList] = useState(null);
  const [drafts, setDrafts] = useState(null);
  const [loading, setLoading] = useState(true);
  const set = (patch) => setF((old) => (filters = { ...old, ...patch }));

  useEffect(() => {
    kbApi
      .drafts()
      .then((r) => setDrafts(r.drafts))
      .catch((err) => err.status !== 401 && onError(err.message));
  }, []);
  useEffect(() => {
    let stale = false;
    setLoading(true);
    const timer = setTimeout(async () => {
      try {
        const r = await kbApi.list(f);
        if (!stale) setList(r);
      } catch (err) {
        if (!stale && err.status !== 401) onError(err.message);
      } finally {
        if (!stale) setLoading(false);
      }
    }, list ? 300 : 0);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [f.q, f.topic, f.due]);

  const topics = list?.topics ?? Object.keys(TOPIC_LABELS);
  return html`
    <div class="kb">
      <h2 class="kb__title">Kiến thức <span class="muted">· câu trả lời về chính sách mà trợ lý dùng</span></h2>
      <p class="kb-links"><a href="#/kb-policy">Giá trị chính sách</a> <span class="muted">· các mức tiền, ngày áp dụng dùng chung cho nhiều câu trả lời</span></p>
      <${DraftList} drafts=${drafts} />
      <section class="kb-section kb-entries" aria-labelledby="kb-entries-title">
        <h2 id="kb-entries-title">Các mục đang áp dụng ${list && html`<span class="count">${list.entries.length}</span>`}</h2>
        <form class="kb-filters" role="search" onSubmit=${(e) => e.preventDefault()}>
          <label class="kb-filters__q">
            <span>Tìm</span>
            <input type="search" value=${f.q} onInput=${(e) => set({ q: e.currentTarget.value })} placeholder="Câu hỏi, nội dung, nguồn…" />
          </label>
          <label>
            <span>Chủ đề</span>
            <select value=${f.topic} onChange=${(e) => set({ topic: e.currentTarget.value })}>
              <option value="">Tất cả chủ đề</option>
              ${topics.map((t) => html`<option key=${t} value=${t}>${topicLabel(t)}</option>`)}
            </select>
          </label>
          <label class="kb-check">
            <input type="checkbox" checked=${f.due} onChange=${(e) => set({ due: e.currentTarget.checked })} />
            <span>Cần rà soát</span>
          </label>
        </form>
        <p class="kb-state" role="status">${loading ? 'Đang tải…' : ''}</p>
        ${list &&
        (list.entries.length === 0
          ? html`<p class="empty">Không có mục nào khớp.</p>`
          : html`<ol class="kb-rows">${list.entries.map((row) => html`<${EntryRow} key=${row.id} row=${row} />`)}</ol>`)}
      </section>
    </div>
  `;
}

function EntryRow({ row }) {
  return html`
    <li class=${`kb-row ${row.reviewDue ? 'kb-row--due' : ''}`} data-entry-id=${row.id}>
      <a class="kb-row__question" href=${`#/kb/${encodeURIComponent(row.id)}`}>${row.question}</a>
      <div class="kb-row__meta">
        <span>${topicLabel(row.topic)}</span>
        <span>Rà soát: ${vnDate(row.reviewed)}${row.reviewDue ? html` <span class="badge badge--due">cần rà soát</span>` : ''}</span>
        <span>Bản ${row.version}</span>
        ${row.drafts > 0 && html`<span class="badge badge--draft">${row.drafts} bản nháp</span>`}
        ${row.scheduledAt && html`<span class="badge badge--scheduled">bản mới áp dụng từ ${vnDate(row.scheduledAt)}</span>`}
      </div>
    </li>
  `;
}

function DraftList({ drafts }) {
  return html`
    <section class="kb-section kb-section--drafts" aria-labelledby="kb-drafts-title">
      <h2 id="kb-drafts-title">Chờ duyệt ${drafts && html`<span class="count">${drafts.length}</span>`}</h2>
      ${!drafts
        ? html`<p class="loading">Đang tải…</p>`
        : drafts.length === 0
          ? html`<p class="empty">Không có bản nháp nào chờ duyệt.</p>`
          : html`<ol class="kb-rows">
              ${drafts.map(
                (d) => html`
                  <li key=${`${d.entryId}-${d.version}`} class="kb-row kb-draft" data-entry-id=${d.entryId} data-version=${d.version}>
                    <a class="kb-row__question" href=${`#/kb/${encodeURIComponent(d.entryId)}`}>${d.entry ? d.entry.questions[0] : `Rút mục ${d.entryId}`}</a>
                    <div class="kb-row__meta">
                      <span>Bản ${d.version}${d.basedOn ? ` (sửa từ bản ${d.basedOn})` : ''}</span>
                      <span>Người viết: ${authorName(d.author)}</span>
                      <span>${vnDateTime(d.createdAt)}</span>
                    </div>
                    ${d.note && html`<p class="kb-row__note">Thay đổi: ${d.note}</p>`}
                    <a class="btn btn--small kb-row__open" href=${`#/kb/${encodeURIComponent(d.entryId)}`}>Xem bản nháp</a>
                  </li>
                `,
              )}
            </ol>`}
    </section>
  `;
}

/** Line by line: what `after` removed from and added to `before` (longest common subsequence). */
function lineDiff(before, after) {
  const x = before.split('\n');
  const y = after.split('\n');
  const lcs = Array.from({ length: x.length + 1 }, () => new Array(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--) lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) out.push({ kind: 'same', text: x[i++], n: j++ });
    else if (j >= y.length || (i < x.length && lcs[i + 1][j] >= lcs[i][j + 1])) out.push({ kind: 'del', text: x[i++] });
    else out.push({ kind: 'add', text: y[j++] });
  }
  return out;
}

/** What a version changes from the one it was based on: the fields that differ, the body line by line. */
function Changes({ from, to }) {
  if (!to) return html`<p class="kb-diff__none">Bản này rút mục khỏi kho: trợ lý sẽ không trả lời theo mục này nữa.</p>`;
  if (!from) return null;
  const fields = [
    ['topic', 'Chủ đề', (e) => topicLabel(e.topic)],
    ['questions', 'Câu hỏi', (e) => e.questions.join(' · ')],
    ['source', 'Nguồn', (e) => e.source],
    ['effective', 'Hiệu lực từ', (e) => vnDate(e.effective)],
    ['reviewed', 'Ngày rà soát', (e) => vnDate(e.reviewed)],
  ].filter(([, , show]) => show(from) !== show(to));
  const body = from.body === to.body ? [] : lineDiff(from.body, to.body);
  if (fields.length === 0 && body.length === 0) return html`<p class="kb-diff__none">Nội dung giống bản đang so.</p>`;
  return html`
    <div class="kb-diff">
      ${fields.map(([key, name, show]) => html`<p key=${key} class="kb-diff__field"><strong>${name}:</strong> <del>${show(from)}</del> → <ins>${show(to)}</ins></p>`)}
      ${body.length > 0 &&
      html`<div class="kb-diff__body" aria-label="Câu trả lời: dòng bỏ đi và dòng thêm vào">
        ${body.map((l, n) =>
          l.kind === 'same'
            ? html`<div key=${n} class="kb-diff__line">${l.text || ' '}</div>`
            : l.kind === 'del'
              ? html`<del key=${n} class="kb-diff__line kb-diff__line--del">${l.text || ' '}</del>`
              : html`<ins key=${n} class="kb-diff__line kb-diff__line--add">${l.text || ' '}</ins>`,
        )}
      </div>`}
    </div>
  `;
}

/**
 * One version: its status, who wrote and reviewed it, when it applies, what it changes. In
 * full (`compact` false) a draft shows its changes and, to a reviewer who did not write
 * it, "Duyệt" / "Trả lại"; in the history a draft is one line pointing up to "Chờ duyệt".
 */
function VersionItem({ v, me, ctx, compact }) {
  const { id, byVersion, inForce, nowMs, today, canEdit, busy, load, onInfo, restore, copy } = ctx;
  const compareTo = v.basedOn ? byVersion.get(v.basedOn) : null;
  const pending = v.status === 'approved' && v.publishAt && new Date(v.publishAt).getTime() > nowMs;
  const older = v.status === 'approved' && !v.inForce && !pending && v.entry;
  const own = v.authorId === me.id;
  return html`
    <li class=${`kb-version kb-version--${v.status} ${v.inForce ? 'kb-version--in-force' : ''}`} data-version=${v.version} data-status=${v.status}>
      <div class="kb-version__head">
        <strong>Bản ${v.version}</strong>
        <span class=${`badge badge--${v.status}`}>${STATUS[v.status] ?? v.status}</span>
        ${v.inForce && html`<span class="badge badge--in-force">đang áp dụng</span>`}
        ${v.status === 'approved' && v.publishAt && html`<span class="kb-version__from">áp dụng từ ${vnDate(v.publishAt)}</span>`}
        ${pending && html`<span class="badge badge--scheduled">chưa tới ngày</span>`}
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
          ? html`<p class="kb-diff__what">${inForce ? `So với bản ${inForce.version} đang áp dụng` : `So với bản ${v.basedOn ?? 'trước'}`}${inForce && v.basedOn && v.basedOn !== inForce.version ? ` (bản nháp viết từ bản ${v.basedOn})` : ''}:</p>
              <${Changes} from=${inForce?.entry ?? compareTo?.entry ?? null} to=${v.entry} />`
          : (compareTo || !v.entry) &&
            html`<details class="kb-version__changes"><summary>Xem thay đổi so với bản ${v.basedOn ?? 'trước'}</summary><${Changes} from=${compareTo?.entry ?? null} to=${v.entry} /></details>`}
      ${!compact &&
      v.status === 'draft' &&
      (!isReviewer(me)
        ? html`<p class="hint">Chờ giám sát viên hoặc quản trị viên duyệt.</p>`
        : own
          ? html`<p class="hint">Bản này do bạn viết: cần một giám sát viên khác duyệt.</p>`
          : html`<${ReviewForm} entryId=${id} version=${v.version} today=${today} onDone=${load} onInfo=${onInfo} />`)}
      ${!compact &&
      html`<div class="kb-version__actions">
        ${canEdit && v.entry && v.status !== 'approved' && html`<button type="button" class="btn btn--small" onClick=${() => copy(v)}>Chép vào ô sửa</button>`}
        ${canEdit && older && html`<button type="button" class="btn btn--small" disabled=${busy} onClick=${() => restore(v)}>Khôi phục bản này</button>`}
      </div>`}
    </li>
  `;
}

function EntryView({ me, id, onError, onInfo }) {
  const [data, setData] = useState(null);
  const [row, setRow] = useState(null);
  const [now, setNow] = useState(null);
  const [missing, setMissing] = useState('');
  const [source, setSource] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const load = async () => {
    try {
      // The list answers with the server's clock: "today" for the publish date is the server's.
      const [detail, list] = await Promise.all([kbApi.entry(id), kbApi.list({ q: id })]);
      setData(detail);
      setNow(list.now);
      setRow(list.entries.find((r) => r.id === id) ?? null);
    } catch (err) {
      if (err.status === 404) setMissing(err.message);
      else if (err.status !== 401) onError(err.message);
    }
  };
  useEffect(() => void load(), [id]);

  if (missing) return html`<div class="kb"><p class="back"><a href="#/kb">← Kiến thức</a></p><p class="empty">${missing}</p></div>`;
  if (!data) return html`<p class="loading" role="status">Đang tải mục kiến thức…</p>`;

  const nowMs = now ? new Date(now).getTime() : Date.now();
  const inForce = data.inForce;
  const latestWithEntry = [...data.versions].reverse().find((v) => v.entry);
  const shown = inForce?.entry ?? latestWithEntry?.entry ?? null;
  const scheduled = data.versions.filter((v) => v.status === 'approved' && v.publishAt && new Date(v.publishAt).getTime() > nowMs);
  const drafts = data.versions.filter((v) => v.status === 'draft');
  const canEdit = mayEditKnowledge(me);
  const form = source ?? { key: 'in-force', entry: shown, label: inForce ? `từ bản ${inForce.version} đang áp dụng` : 'mục chưa áp dụng' };

  const restore = async (v) => {
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      const r = await kbApi.restore(id, v.version);
      onInfo(`Đã tạo bản nháp ${r.version.version} từ bản ${v.version}: cần một giám sát viên duyệt.`);
      await load();
    } catch (err) {
      if (err.status !== 401) setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  const copy = (v) => {
    setSource({ key: `v${v.version}-${Date.now()}`, entry: v.entry, label: `chép từ bản ${v.version}` });
    requestAnimationFrame(() => document.getElementById('kb-body')?.focus());
  };
  const ctx = { id, byVersion: new Map(data.versions.map((v) => [v.version, v])), inForce, nowMs, today: now ? vnDay(now) : '', canEdit, busy, load, onInfo, restore, copy };

  return html`
    <div class="kb kb-entry" data-entry-id=${id}>
      <p class="back"><a href="#/kb">← Kiến thức</a></p>
      <h2 class="kb__title">${shown ? shown.questions[0] : id}</h2>
      <div class="kb-row__meta">
        <span>Mã: ${id}</span>
        ${shown && html`<span>${topicLabel(shown.topic)}</span>`}
        ${inForce ? html`<span>Bản ${inForce.version} đang áp dụng</span>` : html`<span class="badge badge--due">chưa có bản nào áp dụng</span>`}
        ${inForce && html`<span>Rà soát: ${vnDate(inForce.entry.reviewed)}${row?.reviewDue ? html` <span class="badge badge--due">cần rà soát</span>` : ''}</span>`}
      </div>
      ${scheduled.map((v) => html`<p key=${v.version} class="kb-scheduled">Bản ${v.version} đã duyệt, áp dụng từ ${vnDate(v.publishAt)}.</p>`)}
      ${error && html`<p class="kb-error" role="alert">${error}</p>`}

      ${inForce &&
      html`<section class="kb-section kb-current" aria-labelledby="kb-current-title">
        <h3 id="kb-current-title">Đang áp dụng <span class="muted">(bản ${inForce.version}, nội dung gốc)</span></h3>
        <p class="kb-current__body">${inForce.entry.body}</p>
        <p class="kb-current__meta">Nguồn: ${inForce.entry.source} · Hiệu lực từ ${vnDate(inForce.entry.effective)}</p>
      </section>`}

      ${drafts.length > 0 &&
      html`<section class="kb-section kb-section--drafts kb-pending" aria-labelledby="kb-pending-title">
        <h3 id="kb-pending-title">Chờ duyệt <span class="count">${drafts.length}</span></h3>
        <ol class="kb-history">${drafts.map((v) => html`<${VersionItem} key=${v.version} v=${v} me=${me} ctx=${ctx} />`)}</ol>
      </section>`}

      ${canEdit
        ? html`<section class="kb-section" aria-label="Sửa nội dung">
            <${EditForm} key=${form.key} entryId=${id} entry=${form.entry} basedOn=${inForce?.version ?? null} fromLabel=${form.label} onSaved=${load} onInfo=${onInfo} />
          </section>`
        : html`<p class="hint">Tài khoản này chưa được giao sửa nội dung. Cần sửa, hãy báo giám sát viên.</p>`}

      <section class="kb-section kb-versions" aria-labelledby="kb-history-title">
        <h3 id="kb-history-title">Lịch sử các phiên bản <span class="count">${data.versions.length}</span></h3>
        <ol class="kb-history">
          ${[...data.versions].reverse().map((v) => html`<${VersionItem} key=${v.version} v=${v} me=${me} ctx=${ctx} compact=${v.status === 'draft'} />`)}
        </ol>
      </section>
    </div>
  `;
}
