// The citizen's whole story: every message of their conversations (citizen, bot,
// counsellor) and the staff's internal notes, in time order, each kind styled apart.
import { useEffect, useRef } from 'preact/hooks';
import { html } from './html.js';
import { deliveryLabel, KIND_LABELS, vnDateTime, vnTime } from './labels.js';

function who(line) {
  if (line.kind === 'counsellor') return line.author ? `${line.author} (tư vấn viên)` : KIND_LABELS.counsellor;
  if (line.kind === 'note') return line.author ? `Ghi chú nội bộ · ${line.author}` : KIND_LABELS.note;
  return KIND_LABELS[line.kind] ?? line.kind;
}

function Line({ line }) {
  return html`
    <li class=${`line line--${line.kind}`} data-kind=${line.kind}>
      <div class="line__head">
        <span class="line__who">${who(line)}</span>
        <time datetime=${line.at} title=${vnDateTime(line.at)}>${vnTime(line.at)}</time>
      </div>
      <div class="line__text">${line.text}</div>
      ${line.attachments?.length > 0 &&
      html`<ul class="line__attachments">
        ${line.attachments.map(
          (a) => html`<li>${a.url ? html`<a href=${a.url} target="_blank" rel="noopener noreferrer">${attachmentLabel(a)}</a>` : attachmentLabel(a)}</li>`,
        )}
      </ul>`}
      ${line.delivery &&
      html`<div class=${`line__delivery line__delivery--${line.delivery.status}`} role=${line.delivery.status === 'failed' ? 'alert' : undefined}>
        ${deliveryLabel(line.delivery)}
      </div>`}
      ${line.redacted && html`<div class="line__redacted">Đã che số điện thoại, số giấy tờ.</div>`}
      ${line.choices.length > 0 &&
      html`<div class="line__choices" aria-label="Lựa chọn đã gợi ý">${line.choices.map((c) => html`<span class="chip">${c}</span>`)}</div>`}
    </li>
  `;
}

const ATTACHMENT_LABELS = [
  [/image|photo|sticker/, 'Ảnh / nhãn dán'],
  [/audio|voice/, 'Tin nhắn thoại'],
  [/video/, 'Video'],
  [/location/, 'Vị trí'],
];

function attachmentLabel(a) {
  const found = ATTACHMENT_LABELS.find(([re]) => re.test(a.kind));
  return `📎 ${found ? found[1] : 'Tệp'}${a.name ? `: ${a.name}` : ''}`;
}

export function Transcript({ lines, currentConversationId }) {
  const box = useRef(null);
  const last = lines.length ? lines[lines.length - 1].id : '';
  useEffect(() => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [last]);

  const items = [];
  let previous = null;
  for (const line of lines) {
    if (previous !== null && line.conversationId !== previous) {
      items.push(
        html`<li class="line-divider" key=${`d-${line.id}`}>
          ${line.conversationId === currentConversationId ? 'Cuộc trò chuyện hiện tại' : 'Cuộc trò chuyện khác của người này'}
        </li>`,
      );
    }
    previous = line.conversationId;
    items.push(html`<${Line} key=${line.id} line=${line} />`);
  }
  return html`
    <div class="transcript" ref=${box} tabindex="0" aria-label="Nội dung trò chuyện">
      ${lines.length === 0 ? html`<p class="empty">Chưa có tin nhắn.</p>` : html`<ol class="lines">${items}</ol>`}
    </div>
  `;
}
