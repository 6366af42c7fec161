// Supervisors' list of the conversations the bot is handling (GET /console/api/conversations?status=bot),
// under the queue: any of them can be read (#/conversation/<id>, read-only) or handed to a
// counsellor ("Chuyển cho tư vấn viên", POST …/flag with an optional note), which puts it in
// the queue. Refetched on every live event, like the queue (a message stored on this
// instance is one), and every REFRESH_MS besides: a citizen writing to the bot through
// another instance makes no live event here (the feed's store poll watches only the
// conversations of open tickets).
import { useEffect, useState } from 'preact/hooks';
import { consoleApi } from './api.js';
import { html } from './html.js';
import { CHANNEL_LABELS, RISK_LABELS, RISK_LEVEL_LABELS, label, vnTime } from './labels.js';
import { useCoalesced, useLiveEvent } from './live.js';

const REFRESH_MS = 30_000;

/** The bot's conversations, newest first, kept fresh; `reload()` asks for a refetch soon. */
export function useBotConversations(live, onError) {
  const [state, setState] = useState({ rows: null });
  const load = async () => {
    try {
      const data = await consoleApi.conversations('bot');
      setState({ rows: data.conversations });
    } catch (err) {
      if (err.status !== 401) onError(err.message);
    }
  };
  const reload = useCoalesced(load, 150);
  useEffect(() => {
    void load();
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  useLiveEvent(live, () => reload());
  return { ...state, reload };
}

/** "Chuyển cho tư vấn viên": an optional note for whoever takes it, then the flag. */
export function FlagForm({ conversationId, act, onFlagged, onCancel }) {
  const [note, setNote] = useState('');
  const [sending, setSending] = useState(false);
  const id = `flag-note-${conversationId}`;
  const submit = async (e) => {
    e.preventDefault();
    if (sending) return;
    setSending(true);
    const done = await act(() => consoleApi.flag(conversationId, note.trim()), 'Đã chuyển cuộc trò chuyện cho tư vấn viên.');
    setSending(false);
    if (done) onFlagged(done.ticket);
  };
  return html`
    <form class="flag-form" onSubmit=${submit}>
      <label for=${id}>Ghi chú cho tư vấn viên <span class="muted">(không bắt buộc, người dân không thấy)</span></label>
      <textarea id=${id} rows="2" maxlength="4000" value=${note} onInput=${(e) => setNote(e.currentTarget.value)}></textarea>
      <div class="flag-form__buttons">
        <button type="submit" class="btn btn--primary" disabled=${sending}>${sending ? 'Đang chuyển…' : 'Chuyển'}</button>
        ${onCancel && html`<button type="button" class="btn" onClick=${onCancel}>Thôi</button>`}
      </div>
    </form>
  `;
}

function BotConversationRow({ row, act, onFlagged }) {
  const [flagging, setFlagging] = useState(false);
  const risk = row.risk;
  return html`
    <li class=${`ticket bot-conversation ${risk?.level === 'urgent' ? 'ticket--urgent' : ''}`} data-conversation-id=${row.id}>
      <div class="ticket__main">
        ${risk &&
        html`<span class="flags">
          <span class=${`badge ${risk.level === 'urgent' ? 'badge--urgent' : 'badge--risk'}`}>
            ${label(RISK_LEVEL_LABELS, risk.level)}${risk.category ? ` · ${label(RISK_LABELS, risk.category)}` : ''}
          </span>
        </span>`}
        <p class="bot-conversation__last">
          ${row.lastMessage !== null
            ? row.lastMessage
            : html`<span class="muted">${row.lastMessageRedacted ? 'Tin nhắn cuối đã được xóa.' : 'Người dân chưa nhắn gì.'}</span>`}
        </p>
        <div class="ticket__meta">
          <span>Kênh: ${label(CHANNEL_LABELS, row.channel)}</span>
          <span>Tin cuối: <time datetime=${row.lastInboundAt ?? row.updatedAt}>${vnTime(row.lastInboundAt ?? row.updatedAt)}</time></span>
          <span>Bắt đầu: ${vnTime(row.createdAt)}</span>
        </div>
      </div>
      <div class="ticket__actions">
        <a class="btn" href=${`#/conversation/${encodeURIComponent(row.id)}`}>Xem</a>
        ${!flagging && html`<button type="button" class="btn btn--warn" onClick=${() => setFlagging(true)}>Chuyển cho tư vấn viên</button>`}
      </div>
      ${flagging &&
      html`<div class="bot-conversation__flag">
        <${FlagForm}
          conversationId=${row.id}
          act=${act}
          onFlagged=${() => {
            setFlagging(false);
            onFlagged();
          }}
          onCancel=${() => setFlagging(false)}
        />
      </div>`}
    </li>
  `;
}

export function BotConversations({ live, act, onError }) {
  const list = useBotConversations(live, onError);
  const rows = list.rows;
  return html`
    <section class="queue__section" data-section="bot" aria-labelledby="h-bot">
      <h2 id="h-bot">Cuộc trò chuyện với bot ${rows && html`<span class="count">${rows.length}</span>`}</h2>
      ${rows === null
        ? html`<p class="loading" role="status">Đang tải…</p>`
        : rows.length === 0
          ? html`<p class="empty">Không có cuộc trò chuyện nào đang do trợ lý tự động trả lời.</p>`
          : html`<ol class="tickets">
              ${rows.map((row) => html`<${BotConversationRow} key=${row.id} row=${row} act=${act} onFlagged=${list.reload} />`)}
            </ol>`}
    </section>
  `;
}
