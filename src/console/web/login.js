// The login form: POST /console/api/login. Shows the server's own message for a wrong
// password (401), a locked account (423) and too many attempts (429).
import { useState } from 'preact/hooks';
import { consoleApi } from './api.js';
import { html } from './html.js';

export function LoginForm({ onLoggedIn, notice }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      const session = await consoleApi.login(username.trim(), password);
      setPassword('');
      onLoggedIn(session);
    } catch (err) {
      setError(err.message);
      setBusy(false);
    }
  };

  return html`
    <main class="login">
      <form class="login__form" onSubmit=${submit} aria-labelledby="login-title">
        <h1 id="login-title">Bàn tư vấn</h1>
        <p class="muted">Trợ lý Công tác xã hội · dành cho cán bộ trung tâm</p>
        ${notice && html`<p class="notice" role="status">${notice}</p>`}
        <label for="login-username">Tên đăng nhập</label>
        <input
          id="login-username"
          name="username"
          autocomplete="username"
          autocapitalize="none"
          spellcheck="false"
          required
          value=${username}
          onInput=${(e) => setUsername(e.currentTarget.value)}
        />
        <label for="login-password">Mật khẩu</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value=${password}
          onInput=${(e) => setPassword(e.currentTarget.value)}
        />
        <p class="login__error" role="alert">${error}</p>
        <button type="submit" class="btn btn--primary btn--wide" disabled=${busy}>${busy ? 'Đang đăng nhập…' : 'Đăng nhập'}</button>
      </form>
    </main>
  `;
}
