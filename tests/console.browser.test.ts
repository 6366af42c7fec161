/**
 * The counsellor console in a real browser (playwright-core driving Chromium) against a
 * real assistant, with citizens on Microsoft's Direct Line client: the acceptance
 * test. Counsellor A logs in through the page; an urgent message appears at the top of
 * A's live queue without a reload; A claims it, replies, closes it; the citizen receives
 * each message on their own channel; counsellor B, whose page still shows the ticket
 * waiting, is refused with the server's clear message. A supervisor finds a conversation
 * the bot is handling, reads it and hands it to a counsellor; the citizen's earlier
 * tickets show beside the conversation.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/console/auth/passwords.js';
import { HANDOFF_PRIORITY, citizenKeyOf, type Staff } from '../src/store/types.js';
import { waitFor } from './support/http.js';
import { startAssistant } from './support/assistant.js';
import { launchChromium } from './support/browser.js';
import { WebCitizen } from './support/urgent-scenarios.js';

const PASSWORD = 'Mật khẩu đủ dài 2026';
const HOA = 'Phạm Thị Hoa';
const NAM = 'Trần Văn Nam';

let running: Awaited<ReturnType<typeof startAssistant>>;
let browser: Browser;
let hoa: Staff;
const contexts: BrowserContext[] = [];
const citizens: WebCitizen[] = [];
/** Uncaught errors in any console page: the test fails on them. */
const pageErrors: string[] = [];
const shots = mkdtempSync(join(tmpdir(), 'ctxh-console-shot-'));

beforeAll(async () => {
  running = await startAssistant({ CONSOLE_SECURE_COOKIES: 'false' }, { livePollMs: 300 });
  const passwordHash = await hashPassword(PASSWORD);
  const base = { passwordHash, role: 'counsellor' as const, teams: ['tam-ly', 'chung'], communeCodes: [], maxOpen: 5, createdAt: new Date() };
  hoa = await running.assistant.store.staff.create({ ...base, username: 'hoa', displayName: HOA });
  await running.assistant.store.staff.create({ ...base, username: 'nam', displayName: NAM });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const c of citizens) c.close();
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await running?.close();
});

async function newPage(options: { width: number; height: number; init?: () => void }): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: options.width, height: options.height }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  contexts.push(context);
  if (options.init) await context.addInitScript(options.init);
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  return page;
}

