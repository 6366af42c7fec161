// The console's JSON API client: same-origin fetch with the session cookie, the CSRF
// header on every state change, and the server's Vietnamese error message on failure.

const BASE = '/console/api';
let csrfToken = null;
let onUnauthorized = () => {};

/** A refused or failed request: `message` is what the page shows (the server's own when it sent one). */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function setCsrfToken(token) {
  csrfToken = token;
}

/** Called on a 401 from anything but the login itself (the session ended). */
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

function fallbackMessage(status) {
  if (status === 401) return 'Bạn cần đăng nhập.';
  if (status === 403) return 'Bạn không có quyền thực hiện thao tác này.';
  if (status === 404) return 'Không tìm thấy.';
  if (status === 429) return 'Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút.';
  if (status >= 500) return 'Máy chủ đang gặp lỗi. Vui lòng thử lại sau ít phút.';
  return 'Yêu cầu không hợp lệ.';
}

/** The server's message, unless it is one of the generic English ones of the app's error handler. */
function messageOf(status, body) {
  const message = body && body.error && typeof body.error.message === 'string' ? body.error.message : '';
  if (!message || message === 'Internal error' || message === 'Bad request') return fallbackMessage(status);
  return message;
}

export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.');
  }
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    const error = new ApiError(res.status, (data && data.error && data.error.code) || 'http', messageOf(res.status, data));
    // The problems by field, when the server lists them (a draft or approval refused as invalid).
    error.problems = data && data.error && Array.isArray(data.error.problems) ? data.error.problems : [];
    if (res.status === 401 && path !== '/login') onUnauthorized(error);
    throw error;
  }
  return data;
}

export const get = (path) => request('GET', path);
export const post = (path, body = {}) => request('POST', path, body);

const enc = encodeURIComponent;

/** The endpoints the page uses, by name. */
export const consoleApi = {
  me: () => get('/me'),
  login: (username, password) => post('/login', { username, password }),
  logout: () => request('POST', '/logout'),
  presence: (presence) => post('/presence', { presence }),
  queue: () => get('/queue'),
  canned: () => get('/canned'),
  stats: () => get('/stats'),
  ticket: (id) => get(`/tickets/${enc(id)}`),
  claim: (id) => post(`/tickets/${enc(id)}/claim`),
  takeOver: (id) => post(`/tickets/${enc(id)}/take-over`),
  hold: (id) => post(`/tickets/${enc(id)}/hold`),
  resume: (id) => post(`/tickets/${enc(id)}/resume`),
  reply: (id, text) => post(`/tickets/${enc(id)}/reply`, { text }),
  transfer: (id, target) => post(`/tickets/${enc(id)}/transfer`, target),
  close: (id, outcome, note) => post(`/tickets/${enc(id)}/close`, { outcome, note: note || null }),
  note: (conversationId, text, ticketId) => post(`/conversations/${enc(conversationId)}/notes`, { text, ticketId: ticketId || null }),
  conversations: (status) => get(`/conversations${status ? `?status=${enc(status)}` : ''}`),
  conversation: (id) => get(`/conversations/${enc(id)}`),
  flag: (conversationId, note) => post(`/conversations/${enc(conversationId)}/flag`, { note: note || null }),
};
