import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAssistant } from './support/assistant.js';
import { launchChromium } from './support/browser.js';

// An ambiguous question: the FAQ answers it with a clarifying prompt and several long options.
const AMBIGUOUS = 'toi can giup';

let running: Awaited<ReturnType<typeof startAssistant>>;
let browser: Browser;
let centre: { server: Server; url: string } | undefined;

beforeAll(async () => {
  running = await startAssistant();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (centre) {
    centre.server.closeAllConnections();
    await new Promise<void>((resolve) => centre!.server.close(() => resolve()));
  }
  await running?.close();
});

/** Where the newest bot message's first line is, and whether anything covers it. */
function newestBotLine(page: Page) {
  return page.evaluate(() => {
    const bots = document.querySelectorAll('#log .msg--bot');
    const msg = bots[bots.length - 1] as HTMLElement | undefined;
    const log = document.getElementById('log')!.getBoundingClientRect();
    const choices = document.getElementById('choices')!.getBoundingClientRect();
    if (!msg) return null;
    const box = msg.getBoundingClientRect();
    const line = parseFloat(getComputedStyle(msg).lineHeight) || 27;
    const probe = document.elementFromPoint(box.left + 20, box.top + line / 2 + 4);
    return {
      text: msg.innerText,
      top: box.top,
      lineBottom: box.top + line + 8,
      logTop: log.top,
      logBottom: log.bottom,
      choicesTop: choices.top,
      choices: document.querySelectorAll('#choices button').length,
      uncovered: !!probe && msg.contains(probe),
    };
  });
}

async function expectPromptVisible(page: Page, height: number) {
  await expect
    .poll(() => newestBotLine(page).then((l) => l && l.choices >= 3 && /chưa chắc/.test(l.text)), { timeout: 10_000 })
    .toBe(true);
  await expect
    .poll(async () => {
      const l = (await newestBotLine(page))!;
      return (
        l.top >= 0 &&
        l.top < height &&
        l.top >= l.logTop - 1 &&
        l.lineBottom <= l.logBottom + 1 &&
        l.top < l.choicesTop &&
        l.lineBottom <= l.choicesTop &&
        l.uncovered
      );
    }, { timeout: 5_000 })
    .toBe(true);
}

describe('chat page layout', () => {
  it('keeps a clarifying prompt in sight above its option buttons on a phone', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'vi-VN' });
    await page.goto(`${running.url}/`);
    await expect.poll(() => page.locator('.msg--bot').count()).toBeGreaterThanOrEqual(1);
    // Fill the log first, so the prompt has something above it to be scrolled past.
    for (const question of ['tro cap nguoi khuyet tat bao nhieu', AMBIGUOUS]) {
      const users = await page.locator('.msg--user').count();
      await page.fill('#input', question);
      await page.click('#send');
      await expect.poll(() => page.locator('.msg--user').count()).toBe(users + 1);
    }
    await expectPromptVisible(page, 844);
    // The options are real buttons, the log is announced politely.
    expect(await page.locator('#choices button').first().evaluate((b) => b.tagName)).toBe('BUTTON');
    expect(await page.locator('#log').getAttribute('aria-live')).toBe('polite');
    // The on-screen keyboard (or any resize) shrinks the page: the prompt stays in sight.
    await page.setViewportSize({ width: 375, height: 700 });
    await page.focus('#input');
    await expectPromptVisible(page, 700);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.close();
  });

  it('keeps it in sight on a desktop screen too', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN' });
    await page.goto(`${running.url}/`);
    await expect.poll(() => page.locator('.msg--bot').count()).toBeGreaterThanOrEqual(1);
    await page.fill('#input', AMBIGUOUS);
    await page.click('#send');
    await expectPromptVisible(page, 800);
    // The page's own welcome, or the server's greeting when it sends one: never both.
    const greetings = (await page.locator('.msg--bot').allInnerTexts()).filter((t) => t.startsWith('Xin chào'));
    expect(greetings).toHaveLength(1);
    await page.close();
  });
});