async function login(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

async function openCitizen(): Promise<WebCitizen> {
  const citizen = await WebCitizen.open(running.url);
  citizens.push(citizen);
  return citizen;
}

describe('counsellor console in a real browser', () => {
  it('shows an urgent ticket live, lets A claim, reply and close it, and refuses B clearly', async () => {
    // A on a laptop. Browser notifications are recorded instead of shown.
    const a = await newPage({
      width: 1280,
      height: 800,
      init: () => {
        const shown: Array<{ title: string; body?: string }> = [];
        (window as any).__notifications = shown;
        (window as any).Notification = class {
          static permission = 'granted';
          static requestPermission = async () => 'granted';
          onclick: (() => void) | null = null;
          constructor(title: string, options?: { body?: string }) {
            shown.push({ title, body: options?.body });
          }
          close() {}
        };
      },
    });
    await a.goto(`${running.url}/console/`);
    await login(a, 'hoa');
    await expect.poll(() => a.locator('.me__name').innerText()).toBe(HOA);
    expect(await a.locator('.me__role').innerText()).toBe('Tư vấn viên');
    await a.getByLabel('Trạng thái của tôi').selectOption('available');
    await expect.poll(async () => (await running.assistant.store.staff.get(hoa.id))?.presence).toBe('available');
    await a.getByText('Không có ai đang chờ.').waitFor();
    await a.evaluate(() => ((window as any).__sameDocument = true));

    // An urgent message on the web chat: the ticket appears at the top, red, without a reload.
    const victim = await openCitizen();
    expect(await victim.say('chồng em say rượu đang cầm dao đòi giết em, em trốn trong nhà tắm')).toMatch(/113/);
    const waitingA = a.locator('[data-section="waiting"] .ticket');
    await expect.poll(() => waitingA.count()).toBe(1);
    const urgentRow = waitingA.first();
    expect(await urgentRow.getAttribute('data-urgent')).toBe('true');
    expect(await urgentRow.getAttribute('class')).toContain('ticket--urgent');
    expect(await urgentRow.innerText()).toContain('Khẩn cấp · Bạo lực');
    expect(await urgentRow.locator('.ticket__clock').innerText()).toMatch(/^\d\d:\d\d$/);
    await expect.poll(() => a.evaluate(() => (window as any).__notifications.map((n: { title: string }) => n.title))).toEqual(['Phiếu khẩn cấp: Bạo lực']);
    await expect.poll(() => a.title()).toMatch(/^\(1 khẩn cấp\)/);
    const ticketId = (await urgentRow.getAttribute('data-ticket-id'))!;

    // A citizen who asks for a person: a normal ticket, below the urgent one.
    const asker = await openCitizen();
    expect(await asker.say('cho tôi gặp tư vấn viên')).toMatch(/tư vấn viên/);
    await expect.poll(() => waitingA.count()).toBe(2);
    expect(await waitingA.nth(0).getAttribute('data-ticket-id')).toBe(ticketId);
    expect(await waitingA.nth(1).getAttribute('data-urgent')).toBe('false');
    expect(await waitingA.nth(1).innerText()).toContain('Người dân muốn gặp tư vấn viên');
    expect(await a.evaluate(() => (window as any).__sameDocument)).toBe(true);
    await a.screenshot({ path: join(shots, 'queue.png'), fullPage: true });

    // B on a phone, whose page will not hear A's claim (its live stream is cut): the ticket still looks free.
    const b = await newPage({ width: 375, height: 740 });
    await b.route('**/console/api/events', (route) => route.abort());
    await b.goto(`${running.url}/console/`);
    await login(b, 'nam', 'sai mật khẩu');
    await expect.poll(() => b.locator('.login__error').innerText()).toBe('Tên đăng nhập hoặc mật khẩu không đúng.');
    await login(b, 'nam');
    const waitingB = b.locator('[data-section="waiting"] .ticket');
    await expect.poll(() => waitingB.count()).toBe(2);
    expect(await waitingB.first().getAttribute('data-ticket-id')).toBe(ticketId);
    expect(await b.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await b.screenshot({ path: join(shots, 'queue-phone.png'), fullPage: true });

    // A claims: the conversation opens, and the citizen hears who is helping.
    await urgentRow.getByRole('button', { name: 'Nhận' }).click();
    await a.locator(`.conversation[data-ticket-id="${ticketId}"]`).waitFor();
    expect(a.url()).toContain(`#/ticket/${ticketId}`);
    await waitFor(() => victim.botTexts.find((t) => t.startsWith(`Chào bạn, mình là ${HOA}`)), 'the counsellor-joined message');
    expect(await a.locator('.transcript .line--citizen').first().innerText()).toContain('cầm dao');
    expect(await a.locator('.risk').innerText()).toContain('Khẩn cấp: Bạo lực');

    // B clicks "Nhận" on the stale row: the server's refusal, in the alert area.
    await waitingB.first().getByRole('button', { name: 'Nhận' }).click();
    const refusal = b.getByRole('alert').filter({ hasText: 'Phiếu này đã có' });
    await expect.poll(() => refusal.innerText()).toContain(`Phiếu này đã có ${HOA} nhận.`);
    expect((await running.assistant.store.tickets.get(ticketId))?.assigneeId).toBe(hoa.id);
    expect((await running.assistant.store.staff.getByUsername('nam'))?.presence).toBe('offline'); // a refusal changes nothing
    await expect.poll(() => b.locator('[data-section="others"] .ticket').innerText()).toContain(`Người nhận: ${HOA}`);
    // B may read the conversation on the phone, but not reply to a ticket Hoa holds.
    await b.locator('[data-section="others"] .ticket').getByRole('link', { name: 'Xem' }).click();
    await b.locator(`.conversation[data-ticket-id="${ticketId}"]`).waitFor();
    expect(await b.getByLabel('Trả lời người dân').count()).toBe(0);
    expect(await b.getByRole('button', { name: 'Nhận' }).count()).toBe(0);
    expect(await b.locator('.actions, .conversation__side').first().innerText()).toContain(`Phiếu do ${HOA} xử lý.`);
    expect(await b.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await b.screenshot({ path: join(shots, 'conversation-phone.png'), fullPage: true });

    // A replies: a line, Shift+Enter, a canned response inserted at the caret, Enter sends.
    const reply = a.getByLabel('Trả lời người dân');
    await reply.fill('Mình là Hoa, mình đang đọc tin nhắn của bạn.');
    await reply.press('Shift+Enter');
    await a.getByLabel('Chèn câu trả lời mẫu').selectOption({ label: 'Hỏi về an toàn' });
    await expect.poll(() => reply.inputValue()).toContain('\nNgay lúc này bạn có đang an toàn không?');
    await reply.press('Enter');
    const sent = await waitFor(() => victim.botTexts.find((t) => t.startsWith('Mình là Hoa, mình đang đọc')), 'the counsellor reply');
    expect(sent).toBe('Mình là Hoa, mình đang đọc tin nhắn của bạn.\nNgay lúc này bạn có đang an toàn không? Nếu có ai đang làm hại bạn, bạn gọi 113 được không?');
    await expect.poll(() => reply.inputValue()).toBe('');
    await expect.poll(() => a.locator('.transcript .line--counsellor').last().innerText()).toContain('Ngay lúc này bạn có đang an toàn không?');

    // An internal note shows in the transcript, styled apart, and never reaches the citizen.
    await a.getByLabel('Ghi chú nội bộ').fill('Đã gọi 113 hỗ trợ.');
    await a.getByRole('button', { name: 'Lưu ghi chú' }).click();
    await expect.poll(() => a.locator('.transcript .line--note').innerText()).toContain('Đã gọi 113 hỗ trợ.');
    expect(victim.botTexts.some((t) => t.includes('Đã gọi 113 hỗ trợ.'))).toBe(false);
    await a.screenshot({ path: join(shots, 'conversation.png'), fullPage: true });

    // A closes with an outcome: back to the queue; the citizen gets the goodbye and the rating choices.
    await a.locator('summary', { hasText: 'Đóng phiếu' }).click();
    await a.getByLabel('Kết quả').selectOption('resolved');
    await a.getByLabel('Ghi chú khi đóng').fill('Người dân đã an toàn ở nhà mẹ đẻ.');
    await a.locator('.close-form button[type="submit"]').click();
    await expect.poll(() => a.locator('.info').innerText()).toBe('Đã đóng phiếu: Đã giải quyết.');
    const goodbye = await waitFor(() => victim.botActivities.find((x) => String(x.text).startsWith('Cảm ơn bạn đã trò chuyện')), 'the goodbye');
    expect(goodbye.suggestedActions.actions.map((x: { title: string }) => x.title)).toEqual(['Hài lòng', 'Bình thường', 'Chưa hài lòng']);
    expect(await running.assistant.store.tickets.get(ticketId)).toMatchObject({ status: 'closed' });
    await expect.poll(() => a.locator('[data-section="mine"] .ticket').count()).toBe(0);
    expect(await waitingA.count()).toBe(1);
    expect(await waitingA.first().getAttribute('data-urgent')).toBe('false');
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it("gives a supervisor today's numbers, with bar charts, and the take-over button", async () => {
    const passwordHash = await hashPassword(PASSWORD);
    const lan = await running.assistant.store.staff.create({
      username: 'lan', displayName: 'Nguyễn Thị Lan', role: 'supervisor', passwordHash, teams: ['chung'], communeCodes: [], maxOpen: 5, createdAt: new Date(),
    });
    const page = await newPage({ width: 1024, height: 800 });
    await page.goto(`${running.url}/console/#/stats`);
    await login(page, 'lan');
    await expect.poll(() => page.locator('.me__role').innerText()).toBe('Giám sát viên');
    // From the first test: one urgent ticket answered at once and closed, one normal ticket waiting.
    const stat = (name: string) => page.locator('.stat', { has: page.locator('.stat__name', { hasText: name }) }).locator('.stat__value');
    await expect.poll(() => stat('Đang chờ').innerText()).toBe('1');
    expect(await stat('Phiếu hôm nay').innerText()).toBe('2');
    expect(await stat('Khẩn cấp được trả lời trong 5 phút').innerText()).toBe('100 %');
    expect(await page.locator('.stat', { hasText: 'Khẩn cấp được trả lời' }).innerText()).toContain('Mục tiêu 94 %');
    expect(await page.locator('figure.chart svg').count()).toBe(3);
    expect(await page.locator('figure.chart', { hasText: 'Theo dấu hiệu nguy hiểm' }).getAttribute('class')).toBe('chart');
    expect(await page.locator('figure.chart', { hasText: 'Theo dấu hiệu nguy hiểm' }).locator('svg').getAttribute('aria-label')).toContain('Bạo lực 1');
    await page.screenshot({ path: join(shots, 'stats.png'), fullPage: true });

    // The waiting ticket, claimed by Nam through the API, shows under "Đang xử lý" with "Tiếp quản" for the supervisor.
    const waiting = (await running.assistant.store.tickets.list({ statuses: ['waiting'] }))[0]!;
    const nam = (await running.assistant.store.staff.getByUsername('nam'))!;
    expect((await running.assistant.handoff.desk.claim(waiting.id, nam)).ok).toBe(true);
    await page.getByRole('link', { name: /Hàng chờ/ }).click();
    const others = page.locator('[data-section="others"] .ticket');
    await expect.poll(() => others.count()).toBe(1);
    await others.getByRole('button', { name: 'Tiếp quản' }).click();
    await page.locator(`.conversation[data-ticket-id="${waiting.id}"]`).waitFor();
    await expect.poll(async () => (await running.assistant.store.tickets.get(waiting.id))?.assigneeId).toBe(lan.id);
    await expect.poll(() => page.locator('.summary [data-status]').innerText()).toBe('Đang xử lý');
    // Taking a ticket by hand made the offline supervisor available, so the queue keeper leaves it with her.
    await expect.poll(() => page.getByLabel('Trạng thái của tôi').inputValue()).toBe('available');
    await running.assistant.handoff.keeper.tick();
    expect((await running.assistant.store.tickets.get(waiting.id))?.assigneeId).toBe(lan.id);
    expect(pageErrors).toEqual([]);
  });

  it('lets a supervisor find a conversation the bot is handling, read it and hand it to a counsellor, with the citizen’s earlier tickets', async () => {
    const { store } = running.assistant;
    const passwordHash = await hashPassword(PASSWORD);
    await store.staff.create({ username: 'thu', displayName: 'Lê Thị Thu', role: 'supervisor', passwordHash, teams: ['chung'], communeCodes: [], maxOpen: 5, createdAt: new Date() });
    const page = await newPage({ width: 1280, height: 900 });
    await page.goto(`${running.url}/console/`);
    await login(page, 'thu');
    const botSection = page.locator('[data-section="bot"]');
    await botSection.locator('.count').waitFor();

    // A citizen talks to the bot, with a phone number in the message: the list shows it live.
    const talker = await openCitizen();
    expect(await talker.say('trợ cấp người cao tuổi bao nhiêu')).toMatch(/Nguồn: /);
    await talker.say('mẹ tôi ở một mình, số của mẹ 0912 345 678');
    const conversation = await waitFor(
      () => store.conversations.findByAddress({ channel: 'webchat', chatId: talker.conversationId, userId: talker.userId }),
      'the conversation',
    );
    // An earlier contact of this citizen, handled by Hoa, closed and rated.
    const day = 86_400_000;
    const earlier = (await store.tickets.open({
      conversationId: conversation.id, citizenKey: citizenKeyOf(conversation), channel: 'webchat', priority: HANDOFF_PRIORITY.normal, reason: 'citizen-asked', riskCategory: null,
      messageId: null, team: 'chung', provinceCode: null, communeCode: null, caseId: null, createdAt: new Date(Date.now() - 3 * day),
    })).ticket;
    await store.tickets.claim(earlier.id, hoa.id, new Date(Date.now() - 3 * day + 60_000));
    await store.tickets.close(earlier.id, { by: hoa.id, outcome: 'resolved', note: null }, new Date(Date.now() - 3 * day + 600_000));
    await store.tickets.rate(earlier.id, 3, new Date(Date.now() - 3 * day + 700_000));
    const row = botSection.locator(`[data-conversation-id="${conversation.id}"]`);
    await expect.poll(() => row.innerText()).toContain('số của mẹ ***78');
    // Another citizen asks for a person: in the queue, not in the bot's list.
    const asker = await openCitizen();
    expect(await asker.say('cho tôi gặp tư vấn viên')).toMatch(/tư vấn viên/);
    await expect.poll(() => page.locator('[data-section="waiting"] .ticket').count()).toBeGreaterThan(0);
    expect(await row.innerText()).not.toContain('0912');
    const askerConversation = (await store.conversations.findByAddress({ channel: 'webchat', chatId: asker.conversationId, userId: asker.userId }))!;
    await expect.poll(() => botSection.locator(`[data-conversation-id="${askerConversation.id}"]`).count()).toBe(0);

    // "Xem": the transcript, read-only, and the earlier ticket.
    await row.getByRole('link', { name: 'Xem' }).click();
    await page.locator(`.conversation[data-conversation-id="${conversation.id}"][data-read-only="true"]`).waitFor();
    expect(page.url()).toContain(`#/conversation/${conversation.id}`);
    await expect.poll(() => page.locator('.transcript .line--citizen').first().innerText()).toContain('trợ cấp người cao tuổi bao nhiêu');
    expect(await page.getByLabel('Trả lời người dân').count()).toBe(0);
    expect(await page.getByLabel('Ghi chú nội bộ').count()).toBe(0);
    const history = page.locator(`.history__item[data-ticket-id="${earlier.id}"]`);
    expect(await history.innerText()).toMatch(/Đã đóng · Đã giải quyết/);
    expect(await history.innerText()).toContain(HOA);
    expect(await history.innerText()).toContain('Hài lòng');
    await page.screenshot({ path: join(shots, 'bot-conversation.png'), fullPage: true });

    // Back on the queue: "Chuyển cho tư vấn viên" with a note puts it in the queue.
    await page.getByRole('link', { name: '← Hàng chờ' }).click();
    await row.getByRole('button', { name: 'Chuyển cho tư vấn viên' }).click();
    await row.getByLabel('Ghi chú cho tư vấn viên').fill('Bà ở một mình, nên gọi lại.');
    await page.screenshot({ path: join(shots, 'bot-list.png'), fullPage: true });
    await row.getByRole('button', { name: 'Chuyển', exact: true }).click();
    await expect.poll(() => page.locator('.info').innerText()).toBe('Đã chuyển cuộc trò chuyện cho tư vấn viên.');
    const flagged = await waitFor(() => store.tickets.findOpenByConversation(conversation.id), 'the flagged ticket');
    expect(flagged).toMatchObject({ reason: 'staff-flagged', status: 'waiting' });
    await expect.poll(() => row.count()).toBe(0);
    const waitingRow = page.locator(`[data-section="waiting"] .ticket[data-ticket-id="${flagged.id}"]`);
    await expect.poll(() => waitingRow.innerText()).toContain('Cán bộ đánh dấu');
    await waitingRow.getByRole('link', { name: 'Xem' }).click();
    await page.locator(`.conversation[data-ticket-id="${flagged.id}"]`).waitFor();
    expect(await page.locator('.transcript .line--note').innerText()).toContain('Bà ở một mình, nên gọi lại.');
    expect(await page.locator(`.history__item[data-ticket-id="${earlier.id}"]`).count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
