// What a counsellor does in an open conversation: reply (Enter sends, Shift+Enter new
// line; canned responses inserted to edit), an internal note, transfer, hold / resume,
// close with an outcome. Each action goes through `act`, which shows a refusal in the
// page's alert area and returns null.
import { useEffect, useRef, useState } from 'preact/hooks';
import { consoleApi } from './api.js';
import { html } from './html.js';
import { PRESENCE_LABELS, label } from './labels.js';

let cannedCache = null;

function useCanned() {
  const [canned, setCanned] = useState(cannedCache ?? []);
  useEffect(() => {
    if (cannedCache) return;
    consoleApi
      .canned()
      .then((r) => {
        cannedCache = r.canned;
        setCanned(r.canned);
      })
      .catch(() => {});
  }, []);
  return canned;
}

export function ReplyBox({ ticket, act, onSent }) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const area = useRef(null);
  const canned = useCanned();

  const send = async () => {
    const body = text.trim();
    if (!body || sending) return;
    setSending(true);
    const done = await act(() => consoleApi.reply(ticket.id, body));
    setSending(false);
    if (done) {
      setText('');
      onSent();
    }
    area.current?.focus();
  };

  const onKeyDown = (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      void send();
    }
  };

  const insert = (e) => {
    const picked = canned.find((c) => c.id === e.currentTarget.value);
    e.currentTarget.value = '';
    if (!picked) return;
    const el = area.current;
    const start = el ? el.selectionStart : text.length;
    const end = el ? el.selectionEnd : text.length;
    const next = text.slice(0, start) + picked.text + text.slice(end);
    setText(next);
    requestAnimationFrame(() => {
      if (!el) return;
      el.focus();
      const caret = start + picked.text.length;
      el.setSelectionRange(caret, caret);
    });
  };

  return html`
    <form class="composer" onSubmit=${(e) => (e.preventDefault(), void send())}>
      <label for="reply-text">Trả lời người dân</label>
      <textarea
        id="reply-text"
        ref=${area}
        rows="3"
        maxlength="4000"
        value=${text}
        onInput=${(e) => setText(e.currentTarget.value)}
        onKeyDown=${onKeyDown}
        placeholder="Nhập tin nhắn… (Enter để gửi, Shift+Enter để xuống dòng)"
      ></textarea>
      <div class="composer__row">
        ${canned.length > 0 &&
        html`
          <select class="canned" aria-label="Chèn câu trả lời mẫu" onChange=${insert}>
            <option value="">Câu trả lời mẫu…</option>
            ${canned.map((c) => html`<option key=${c.id} value=${c.id}>${c.title}</option>`)}
          </select>
        `}
        <button type="submit" class="btn btn--primary" disabled=${sending || !text.trim()}>${sending ? 'Đang gửi…' : 'Gửi'}</button>
      </div>
    </form>
  `;
}

export function NoteBox({ conversationId, ticketId, act, onSaved }) {
  const [text, setText] = useState('');
  const [saving, setSaving] = useState(false);
  const save = async (e) => {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    setSaving(true);
    const done = await act(() => consoleApi.note(conversationId, body, ticketId), 'Đã lưu ghi chú nội bộ.');
    setSaving(false);
    if (done) {
      setText('');
      onSaved();
    }
  };
  return html`
    <form class="note-box" onSubmit=${save}>
      <label for="note-text">Ghi chú nội bộ <span class="muted">(người dân không thấy)</span></label>
      <textarea id="note-text" rows="2" maxlength="4000" value=${text} onInput=${(e) => setText(e.currentTarget.value)}></textarea>
      <button type="submit" class="btn" disabled=${saving || !text.trim()}>Lưu ghi chú</button>
    </form>
  `;
}