describe('greeting and typing from the server', () => {
  it('replaces its own welcome with the server greeting, ignores repeats and shows typing until the next message', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'vi-VN' });
    let release!: () => void;
    const firstPoll = new Promise<void>((resolve) => (release = resolve));
    let polls = 0;
    let typingSent = false;
    let asked = false;
    // Stands in for the server's greeting on a new conversation (sent again on every poll: the id de-duplicates it);
    // a greeting the real server may send is left out, so the page sees exactly this one.
    type Wire = { type?: string; from?: { role?: string } };
    await page.route('**/v3/directline/conversations/*/activities*', async (route) => {
      if (route.request().method() !== 'GET') return route.continue();
      if (polls++ === 0) await firstPoll;
      const response = await route.fetch();
      const body = (await response.json()) as { activities: Wire[]; watermark: string };
      const real = asked ? body.activities : body.activities.filter((a) => a.type !== 'message' || a.from?.role === 'user');
      const from = { id: 'tro-ly-ctxh', name: 'Trợ lý CTXH', role: 'bot' };
      const greeting = {
        type: 'message',
        id: 'greeting|0000000',
        from,
        text: 'Xin chào! Mình là trợ lý tự động của Trung tâm.',
        suggestedActions: { actions: ['Trợ cấp người cao tuổi', 'Gặp tư vấn viên'].map((t) => ({ type: 'imBack', title: t, value: t })) },
      };
      const extra: unknown[] = [{ type: 'typing', id: 'typing|0', from }, greeting];
      if (polls > 2 && !typingSent) {
        typingSent = true;
        extra.push({ type: 'typing', id: 'typing|1', from });
      }
      await route.fulfill({ response, json: { ...body, activities: [...extra, ...real] } });
    });
    await page.goto(`${running.url}/`);
    // No bot message yet: the page greets on its own.
    await page.locator('.msg--welcome').waitFor();
    release();
    await expect.poll(() => page.locator('.msg--bot').allInnerTexts()).toEqual(['Xin chào! Mình là trợ lý tự động của Trung tâm.']);
    expect(await page.locator('.msg--welcome').count()).toBe(0);
    expect(await page.locator('#choices button').allInnerTexts()).toEqual(['Trợ cấp người cao tuổi', 'Gặp tư vấn viên']);
    // A typing activity is not a message: a small notice, gone with the next message.
    await expect.poll(() => page.locator('#typing').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.locator('#typing').innerText()).toBe('Đang soạn…');
    await page.fill('#input', 'tro cap nguoi khuyet tat bao nhieu');
    asked = true;
    await page.click('#send');
    await expect.poll(() => page.locator('.msg--bot').last().innerText(), { timeout: 10_000 }).toMatch(/Nguồn: /);
    expect(await page.locator('#typing').isVisible()).toBe(false);
    expect(await page.locator('.msg--bot').count()).toBe(2);
    await page.close();
  });
});

describe('embed snippet on a centre website', () => {
  it('opens the assistant in a frame from a page on another origin and answers there', async () => {
    const html = `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Trung tâm</title></head>
<body><h1>Trung tâm Công tác xã hội</h1><p>Trang của trung tâm.</p>
<script src="${running.url}/embed.js" async data-title="Hỏi trợ lý" data-color="#8a1c5a"></script></body></html>`;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    centre = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
    expect(centre.url).not.toBe(running.url);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN' });
    await page.goto(`${centre.url}/`);
    const open = page.getByRole('button', { name: 'Hỏi trợ lý' });
    await open.waitFor({ timeout: 10_000 });
    expect(await open.getAttribute('aria-expanded')).toBe('false');
    await open.click();
    expect(await open.getAttribute('aria-expanded')).toBe('true');
    const iframe = page.locator('iframe[title="Hỏi trợ lý"]');
    await iframe.waitFor();
    expect(await iframe.getAttribute('src')).toBe(`${running.url}/?embed=1`);
    // Only one namespaced global, no cookies on the centre's site.
    expect(await page.evaluate(() => typeof (window as unknown as { TroLyCTXH?: unknown }).TroLyCTXH)).toBe('object');
    expect(await page.evaluate(() => document.cookie)).toBe('');

    const frame = page.frameLocator('iframe[title="Hỏi trợ lý"]');
    await frame.locator('.msg--bot').first().waitFor({ timeout: 10_000 });
    // Embedded, the page drops its header to save room.
    expect(await frame.locator('.chat__header').isVisible()).toBe(false);
    await frame.locator('#input').fill('tro cap nguoi khuyet tat bao nhieu');
    await frame.locator('#send').click();
    await expect.poll(() => frame.locator('.msg--bot').last().innerText(), { timeout: 10_000 }).toMatch(/Nguồn: /);

    // Closing hides the frame; the conversation is still there when it opens again.
    await open.click();
    await expect.poll(() => iframe.isVisible()).toBe(false);
    await open.click();
    await expect.poll(() => frame.locator('.msg--user').count()).toBe(1);
    await page.close();
  });

  it('fills a phone screen and closes from its own bar', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'vi-VN' });
    await page.goto(`${centre!.url}/`);
    await page.getByRole('button', { name: 'Hỏi trợ lý' }).click();
    const iframe = page.locator('iframe[title="Hỏi trợ lý"]');
    await iframe.waitFor();
    await expect.poll(async () => (await iframe.boundingBox())?.width).toBe(390);
    const box = (await iframe.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(844 + 1);
    await page.frameLocator('iframe[title="Hỏi trợ lý"]').locator('#input').waitFor();
    await page.getByRole('button', { name: 'Đóng trợ lý' }).click();
    await expect.poll(() => iframe.isVisible()).toBe(false);
    await page.close();
  });
});
