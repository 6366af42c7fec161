/**
 * Microsoft's Web Chat (botframework-webchat, the browser bundle from node_modules) on a
 * page of another origin, with its default settings (WebSocket on), the way a centre puts
 * it on its own website.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAssistant } from './support/assistant.js';
import { onePixelPng } from './support/media-files.js';
import { launchChromium } from './support/browser.js';

// The package's exports reach neither dist/ nor package.json: find the package by its main entry.
const WEBCHAT_JS = join(packageRoot(createRequire(import.meta.url).resolve('botframework-webchat')), 'dist', 'webchat.js');

function packageRoot(entry: string): string {
  let dir = dirname(entry);
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}
/** Web Chat marks a message it sent as failed when no echo came back within 20 s (its default sendTimeout). */
const FAILURE_WINDOW_MS = 25_000;

let running: Awaited<ReturnType<typeof startAssistant>>;
let site: Server;
let siteUrl: string;
let browser: Browser;

function sitePage(assistantUrl: string): string {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Trung tâm CTXH</title></head>
<body><h1>Trang của trung tâm</h1><div id="webchat" style="height:640px;width:480px"></div>
<script src="/webchat.js"></script>
<script>
(async function () {
  var domain = ${JSON.stringify(`${assistantUrl}/v3/directline`)};
  var saved = JSON.parse(sessionStorage.getItem('dl') || 'null');
  if (!saved) {
    var res = await fetch(domain + '/tokens/generate', { method: 'POST' });
    saved = await res.json();
    sessionStorage.setItem('dl', JSON.stringify(saved));
  }
  window.WebChat.renderWebChat({ directLine: window.WebChat.createDirectLine({ token: saved.token, domain: domain }), locale: 'vi-VN' }, document.getElementById('webchat'));
})();
</script></body></html>`;
}

beforeAll(async () => {
  // The centre's site first: its origin is what the assistant must allow.
  let page = '';
  site = createServer((req, res) => {
    if (req.url === '/webchat.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      createReadStream(WEBCHAT_JS).pipe(res);
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
    }
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  // localhost, not 127.0.0.1: another origin than the assistant's.
  siteUrl = `http://localhost:${(site.address() as AddressInfo).port}`;
  running = await startAssistant({ ALLOWED_ORIGINS: siteUrl });
  page = sitePage(running.url);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await running?.close();
  site?.closeAllConnections();
  await new Promise((resolve) => site?.close(resolve));
});

const userBubbles = (page: Page, text: string) => page.locator('.webchat__stacked-layout--from-user').filter({ hasText: text });
const botTexts = (page: Page) => page.locator('.webchat__stacked-layout:not(.webchat__stacked-layout--from-user)').allInnerTexts();

describe('Microsoft Web Chat on a centre website (another origin, WebSocket)', () => {
  it('greets, answers with the source, sends each message once, follows a suggested action and shows the history once after a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 900 }, locale: 'vi-VN' });
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(`${siteUrl}/`);

    // The greeting, with its quick replies.
    await expect.poll(async () => (await botTexts(page)).join('\n'), { timeout: 15_000 }).toMatch(/Xin chào/);
    await expect.poll(() => page.locator('.webchat__suggested-action').filter({ hasText: 'Gặp tư vấn viên' }).count()).toBe(1);

    const question = 'tro cap nguoi khuyet tat bao nhieu';
    const input = page.getByRole('textbox');
    await input.fill(question);
    await input.press('Enter');
    const sentAt = Date.now();
    await expect.poll(async () => (await botTexts(page)).join('\n'), { timeout: 15_000 }).toMatch(/Nguồn: /);
    expect((await botTexts(page)).join('\n')).toMatch(/khuyết tật/);

    // A suggested action of the answer is sent and answered.
    await page.locator('.webchat__suggested-action').filter({ hasText: 'Hỏi câu khác' }).click();
    await expect.poll(async () => (await botTexts(page)).join('\n'), { timeout: 15_000 }).toMatch(/viết câu hỏi/);

    // Past Web Chat's send timeout: the question shows once, with no failure mark (no retry link).
    const left = FAILURE_WINDOW_MS - (Date.now() - sentAt);
    if (left > 0) await page.waitForTimeout(left);
    expect(await userBubbles(page, question).count()).toBe(1);
    expect(await page.locator('.webchat__activity-status button, .webchat__activity-status a').count()).toBe(0);
    expect(await page.locator('.webchat__activity-status').filter({ hasText: /gửi được|Thử lại|Retry/i }).count()).toBe(0);
    // It used the WebSocket stream the server gave it.
    expect(sockets.some((u) => /\/v3\/directline\/conversations\/[^/]+\/stream\?/.test(u))).toBe(true);

    // Reloaded: the same conversation, its history shown once, no second greeting.
    await page.reload();
    await expect.poll(async () => (await botTexts(page)).join('\n'), { timeout: 15_000 }).toMatch(/viết câu hỏi/);
    await expect.poll(() => userBubbles(page, question).count()).toBe(1);
    const afterReload = await botTexts(page);
    expect(afterReload.filter((t) => /Xin chào/.test(t))).toHaveLength(1);
    expect(afterReload.filter((t) => /Nguồn: /.test(t))).toHaveLength(1);
    await page.close();
  }, 90_000); // it waits out Web Chat's 25 s failure window on purpose, then reloads

  it('takes a photo from the paperclip, links it back from the assistant and answers it as a photo', async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 900 }, locale: 'vi-VN' });
    await page.goto(`${siteUrl}/`);
    await expect.poll(async () => (await botTexts(page)).join('\n'), { timeout: 15_000 }).toMatch(/Xin chào/);
    const uploads: number[] = [];
    page.on('response', (res) => /\/upload(\?|$)/.test(new URL(res.url()).pathname + new URL(res.url()).search) && uploads.push(res.status()));
    // Web Chat stages the picked file in the send box (the paperclip shows a check mark once it
    // is read); the send button then posts it. Sending before that sends nothing.
    expect(await page.locator('.webchat__attachment-icon--checked').count()).toBe(0);
    await page.locator('input.webchat__upload-button--file-input').setInputFiles({ name: 'giay-to.png', mimeType: 'image/png', buffer: onePixelPng() });
    await page.locator('.webchat__attachment-icon--checked').waitFor();
    await page.locator('button.webchat__send-button').click();
    await expect.poll(async () => (await botTexts(page)).join('\n'), { timeout: 15_000 }).toMatch(/chưa xem được ảnh/);
    expect(uploads).toEqual([200]);
    // The echo replaced the page's local copy: the file now comes from the assistant, through a signed link.
    const link = page.locator('.webchat__stacked-layout--from-user a[download="giay-to.png"]');
    await expect.poll(() => link.getAttribute('href')).toMatch(new RegExp(`^${running.url}/v3/directline/media/[\\w-]+\\?exp=\\d+&sig=`));
    const file = await fetch((await link.getAttribute('href'))!);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await file.arrayBuffer())).toEqual(onePixelPng());
    await page.close();
  });
});
