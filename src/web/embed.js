/*
 * Trợ lý CTXH on a centre's own website, in one line:
 *   <script src="https://ASSISTANT_HOST/embed.js" async></script>
 * Optional: data-title="Hỏi trợ lý" (button and frame title), data-color="#0b5d8a".
 * Adds a round button at the bottom right that opens the assistant's chat page in a frame
 * (full screen on phones). No cookies, no dependencies; one global: window.TroLyCTXH.
 */
(function () {
  'use strict';
  if (window.TroLyCTXH) return; // the snippet pasted twice
  var script = document.currentScript;
  if (!script) {
    var all = document.getElementsByTagName('script');
    for (var i = all.length - 1; i >= 0; i--) if (/\/embed\.js(\?|#|$)/.test(all[i].src)) { script = all[i]; break; }
  }
  if (!script || !script.src) return;
  var origin = new URL(script.src, location.href).origin;
  var title = (script.getAttribute('data-title') || '').trim().slice(0, 60) || 'Hỏi trợ lý';
  var color = (script.getAttribute('data-color') || '').trim();
  if (!color || !(window.CSS && CSS.supports && CSS.supports('color', color))) color = '#0b5d8a';

  var host = document.createElement('div');
  host.setAttribute('data-tro-ly-ctxh', '');
  // A shadow root keeps the centre's styles off the widget and the widget's off the centre's page.
  var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
  var css =
    ':host { all: initial; }' +
    '.ctxh-btn { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; width: 84px; height: 84px; border-radius: 50%;' +
    ' border: 0; padding: 8px; background: COLOR; color: #fff; font: 600 15px/1.2 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;' +
    ' text-align: center; text-wrap: balance; overflow-wrap: anywhere; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.3); }' +
    '.ctxh-btn:focus-visible, .ctxh-close:focus-visible { outline: 3px solid #f0a500; outline-offset: 3px; }' +
    '.ctxh-panel { position: fixed; right: 20px; bottom: 116px; z-index: 2147483001; width: 380px; height: 600px;' +
    ' max-width: calc(100vw - 40px); max-height: calc(100vh - 136px); display: flex; flex-direction: column;' +
    ' background: #fff; border-radius: 14px; overflow: hidden; box-shadow: 0 8px 30px rgba(0,0,0,.3); }' +
    '.ctxh-panel[hidden] { display: none; }' +
    '.ctxh-bar { flex: none; display: flex; align-items: center; gap: 8px; padding: 6px 6px 6px 14px; background: COLOR; color: #fff;' +
    ' font: 600 16px/1.3 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }' +
    '.ctxh-bar span { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }' +
    '.ctxh-close { flex: none; width: 40px; height: 40px; border: 0; border-radius: 50%; background: transparent; color: #fff;' +
    ' font: 28px/1 system-ui, sans-serif; cursor: pointer; }' +
    '.ctxh-panel iframe { flex: 1; width: 100%; min-height: 0; border: 0; display: block; }' +
    '@media (max-width: 499px) { .ctxh-panel { inset: 0; width: 100%; height: 100%; max-width: none; max-height: none; border-radius: 0; } }';
  var style = document.createElement('style');
  style.textContent = css.replace(/COLOR/g, color);

  var button = document.createElement('button');
  button.type = 'button';
  button.className = 'ctxh-btn';
  button.textContent = title;
  button.setAttribute('aria-expanded', 'false');

  var panel = document.createElement('div');
  panel.className = 'ctxh-panel';
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', title);
  var bar = document.createElement('div');
  bar.className = 'ctxh-bar';
  var heading = document.createElement('span');
  heading.textContent = title;
  var close = document.createElement('button');
  close.type = 'button';
  close.className = 'ctxh-close';
  close.textContent = '×';
  close.setAttribute('aria-label', 'Đóng trợ lý');
  bar.appendChild(heading);
  bar.appendChild(close);
  panel.appendChild(bar);

  var frame = null;
  function open() {
    if (!frame) {
      // Made on first open, so the centre's page loads nothing more until someone asks.
      frame = document.createElement('iframe');
      frame.title = title;
      frame.src = origin + '/?embed=1';
      frame.setAttribute('allow', 'clipboard-write');
      panel.appendChild(frame);
    }
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    frame.focus();
  }
  function shut() {
    if (panel.hidden) return;
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    button.focus();
  }
  function toggle() { if (panel.hidden) open(); else shut(); }

  button.addEventListener('click', toggle);
  close.addEventListener('click', shut);
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape') shut(); });

  root.appendChild(style);
  root.appendChild(panel);
  root.appendChild(button);
  function mount() { document.body.appendChild(host); }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);

  window.TroLyCTXH = { open: open, close: shut, toggle: toggle, origin: origin };
})();
