/**
 * Headless Chromium for the browser tests: Debian's `chromium` (playwright cannot download
 * browsers here), with the flags it needs in a container. Fails with the fix when missing.
 *
 * @example
 * const browser = await launchChromium();
 * const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * Pages in contexts of their own (Vietnamese locale and time zone), every page error
 * collected, all closed at once: what each console browser test needs.
 *
 * @example
 * const pages = new BrowserPages(await launchChromium());
 * const editor = await pages.open(1280, 900);
 * await loginConsole(editor, 'mai');
 * expect(pages.errors).toEqual([]);
 * await pages.close();
 */
export class BrowserPages {
  readonly errors: string[] = [];
  private readonly contexts: BrowserContext[] = [];

  constructor(readonly browser: Browser) {}

  async open(width: number, height: number, init?: () => void): Promise<Page> {
    const context = await this.browser.newContext({ viewport: { width, height }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    this.contexts.push(context);
    if (init) await context.addInitScript(init);
    const page = await context.newPage();
    page.on('pageerror', (err) => this.errors.push(err.message));
    return page;
  }

  /** Closes every context, then the browser. */
  async close(): Promise<void> {
    for (const c of this.contexts) await c.close().catch(() => {});
    await this.browser.close();
  }
}

/** Signs in on the console's login form. */
export async function loginConsole(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}
