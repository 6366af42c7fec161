// Web chat over the assistant's Direct Line endpoints: get a token, start the
// conversation, post messages and poll for replies. Keeps the session across reloads.
(function () {
  'use strict';
  var BASE = '/v3/directline';
  var KEY = 'ctxh-webchat';
  var log = document.getElementById('log');
  var choicesBox = document.getElementById('choices');
  var statusEl = document.getElementById('status');
  var form = document.getElementById('composer');
  var input = document.getElementById('input');
  var sendBtn = document.getElementById('send');
  var session = null;
  var seen = {};
  var polling = false;

  function save() { try { sessionStorage.setItem(KEY, JSON.stringify(session)); } catch (e) { /* private mode */ } }
  function load() { try { return JSON.parse(sessionStorage.getItem(KEY) || 'null'); } catch (e) { return null; } }
  function setStatus(text) { statusEl.textContent = text || ''; }

  function api(method, path, body) {
    var headers = { 'Content-Type': 'application/json' };
    if (session && session.token) headers.Authorization = 'Bearer ' + session.token;
    return fetch(BASE + path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined })
      .then(function (res) {
        if (!res.ok) { var err = new Error('HTTP ' + res.status); err.status = res.status; throw err; }
        return res.json();
      });
  }

  function start() {
    return api('POST', '/tokens/generate').then(function (t) {
      session = { token: t.token, conversationId: t.conversationId, watermark: '' };
      return api('POST', '/conversations');
    }).then(function (c) {
      session.token = c.token;
      save();
    });
  }

  function render(activity) {
    if (seen[activity.id]) return;
    seen[activity.id] = true;
    var li = document.createElement('li');
    var mine = activity.from && activity.from.role === 'user';
    li.className = 'msg ' + (mine ? 'msg--user' : 'msg--bot');
    li.textContent = activity.text || '';
    log.appendChild(li);
    // A long answer is read from its first line: show the top of a bot reply, not its end.
    log.scrollTop = mine ? log.scrollHeight : Math.max(0, li.offsetTop - log.offsetTop - 8);
    if (!mine) showChoices(activity.suggestedActions ? activity.suggestedActions.actions : []);
  }

  function showChoices(actions) {
    choicesBox.innerHTML = '';
    (actions || []).forEach(function (a) {
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = a.title || a.value;
      b.addEventListener('click', function () { send(String(a.value || a.title)); });
      choicesBox.appendChild(b);
    });
  }

  function poll() {
    if (!session || polling) return Promise.resolve();
    polling = true;
    var q = session.watermark ? '?watermark=' + encodeURIComponent(session.watermark) : '';
    return api('GET', '/conversations/' + encodeURIComponent(session.conversationId) + '/activities' + q)
      .then(function (r) {
        r.activities.forEach(render);
        session.watermark = r.watermark;
        save();
        setStatus('');
      })
      .catch(function (err) {
        if (err.status === 403) { session = null; save(); return start(); }
        setStatus('Mất kết nối, đang thử lại…');
      })
      .then(function () { polling = false; });
  }

  function send(text) {
    text = text.trim();
    if (!text) return;
    choicesBox.innerHTML = '';
    sendBtn.disabled = true;
    var ready = session ? Promise.resolve() : start();
    ready.then(function () {
      return api('POST', '/conversations/' + encodeURIComponent(session.conversationId) + '/activities', {
        type: 'message', text: text, locale: 'vi-VN', from: { id: 'web', name: 'Người dân' }
      });
    }).then(function () {
      input.value = '';
      return poll();
    }).catch(function () {
      setStatus('Chưa gửi được tin nhắn. Bạn kiểm tra mạng rồi bấm Gửi lại nhé.');
    }).then(function () { sendBtn.disabled = false; input.focus(); });
  }

  form.addEventListener('submit', function (e) { e.preventDefault(); send(input.value); });

  render({ id: 'welcome', from: { role: 'bot' }, text: 'Xin chào! Bạn cần hỏi gì về trợ cấp, giấy tờ hay hỗ trợ xã hội? Cứ viết tự nhiên, không dấu cũng được.' });
  session = load();
  // After a reload, read the conversation from the start so its history shows again.
  if (session) session.watermark = '';
  var begin = session ? Promise.resolve() : start();
  begin.then(poll).catch(function () { setStatus('Chưa kết nối được. Bạn tải lại trang sau ít phút nhé.'); });
  setInterval(poll, 2000);
})();
