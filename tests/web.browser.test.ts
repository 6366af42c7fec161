import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAssistant } from './support/assistant.js';
import { launchChromium } from './support/browser.js';


let running: Awaited<ReturnType<typeof startAssistant>>;
let browser: Browser;

beforeAll(async () => {
  running = await startAssistant();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await running?.close();
});

describe('web chat page in a real browser', () => {
  it('answers a question typed without diacritics on a phone screen, with its source', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 700 }, locale: 'vi-VN' });
    await page.goto(`${running.url}/`);
    await expect.poll(() => page.locator('.msg--bot').count()).toBeGreaterThanOrEqual(1);
    await page.fill('#input', 'tro cap nguoi khuyet tat bao nhieu');
    await page.click('#send');
    const answer = page.locator('.msg--bot').nth(1);
    await answer.waitFor({ timeout: 10_000 });
    const text = await answer.innerText();
    expect(text).toMatch(/khuyết tật/);
    expect(text).toMatch(/Nguồn: /);
    // Fits the phone: nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    // Quick replies are buttons; tapping one sends it as the next message.
    await page.getByRole('button', { name: 'Hỏi câu khác' }).click();
    await expect.poll(() => page.locator('.msg--user').count()).toBe(2);
    await expect.poll(() => page.locator('.msg--bot').last().innerText()).toMatch(/viết câu hỏi/);
    await page.screenshot({ path: join(mkdtempSync(join(tmpdir(), 'ctxh-shot-')), 'chat.png') });
    await page.close();
  });

  it('keeps the conversation after a reload', async () => {
    const page = await browser.newPage();
    await page.goto(`${running.url}/`);
    await page.fill('#input', 'muc chuan tro giup xa hoi');
    await page.click('#send');
    await expect.poll(() => page.locator('.msg--bot').count()).toBeGreaterThanOrEqual(2);
    await page.reload();
    await expect.poll(() => page.locator('.msg--user').count()).toBe(1);
    await expect.poll(() => page.locator('.msg--bot').last().innerText()).toMatch(/500\.000 đồng/);
    await page.close();
  });
});
