// The console's shell: who is logged in (GET /me, else the login form), the header with
// name, role, presence and navigation, the alert area, one live-event stream, the queue
// data, and hash routing: #/ (queue, and for supervisors the bot's conversations),
// #/ticket/<id>, #/conversation/<id> (read-only), #/stats, #/kb and #/kb/<id> (knowledge),
// #/kb-policy and #/kb-policy/<key> (the policy values, part of Kiến thức), #/inbox and
// #/inbox/<id> (the unanswered questions).
import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { consoleApi, setCsrfToken, setUnauthorizedHandler } from './api.js';
import { BotConversations } from './bot-conversations.js';
import { KnowledgeView, mayEditKnowledge } from './knowledge.js';
import { PolicyView } from './policy.js';
import { InboxView } from './inbox.js';
import { ConversationView } from './conversation.js';
import { html } from './html.js';
import { PRESENCE_LABELS, ROLE_LABELS, label } from './labels.js';
import { createLive } from './live.js';
import { LoginForm } from './login.js';
import { askNotificationPermission, notificationPermission, unlockAudioOnGesture } from './notify.js';
import { QueueView, useQueue } from './queue.js';
import { StatsView } from './stats.js';

function parseHash() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const ticket = /^\/ticket\/([^/?#]+)/.exec(hash);
  if (ticket) return { name: 'ticket', id: decodeURIComponent(ticket[1]) };
  const conversation = /^\/conversation\/([^/?#]+)/.exec(hash);
  if (conversation) return { name: 'conversation', id: decodeURIComponent(conversation[1]) };
  if (hash.startsWith('/stats')) return { name: 'stats' };
  const policy = /^\/kb-policy(?:\/([^/?#]+))?\/?(?:[?#]|$)/.exec(hash);
  if (policy) return { name: 'policy', id: policy[1] ? decodeURIComponent(policy[1]) : null };
  const kb = /^\/kb(?:\/([^/?#]+))?\/?(?:[?#]|$)/.exec(hash);
  if (kb) return { name: 'kb', id: kb[1] ? decodeURIComponent(kb[1]) : null };
  const inbox = /^\/inbox(?:\/([^/?#]+))?\/?(?:[?#]|$)/.exec(hash);
  if (inbox) return { name: 'inbox', id: inbox[1] ? decodeURIComponent(inbox[1]) : null };
  return { name: 'queue' };
}

function useHashRoute() {
  const [route, setRoute] = useState(parseHash);
  useEffect(() => {
    const onChange = () => setRoute(parseHash());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

const navigate = (hash) => {
  if (location.hash !== hash) location.hash = hash;
};

const isSupervisor = (me) => me.role === 'supervisor' || me.role === 'admin';

function AlertArea({ message, onDismiss }) {
  return html`
    <div class=${`alert ${message ? 'alert--shown' : ''}`} role="alert">
      ${message &&
      html`<span class="alert__text">${message}</span>
        <button type="button" class="alert__close" aria-label="Đóng thông báo" onClick=${onDismiss}>×</button>`}
    </div>
  `;
}

function Header({ me, presence, liveState, route, onPresence, onLogout, permission, onAskPermission, urgentWaiting }) {
  return html`
    <header class="top">
      <div class="top__brand">
        <a href="#/" class="top__title">Bàn tư vấn</a>
        <span class=${`live live--${liveState}`} title="Cập nhật trực tiếp">
          ${liveState === 'open' ? 'Trực tiếp' : 'Đang kết nối lại…'}
        </span>
      </div>
      <nav class="top__nav" aria-label="Trang">
        <a href="#/" aria-current=${route.name === 'queue' ? 'page' : undefined}>
          Hàng chờ${urgentWaiting > 0 ? html` <span class="badge badge--urgent">${urgentWaiting} khẩn cấp</span>` : ''}
        </a>
        ${isSupervisor(me) && html`<a href="#/stats" aria-current=${route.name === 'stats' ? 'page' : undefined}>Thống kê</a>`}
        ${mayEditKnowledge(me) && html`<a href="#/kb" aria-current=${route.name === 'kb' || route.name === 'policy' ? 'page' : undefined}>Kiến thức</a>`}
        ${mayEditKnowledge(me) && html`<a href="#/inbox" aria-current=${route.name === 'inbox' ? 'page' : undefined}>Câu hỏi chưa trả lời</a>`}
      </nav>
      <div class="top__me">
        <span class="me">
          <strong class="me__name">${me.displayName}</strong>
          <span class="me__role">${label(ROLE_LABELS, me.role)}</span>
        </span>
        <label class="presence">
          <span class="visually-hidden">Trạng thái của tôi</span>
          <select class=${`presence--${presence}`} value=${presence} onChange=${(e) => onPresence(e.currentTarget.value)} aria-label="Trạng thái của tôi">
            ${Object.entries(PRESENCE_LABELS).map(([value, text]) => html`<option key=${value} value=${value}>${text}</option>`)}
          </select>
        </label>
        ${permission === 'default' &&
        html`<button type="button" class="btn btn--small" onClick=${onAskPermission}>Bật thông báo</button>`}
        <button type="button" class="btn btn--small" onClick=${onLogout}>Đăng xuất</button>
      </div>
    </header>
  `;
}

function Console({ initialMe, onLoggedOut }) {
  const route = useHashRoute();
  const [me, setMe] = useState(initialMe);
  const [alert, setAlert] = useState('');
  const [info, setInfo] = useState('');
  const [busy, setBusy] = useState(false);
  const [permission, setPermission] = useState(notificationPermission());
  const live = useMemo(() => createLive(), []);
  const [liveState, setLiveState] = useState(live.state);
  const presenceSetAt = useRef(0);

  useEffect(() => {
    const stop = live.onState((s) => {
      setLiveState(s);
      // The stream closed for good: perhaps the session ended (a 401 then shows the login).
      if (s === 'closed') consoleApi.me().catch(() => {});
    });
    return () => {
      stop();
      live.close();
    };
  }, [live]);

  const showError = (message) => {
    setInfo('');
    setAlert(message);
  };
  const queue = useQueue(live, showError);

  // The server may change my presence too (set away when idle): follow the queue's copy when it is newer.
  useEffect(() => {
    const mine = queue.data?.staff.find((s) => s.id === me.id);
    if (mine && mine.presence !== me.presence && queue.requestedAt > presenceSetAt.current) setMe((m) => ({ ...m, presence: mine.presence }));
  }, [queue.data]);

  const urgentWaiting = queue.data ? queue.data.tickets.filter((t) => t.urgent && t.status === 'waiting').length : 0;
  useEffect(() => {
    document.title = `${urgentWaiting > 0 ? `(${urgentWaiting} khẩn cấp) ` : ''}Bàn tư vấn – Trợ lý CTXH`;
  }, [urgentWaiting]);

  /** Runs an API action: a refusal goes to the alert area; returns the answer or null. */
  const act = async (fn, okMessage) => {
    setAlert('');
    try {
      const result = await fn();
      if (okMessage) setInfo(okMessage);
      queue.reload();
      return result ?? {};
    } catch (err) {
      if (err.status !== 401) showError(err.message);
      queue.reload();
      return null;
    }
  };

  const setPresence = async (presence) => {
    const answer = await act(() => consoleApi.presence(presence), `Trạng thái: ${label(PRESENCE_LABELS, presence)}.`);
    if (answer && answer.staff) {
      presenceSetAt.current = Date.now();
      setMe((m) => ({ ...m, presence: answer.staff.presence }));
    }
    return answer;
  };

  const claim = async (ticket) => {
    if (busy) return;
    setBusy(true);
    try {
      // The server makes whoever claims available (the queue refetch shows it in the header).
      const answer = await act(() => consoleApi.claim(ticket.id), 'Bạn đã nhận phiếu.');
      if (answer) navigate(`#/ticket/${encodeURIComponent(ticket.id)}`);
    } finally {
      setBusy(false);
    }
  };

  const takeOver = async (ticket) => {
    if (busy) return;
    setBusy(true);
    try {
      const answer = await act(() => consoleApi.takeOver(ticket.id), 'Bạn đã tiếp quản phiếu.');
      if (answer) navigate(`#/ticket/${encodeURIComponent(ticket.id)}`);
    } finally {
      setBusy(false);
    }
  };

  const closed = (outcomeLabel) => {
    setInfo(`Đã đóng phiếu: ${outcomeLabel}.`);
    navigate('#/');
  };

  const logout = async () => {
    try {
      await consoleApi.logout();
    } catch {
      // Whatever the server says, this tab forgets the session.
    }
    onLoggedOut();
  };

  const askPermission = async () => setPermission(await askNotificationPermission());

  let view;
  if (route.name === 'ticket') {
    view = html`<${ConversationView}
      ticketId=${route.id}
      me=${me}
      queue=${queue.data}
      live=${live}
      act=${act}
      onError=${showError}
      onClaim=${claim}
      onTakeOver=${takeOver}
      onClosed=${closed}
    />`;
  } else if (route.name === 'conversation') {
    view = html`<${ConversationView}
      conversationId=${route.id}
      me=${me}
      queue=${queue.data}
      live=${live}
      act=${act}
      onError=${showError}
      onFlagged=${(ticket) => navigate(`#/ticket/${encodeURIComponent(ticket.id)}`)}
    />`;
  } else if (route.name === 'kb' || route.name === 'policy' || route.name === 'inbox') {
    const onInfo = (message) => {
      setAlert('');
      setInfo(message);
    };
    const View = route.name === 'kb' ? KnowledgeView : route.name === 'policy' ? PolicyView : InboxView;
    view = html`<${View} me=${me} id=${route.id} onError=${showError} onInfo=${onInfo} />`;
  } else if (route.name === 'stats') {
    view = html`<${StatsView} me=${me} live=${live} teams=${queue.data?.teams ?? []} onError=${showError} />`;
  } else {
    view = html`
      <${QueueView} queue=${queue} me=${me} onClaim=${claim} onTakeOver=${takeOver} busy=${busy} />
      ${isSupervisor(me) && html`<div class="queue queue--bot"><${BotConversations} live=${live} act=${act} onError=${showError} /></div>`}
    `;
  }

  return html`
    <div class="shell">
      <${Header}
        me=${me}
        presence=${me.presence}
        liveState=${liveState}
        route=${route}
        onPresence=${setPresence}
        onLogout=${logout}
        permission=${permission}
        onAskPermission=${askPermission}
        urgentWaiting=${urgentWaiting}
      />
      ${me.presence !== 'available' &&
      html`<p class="presence-hint">
        Bạn đang ở trạng thái <strong>${label(PRESENCE_LABELS, me.presence)}</strong>: hệ thống không giao phiếu cho bạn. Khi bạn nhận một phiếu, trạng thái sẽ
        chuyển sang Sẵn sàng.
      </p>`}
      <${AlertArea} message=${alert} onDismiss=${() => setAlert('')} />
      <p class="info" role="status">${info}</p>
      <main class="content">${view}</main>
    </div>
  `;
}

function App() {
  const [session, setSession] = useState({ status: 'loading' });

  useEffect(() => {
    setUnauthorizedHandler(() =>
      setSession((s) => (s.status === 'in' ? { status: 'out', notice: 'Phiên làm việc đã hết. Vui lòng đăng nhập lại.' } : s)),
    );
    consoleApi
      .me()
      .then((r) => {
        setCsrfToken(r.csrfToken);
        setSession({ status: 'in', me: r.staff });
      })
      .catch(() => setSession({ status: 'out' }));
  }, []);

  if (session.status === 'loading') return html`<p class="boot" role="status">Đang tải bàn tư vấn…</p>`;
  if (session.status === 'out') {
    return html`<${LoginForm}
      notice=${session.notice}
      onLoggedIn=${(r) => {
        setCsrfToken(r.csrfToken);
        setSession({ status: 'in', me: r.staff });
      }}
    />`;
  }
  return html`<${Console}
    key=${session.me.id}
    initialMe=${session.me}
    onLoggedOut=${() => {
      setCsrfToken(null);
      setSession({ status: 'out', notice: 'Bạn đã đăng xuất.' });
    }}
  />`;
}

unlockAudioOnGesture();
render(html`<${App} />`, document.getElementById('app'));