export function TransferForm({ ticket, me, queue, act, onDone }) {
  const [target, setTarget] = useState('');
  const colleagues = (queue?.staff ?? []).filter((s) => s.id !== me.id && s.id !== ticket.assigneeId);
  const teams = (queue?.teams ?? []).filter((t) => t.id !== ticket.team || ticket.status !== 'waiting');
  const submit = async (e) => {
    e.preventDefault();
    if (!target) return;
    const [kind, id] = [target.slice(0, target.indexOf(':')), target.slice(target.indexOf(':') + 1)];
    const body = kind === 'staff' ? { counsellorId: id } : { team: id };
    const done = await act(() => consoleApi.transfer(ticket.id, body), 'Đã chuyển phiếu.');
    if (done) {
      setTarget('');
      onDone(done.ticket);
    }
  };
  return html`
    <form class="inline-form" onSubmit=${submit}>
      <label for="transfer-to">Chuyển cho</label>
      <select id="transfer-to" value=${target} onChange=${(e) => setTarget(e.currentTarget.value)}>
        <option value="">Chọn đồng nghiệp hoặc nhóm…</option>
        ${colleagues.length > 0 &&
        html`<optgroup label="Đồng nghiệp">
          ${colleagues.map((s) => html`<option key=${s.id} value=${`staff:${s.id}`}>${s.displayName} (${label(PRESENCE_LABELS, s.presence)})</option>`)}
        </optgroup>`}
        <optgroup label="Nhóm">${teams.map((t) => html`<option key=${t.id} value=${`team:${t.id}`}>${t.label}</option>`)}</optgroup>
      </select>
      <button type="submit" class="btn" disabled=${!target}>Chuyển</button>
    </form>
  `;
}

export function CloseForm({ ticket, queue, act, onClosed }) {
  const [outcome, setOutcome] = useState('');
  const [note, setNote] = useState('');
  const [closing, setClosing] = useState(false);
  const outcomes = Object.entries(queue?.outcomes ?? {});
  const submit = async (e) => {
    e.preventDefault();
    if (!outcome) return;
    setClosing(true);
    const done = await act(() => consoleApi.close(ticket.id, outcome, note.trim()));
    setClosing(false);
    if (done) onClosed(queue.outcomes[outcome] ?? outcome);
  };
  return html`
    <form class="close-form" onSubmit=${submit}>
      <label for="close-outcome">Kết quả</label>
      <select id="close-outcome" required value=${outcome} onChange=${(e) => setOutcome(e.currentTarget.value)}>
        <option value="">Chọn kết quả…</option>
        ${outcomes.map(([code, text]) => html`<option key=${code} value=${code}>${text}</option>`)}
      </select>
      <label for="close-note">Ghi chú khi đóng <span class="muted">(không bắt buộc)</span></label>
      <textarea id="close-note" rows="2" maxlength="4000" value=${note} onInput=${(e) => setNote(e.currentTarget.value)}></textarea>
      <button type="submit" class="btn btn--danger" disabled=${!outcome || closing}>Đóng phiếu</button>
    </form>
  `;
}

/** The buttons that apply to this ticket for me, and the forms behind them. */
export function TicketActions({ ticket, me, queue, act, onChanged, onClaim, onTakeOver, onClosed }) {
  const open = ['waiting', 'assigned', 'on-hold'].includes(ticket.status);
  if (!open) return html`<p class="muted">Phiếu đã đóng: chỉ xem lại được.</p>`;
  const supervisor = me.role === 'supervisor' || me.role === 'admin';
  const mine = ticket.assigneeId === me.id && ticket.status !== 'waiting';
  const othersHeld = ticket.status !== 'waiting' && !mine;
  if (othersHeld && !supervisor) {
    return html`<p class="muted">Phiếu do ${ticket.assigneeName ?? 'người khác'} xử lý. Chỉ người nhận hoặc giám sát viên mới thao tác được.</p>`;
  }
  return html`
    <div class="actions">
      <div class="actions__buttons">
        ${ticket.status === 'waiting' && html`<button type="button" class="btn btn--primary" onClick=${() => onClaim(ticket)}>Nhận</button>`}
        ${othersHeld && supervisor && html`<button type="button" class="btn btn--warn" onClick=${() => onTakeOver(ticket)}>Tiếp quản</button>`}
        ${mine && ticket.status === 'assigned' &&
        html`<button type="button" class="btn" onClick=${async () => (await act(() => consoleApi.hold(ticket.id), 'Đã tạm giữ phiếu.')) && onChanged()}>
          Tạm giữ
        </button>`}
        ${mine && ticket.status === 'on-hold' &&
        html`<button type="button" class="btn" onClick=${async () => (await act(() => consoleApi.resume(ticket.id), 'Đã tiếp tục phiếu.')) && onChanged()}>
          Tiếp tục
        </button>`}
      </div>
      ${(mine || supervisor) &&
      html`
        <details class="panel">
          <summary>Chuyển phiếu</summary>
          <${TransferForm} ticket=${ticket} me=${me} queue=${queue} act=${act} onDone=${onChanged} />
        </details>
        <details class="panel">
          <summary>Đóng phiếu</summary>
          <${CloseForm} ticket=${ticket} queue=${queue} act=${act} onClosed=${onClosed} />
        </details>
      `}
    </div>
  `;
}
