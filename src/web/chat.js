// Web chat over the assistant's Direct Line endpoints: get a token, start the
// conversation, post messages and poll for replies. Keeps the session across reloads.
(function () {
  'use strict';
  var BASE = '/v3/directline';
  var KEY = 'ctxh-webchat';
  var WELCOME = 'Xin chào! Bạn cần hỏi gì về trợ cấp, giấy tờ hay hỗ trợ xã hội? Cứ viết tự nhiên, không dấu cũng được.';
  // Inside a centre's website (embed.js opens /?embed=1): the frame has its own title bar.
  if (/[?&]embed=1(&|$)/.test(location.search)) document.documentElement.classList.add('embed');
  var log = document.getElementById('log');
  var choicesBox = document.getElementById('choices');
  var typingEl = document.getElementById('typing');
  var statusEl = document.getElementById('status');
  var form = document.getElementById('composer');
  var input = document.getElementById('input');
  var sendBtn = document.getElementById('send');
  var session = null;
  var seen = {};
  var polling = false;
  var welcome = null; // the page's own greeting, shown only until the server's arrives
  var heardBot = false;
  var heardUser = false;
  var typingTimer = null;
  var pinned = true; // the reader is at the newest message (not scrolled back through the history)
  var autoTop = 0;

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

  function showWelcome() {
    if (welcome || heardBot) return;
    welcome = document.createElement('li');
    welcome.className = 'msg msg--bot msg--welcome';
    welcome.textContent = WELCOME;
    log.insertBefore(welcome, log.firstChild);
    keepInView();
  }

  function setTyping(on) {
    clearTimeout(typingTimer);
    typingEl.hidden = !on;
    // A typing notice that no message follows goes away on its own.
    if (on) typingTimer = setTimeout(function () { typingEl.hidden = true; }, 20000);
  }

  function isUser(activity) { return !!(activity.from && activity.from.role === 'user'); }

  /** Renders what a poll brought, then the newest bot message's options, then scrolls once. */
  function renderBatch(activities) {
    var last = null;
    var typing = null;
    (activities || []).forEach(function (activity) {
      if (!activity) return;
      if (activity.id) {
        if (seen[activity.id]) return;
        seen[activity.id] = true;
      }
      // Only messages are shown; the bot's `typing` shows a small notice until its next message.
      if (activity.type !== 'message') {
        if (activity.type === 'typing' && !isUser(activity)) typing = true;
        return;
      }
      typing = false;
      var mine = isUser(activity);
      if (mine) heardUser = true;
      else {
        // The server's own greeting replaces the page's: it never shows twice.
        if (!heardBot && !heardUser && welcome) { welcome.remove(); welcome = null; }
        heardBot = true;
      }
      var li = document.createElement('li');
      li.className = 'msg ' + (mine ? 'msg--user' : 'msg--bot');
      li.textContent = activity.text || '';
      log.appendChild(li);
      last = activity;
    });
    if (typing !== null) setTyping(typing);
    if (!last) return;
    showChoices(!isUser(last) && last.suggestedActions ? last.suggestedActions.actions : []);
    pinned = true;
    keepInView();
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
    choicesBox.scrollTop = 0;
  }

  function offsetInLog(el) { return el.getBoundingClientRect().top - log.getBoundingClientRect().top + log.scrollTop; }

  /**
   * After the options have rendered (they take room from the log): a reply is read from its
   * first line, so the top of the newest bot reply stays in sight; the citizen's own message
   * scrolls to the end. Scrolls the log only, never the page around it (or a centre's website).
   */
  function keepInView() {
    var newest = log.lastElementChild;
    if (!newest) return;
    var max = Math.max(0, log.scrollHeight - log.clientHeight);
    var top = max;
    if (newest.classList.contains('msg--bot')) {
      // A reply sent in several messages is read from its first one, if the last one's first line still shows.
      var first = newest;
      while (first.previousElementSibling && first.previousElementSibling.classList.contains('msg--bot')) first = first.previousElementSibling;
      var line = parseFloat(getComputedStyle(newest).lineHeight) || 27;
      var anchor = offsetInLog(first);
      var newestTop = offsetInLog(newest);
      if (newestTop + line + 24 > anchor + log.clientHeight) anchor = newestTop;
      top = Math.min(max, Math.max(0, anchor - 8));
    }
    log.scrollTop = top;
    autoTop = log.scrollTop;
  }

  // Scrolling back through the history unpins; the next message or scrolling back down pins again.
  log.addEventListener('scroll', function () {
    pinned = log.scrollTop >= Math.min(autoTop, log.scrollHeight - log.clientHeight) - 4;
  }, { passive: true });
  // The on-screen keyboard, turning the phone, the window resized: keep the newest message in sight.
  function onResize() { if (pinned) keepInView(); }
  window.addEventListener('resize', onResize);
  if (window.visualViewport) window.visualViewport.addEventListener('resize', onResize);

  function poll() {
    if (!session || polling) return Promise.resolve();
    polling = true;
    var q = session.watermark ? '?watermark=' + encodeURIComponent(session.watermark) : '';
    return api('GET', '/conversations/' + encodeURIComponent(session.conversationId) + '/activities' + q)
      .then(function (r) {
        renderBatch(r.activities);
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

  session = load();
  // A new conversation greets at once (replaced by the server's greeting when it comes);
  // after a reload, the conversation is read from the start so its history shows again.
  if (session) session.watermark = '';
  else showWelcome();
  var begin = session ? Promise.resolve() : start();
  begin.then(poll)
    .catch(function () { setStatus('Chưa kết nối được. Bạn tải lại trang sau ít phút nhé.'); })
    .then(function () { if (!heardBot) showWelcome(); });
  setInterval(poll, 2000);
})();
