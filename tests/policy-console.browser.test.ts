/**
 * The console's "Giá trị chính sách" in a real browser (playwright-core driving Chromium)
 * against a real assistant whose clock the test holds. An editor adds a new poverty-line
 * amount from 1/7/2027 to the value, sees a missing source flagged on its field, previews
 * the answers that use the value on that day and saves a draft; a supervisor, on a phone,
 * approves it; the bot keeps the amount in force until 23:59:59 on 30/6/2027 in Vietnam and
 * gives the new one at 00:00 on 1/7/2027, without a restart. Seven months later (sessions
 * ended: both log in again) the editor restores the older version and the supervisor sends
 * it back with a reason. Last, an editor adds a new value ("he-so-thu") from the list, a
 * supervisor approves it, and it is listed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAssistant } from './support/assistant.js';
import { BrowserPages, launchChromium, loginConsole } from './support/browser.js';
import { TEST_PASSWORD, addStaff } from './support/console-client.js';
import { askWebChat } from './support/web-ask.js';

const KEY = 'chuan-ngheo-nong-thon';
const ENTRY = 'ngheo-chuan-thu-nhap-hien-nay';
const QUESTION = 'chuan ngheo nong thon hien nay bao nhieu';
const NEW_AMOUNT = '2.300.000 đồng';
const SOURCE = 'Nghị định thử 99/2027/NĐ-CP';
const EDITOR = 'Đỗ Thị Mai';
const SUPERVISOR = 'Nguyễn Thị Lan';

/** 10:00 on 1 December 2026 in Vietnam; the test moves it. */
let clock = new Date('2026-12-01T03:00:00Z');
let running: Awaited<ReturnType<typeof startAssistant>>;
let pages: BrowserPages;
const shots = mkdtempSync(join(tmpdir(), 'ctxh-policy-shot-'));

beforeAll(async () => {
  // The shipped values were last reviewed on 22/11/2026: with 5 days, all are due for review.
  running = await startAssistant({ CONSOLE_SECURE_COOKIES: 'false', KB_REVIEW_AFTER_DAYS: '5' }, { now: () => clock });
  const { store } = running.assistant;
  await addStaff(store, { username: 'mai', displayName: EDITOR, canEditKnowledge: true }, clock);
  await addStaff(store, { username: 'lan', displayName: SUPERVISOR, role: 'supervisor' }, clock);
  pages = new BrowserPages(await launchChromium());
});

afterAll(async () => {
  await pages?.close();
  await running?.close();
});

const newPage = (width: number, height: number): Promise<Page> => pages.open(width, height);

const login = (page: Page, username: string) => loginConsole(page, username, TEST_PASSWORD);

/** expect.poll with room for a loaded machine (the preview alone waits 400 ms for typing to stop). */
const eventually = <T>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: 10_000, interval: 50 });

describe('policy values in the console', () => {
  it('an editor schedules a new amount, a supervisor approves it, and the bot switches on its date without a restart', async () => {
    const { store } = running.assistant;
    const before = (await store.policyVersions.history(KEY)).at(-1)!;
    expect(before.status).toBe('approved');

    // The editor on a laptop: Kiến thức → Giá trị chính sách; the value with its amounts today and next.
    const editor = await newPage(1280, 900);
    await editor.goto(`${running.url}/console/`);
    await login(editor, 'mai');
    await eventually(() => editor.locator('.me__name').innerText()).toBe(EDITOR);
    await editor.getByRole('link', { name: 'Kiến thức', exact: true }).click();
    await editor.getByRole('link', { name: 'Giá trị chính sách' }).click();
    const row = editor.locator(`.policy-values .policy-row[data-key="${KEY}"]`);
    await row.waitFor();
    const rowText = await row.innerText();
    expect(rowText).toContain('Đang áp dụng: 1.500.000 đồng từ 01/01/2022');
    expect(rowText).toContain('Sắp áp dụng: 2.200.000 đồng từ 01/01/2027');
    expect(rowText).toMatch(/Rà soát: 22\/11\/2026 cần rà soát/);
    expect(rowText).toMatch(/Dùng trong [1-9]\d* mục/);
    expect(await editor.locator('.policy-draft').count()).toBe(0);
    await row.locator('.kb-row__question').click();
    expect(editor.url()).toContain(`#/kb-policy/${KEY}`);

    // One value: its dated amounts, the entries that use it, the form filled with it (reviewed today).
    const current = editor.locator('.policy-current');
    await eventually(() => current.locator('tr[data-from="2022-01-01"]').innerText()).toContain('đang áp dụng');
    expect(await current.locator('tr[data-from="2027-01-01"]').innerText()).toMatch(/2\.200\.000 đồng\s+01\/01\/2027\s+Nghị định 351\/2025\/NĐ-CP\s+sắp áp dụng/);
    expect(await editor.locator(`.policy-used li[data-entry-id="${ENTRY}"] a`).getAttribute('href')).toBe(`#/kb/${ENTRY}`);
    expect(await editor.getByLabel('Ngày rà soát').inputValue()).toBe('2026-12-01');
    const poverty = editor.locator(`.policy-preview[data-entry-id="${ENTRY}"] .kb-bubble__text`);
    await eventually(() => poverty.innerText()).toContain('nông thôn: 1.500.000 đồng');
    expect(await poverty.innerText()).not.toContain('{{');

    // A third amount from 1/7/2027, its source still empty: the problem shows on that field.
    await editor.getByRole('button', { name: '+ Thêm một mức' }).click();
    const third = editor.getByRole('group', { name: 'Mức 3', exact: true });
    await eventually(() => editor.evaluate(() => document.activeElement?.id ?? '')).toMatch(/^pv-\d+-value$/);
    await eventually(() => editor.locator('.kb-problems[data-field="values.2.from"]').innerText()).toContain('Chọn ngày bắt đầu áp dụng.');
    await third.getByLabel('Giá trị').fill(NEW_AMOUNT);
    await third.getByLabel('Áp dụng từ ngày').fill('2027-07-01');
    const sourceProblem = editor.locator('.kb-problems[data-field="values.2.source"]');
    await eventually(() => sourceProblem.innerText()).toContain('ghi văn bản pháp luật (số hiệu, điều khoản)');
    expect(await third.getByLabel('Nguồn').getAttribute('aria-invalid')).toBe('true');
    await eventually(() => editor.locator('.kb-problems').count()).toBe(1);
    await eventually(() => editor.locator('.policy-previews').innerText()).toContain('Chưa xem trước được');
    expect(await poverty.count()).toBe(0);

    // With its source, previewed on 1/7/2027: the poverty-line answer gives the new amount.
    await third.getByLabel('Nguồn').fill(SOURCE);
    await eventually(() => editor.locator('.kb-problems').count()).toBe(0);
    await eventually(() => poverty.innerText()).toContain('nông thôn: 1.500.000 đồng');
    await editor.getByLabel('Xem trước câu trả lời vào ngày').fill('2027-07-01');
    await eventually(() => poverty.innerText()).toContain(`nông thôn: ${NEW_AMOUNT}`);
    await editor.getByLabel('Xem trước câu trả lời vào ngày').fill('2027-06-30');
    await eventually(() => poverty.innerText()).toContain('nông thôn: 2.200.000 đồng');
    await editor.getByLabel('Thay đổi gì').fill('Chuẩn nghèo nông thôn mới từ 01/7/2027.');
    await editor.screenshot({ path: join(shots, 'policy-edit.png'), fullPage: true });
    await editor.getByRole('button', { name: 'Lưu bản nháp' }).click();
    const draftVersion = before.version + 1;
    await eventually(() => editor.locator('.info').innerText()).toContain(`Đã lưu bản nháp ${draftVersion}.`);
    const draft = await store.policyVersions.get(KEY, draftVersion);
    expect(draft).toMatchObject({ status: 'draft', basedOn: before.version, note: 'Chuẩn nghèo nông thôn mới từ 01/7/2027.' });
    expect(draft!.entry).toMatchObject({ label: before.entry!.label, unit: before.entry!.unit, reviewed: '2026-12-01' });
    expect(draft!.entry!.values.at(-1)).toEqual({ value: NEW_AMOUNT, from: '2027-07-01', source: SOURCE });

    // The editor's own draft waits for a reviewer: no "Duyệt" for a counsellor.
    const ownDraft = editor.locator(`.policy-pending .kb-version[data-version="${draftVersion}"]`);
    await eventually(() => ownDraft.innerText()).toContain('Chờ giám sát viên hoặc quản trị viên duyệt.');
    expect(await ownDraft.getByRole('button', { name: 'Duyệt' }).count()).toBe(0);

    // The supervisor on a phone: the draft in "Chờ duyệt", the new amount marked, approved at once.
    const supervisor = await newPage(390, 844);
    await supervisor.goto(`${running.url}/console/#/kb`);
    await login(supervisor, 'lan');
    await supervisor.getByRole('link', { name: 'Giá trị chính sách' }).click();
    const waiting = supervisor.locator(`.policy-draft[data-key="${KEY}"][data-version="${draftVersion}"]`);
    await eventually(() => waiting.innerText()).toContain(`Người viết: ${EDITOR}`);
    expect(await waiting.innerText()).toContain('Thay đổi: Chuẩn nghèo nông thôn mới từ 01/7/2027.');
    expect(await supervisor.locator(`.policy-row[data-key="${KEY}"]`).innerText()).toContain('1 bản nháp');
    await waiting.getByRole('link', { name: 'Xem bản nháp' }).click();
    const toReview = supervisor.locator(`.policy-pending .kb-version[data-version="${draftVersion}"]`);
    await eventually(() => toReview.locator('tr[data-from="2027-07-01"]').innerText()).toMatch(/2\.300\.000 đồng[\s\S]*sắp áp dụng[\s\S]*mới/);
    expect(await toReview.locator('.kb-diff__field').innerText()).toContain('Ngày rà soát: 22/11/2026 → 01/12/2026');
    expect(await supervisor.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await supervisor.screenshot({ path: join(shots, 'policy-review-phone.png'), fullPage: true });
    await toReview.getByRole('button', { name: 'Duyệt', exact: true }).click();
    await eventually(() => supervisor.locator('.info').innerText()).toContain(`Đã duyệt bản ${draftVersion}.`);
    const approved = supervisor.locator(`.policy-versions .kb-version[data-version="${draftVersion}"]`);
    await eventually(() => approved.getAttribute('data-status')).toBe('approved');
    expect(await approved.innerText()).toContain('đang áp dụng');
    expect(await approved.innerText()).toContain(`Người duyệt: ${SUPERVISOR}`);
    expect(await supervisor.locator('.policy-pending').count()).toBe(0);
    expect(await supervisor.locator('.policy-current tr[data-from="2027-07-01"]').innerText()).toContain('sắp áp dụng');

    // The bot: the amount in force today, the scheduled one until the new date, then the new one.
    expect(await askWebChat(running.url, QUESTION)).toMatch(/nông thôn: 1\.500\.000 đồng/);
    clock = new Date('2027-06-30T16:59:59Z');
    expect(await askWebChat(running.url, QUESTION)).toMatch(/nông thôn: 2\.200\.000 đồng/);
    clock = new Date('2027-06-30T17:00:00Z');
    const answer = await askWebChat(running.url, QUESTION);
    expect(answer).toMatch(/nông thôn: 2\.300\.000 đồng/);
    expect(answer).not.toContain('2.200.000');
    expect(pages.errors).toEqual([]);
  }, 90_000);

  it('on 1/7/2027 the list shows the new amount; an editor restores the older version and a supervisor sends it back', async () => {
    expect(clock.toISOString()).toBe('2027-06-30T17:00:00.000Z'); // the first test moved it
    const { store } = running.assistant;
    const [older, latest] = (await store.policyVersions.history(KEY)).slice(-2);

    // Months later the sessions have ended: the editor logs in again, straight to the value.
    const editor = await newPage(1024, 800);
    await editor.goto(`${running.url}/console/#/kb-policy`);
    await login(editor, 'mai');
    const row = editor.locator(`.policy-values .policy-row[data-key="${KEY}"]`);
    await eventually(() => row.innerText()).toContain(`Đang áp dụng: ${NEW_AMOUNT} từ 01/07/2027`);
    expect(await row.innerText()).not.toContain('Sắp áp dụng');
    await row.locator('.kb-row__question').click();
    await eventually(() => editor.locator('.policy-current tr[data-from="2027-07-01"]').innerText()).toContain('đang áp dụng');
    expect(await editor.locator('.policy-current').innerText()).toContain('hôm nay 01/07/2027');
    expect(await editor.getByLabel('Ngày rà soát').inputValue()).toBe('2027-07-01');
    expect(await editor.locator(`.policy-versions .kb-version[data-version="${latest!.version}"]`).innerText()).toContain('đang áp dụng');
    expect(await editor.locator(`.policy-versions .kb-version[data-version="${latest!.version}"]`).getByRole('button', { name: 'Khôi phục bản này' }).count()).toBe(0);

    // "Khôi phục bản này" on the older version: a new draft without the 1/7/2027 amount.
    await editor.locator(`.policy-versions .kb-version[data-version="${older!.version}"]`).getByRole('button', { name: 'Khôi phục bản này' }).click();
    const restoredVersion = latest!.version + 1;
    await eventually(() => editor.locator('.info').innerText()).toContain(`Đã tạo bản nháp ${restoredVersion} từ bản ${older!.version}`);
    const restored = editor.locator(`.policy-pending .kb-version[data-version="${restoredVersion}"]`);
    await eventually(() => restored.locator('tr[data-from="2027-07-01"]').innerText()).toContain('bỏ đi');
    expect(await restored.innerText()).toContain(`Thay đổi: khôi phục bản ${older!.version}`);

    // The supervisor logs in again and sends it back: a reason is required.
    const supervisor = await newPage(1280, 900);
    await supervisor.goto(`${running.url}/console/#/kb-policy/${KEY}`);
    await login(supervisor, 'lan');
    const toReview = supervisor.locator(`.policy-pending .kb-version[data-version="${restoredVersion}"]`);
    await toReview.getByRole('button', { name: 'Trả lại…' }).click();
    await toReview.getByRole('button', { name: 'Trả lại', exact: true }).click();
    await eventually(() => toReview.getByRole('alert').innerText()).toBe('Ghi lý do trả lại.');
    await toReview.getByLabel('Lý do trả lại').fill('Mức 2.300.000 đồng đã có hiệu lực từ 01/7/2027.');
    await toReview.getByRole('button', { name: 'Trả lại', exact: true }).click();
    await eventually(() => supervisor.locator('.info').innerText()).toBe(`Đã trả lại bản ${restoredVersion}.`);
    const sentBack = supervisor.locator(`.policy-versions .kb-version[data-version="${restoredVersion}"]`);
    await eventually(() => sentBack.getAttribute('data-status')).toBe('rejected');
    expect(await sentBack.innerText()).toContain('Lý do trả lại: Mức 2.300.000 đồng đã có hiệu lực từ 01/7/2027.');
    expect(await sentBack.innerText()).toContain(`Người trả lại: ${SUPERVISOR}`);
    expect((await store.policyVersions.get(KEY, restoredVersion))!.status).toBe('rejected');
    expect(await askWebChat(running.url, QUESTION)).toMatch(/nông thôn: 2\.300\.000 đồng/);
    expect(pages.errors).toEqual([]);
  }, 90_000);

  it('an editor adds a new value from the list, a supervisor approves it, and it is listed', async () => {
    const { store } = running.assistant;
    const NEW_KEY = 'he-so-thu';
    const NEW_LABEL = 'Hệ số thu thử nghiệm';
    const NEW_SOURCE = 'Quyết định thử 12/2024/QĐ-UBND, Điều 3';
    const today = new Date(clock.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
    expect(await store.policyVersions.history(NEW_KEY)).toEqual([]);

    // The editor on the list: "Thêm giá trị mới" asks for a key, checked in the page.
    const editor = await newPage(1280, 900);
    await editor.goto(`${running.url}/console/#/kb-policy`);
    await login(editor, 'mai');
    const adding = editor.locator('.policy-new-form');
    await eventually(() => adding.innerText()).toContain('{{policy.<mã>}}');
    await adding.getByRole('button', { name: '+ Thêm giá trị mới' }).click();
    const keyInput = adding.getByLabel('Mã giá trị');
    await eventually(() => editor.evaluate(() => document.activeElement?.id ?? '')).toBe('pv-new-key');
    await keyInput.fill('Hệ số thu');
    await adding.getByRole('button', { name: 'Tạo giá trị' }).click();
    await eventually(() => adding.getByRole('alert').innerText()).toContain('Mã chỉ gồm chữ thường không dấu');
    expect(await keyInput.getAttribute('aria-invalid')).toBe('true');
    expect(editor.url()).not.toContain('#/kb-policy/');
    await adding.getByRole('button', { name: 'Dùng mã gợi ý' }).click();
    expect(await keyInput.inputValue()).toBe(NEW_KEY);
    expect(await adding.getByRole('alert').count()).toBe(0);
    expect(await adding.innerText()).toContain(`{{policy.${NEW_KEY}}}`);

    // A key that exists points to its value instead.
    await keyInput.fill(KEY);
    await adding.getByRole('button', { name: 'Tạo giá trị' }).click();
    await eventually(() => adding.getByRole('status').innerText()).toContain('Đã có giá trị');
    expect(await adding.getByRole('link', { name: 'Mở giá trị này' }).getAttribute('href')).toBe(`#/kb-policy/${KEY}`);

    // The new key: the edit form empty (one amount, reviewed today), no history.
    await keyInput.fill(NEW_KEY);
    await adding.getByRole('button', { name: 'Tạo giá trị' }).click();
    await eventually(() => editor.url()).toContain(`#/kb-policy/${NEW_KEY}`);
    await eventually(() => editor.locator('.kb__title').innerText()).toBe(`Giá trị mới: ${NEW_KEY}`);
    expect(await editor.locator('.policy-value').innerText()).toContain(`{{policy.${NEW_KEY}}}`);
    expect(await editor.locator('.policy-versions').count()).toBe(0);
    expect(await editor.locator('.kb-error').count()).toBe(0);
    expect(await editor.getByLabel('Tên gọi').inputValue()).toBe('');
    expect(await editor.getByLabel('Ngày rà soát').inputValue()).toBe(today);
    expect(await editor.locator('fieldset.policy-amount').count()).toBe(1);
    expect(await editor.getByRole('button', { name: 'Lưu bản nháp' }).isDisabled()).toBe(true);

    await editor.getByLabel('Tên gọi').fill(NEW_LABEL);
    const first = editor.getByRole('group', { name: 'Mức 1', exact: true });
    await first.getByLabel('Giá trị').fill('1,5');
    await first.getByLabel('Áp dụng từ ngày').fill('2024-07-01');
    await first.getByLabel('Nguồn').fill(NEW_SOURCE);
    await editor.getByLabel('Thay đổi gì').fill('Giá trị mới cho hệ số thu.');
    await eventually(() => editor.locator('.kb-problems').count()).toBe(0);
    await eventually(() => editor.locator('.policy-previews').innerText()).toContain('Chưa có mục nào dùng giá trị này.');
    await editor.getByRole('button', { name: 'Lưu bản nháp' }).click();
    await eventually(() => editor.locator('.info').innerText()).toContain('Đã lưu bản nháp 1.');
    expect(await store.policyVersions.get(NEW_KEY, 1)).toMatchObject({
      status: 'draft',
      basedOn: null,
      note: 'Giá trị mới cho hệ số thu.',
      entry: { key: NEW_KEY, label: NEW_LABEL, values: [{ value: '1,5', from: '2024-07-01', source: NEW_SOURCE }], reviewed: today },
    });
    // Saved: the page is the value's, its draft waiting for a reviewer.
    await eventually(() => editor.locator('.kb__title').innerText()).toBe(NEW_LABEL);
    await eventually(() => editor.locator('.policy-pending .kb-version[data-version="1"]').innerText()).toContain('Chờ giám sát viên hoặc quản trị viên duyệt.');

    // The supervisor: the draft under "Chờ duyệt", marked new, not yet among the values; approved.
    const supervisor = await newPage(390, 844);
    await supervisor.goto(`${running.url}/console/#/kb-policy`);
    await login(supervisor, 'lan');
    const waiting = supervisor.locator(`.policy-draft[data-key="${NEW_KEY}"][data-version="1"]`);
    await eventually(() => waiting.innerText()).toContain(NEW_LABEL);
    expect(await waiting.innerText()).toContain('giá trị mới');
    expect(await waiting.innerText()).toContain(`Người viết: ${EDITOR}`);
    expect(await supervisor.locator(`.policy-values .policy-row[data-key="${NEW_KEY}"]`).count()).toBe(0);
    await waiting.getByRole('link', { name: 'Xem bản nháp' }).click();
    const toReview = supervisor.locator('.policy-pending .kb-version[data-version="1"]');
    await eventually(() => toReview.locator('tr[data-from="2024-07-01"]').innerText()).toContain('1,5');
    expect(await toReview.innerText()).toContain('Giá trị mới, chưa có bản nào áp dụng');
    await toReview.getByRole('button', { name: 'Duyệt', exact: true }).click();
    await eventually(() => supervisor.locator('.info').innerText()).toContain('Đã duyệt bản 1.');
    await eventually(() => supervisor.locator('.policy-versions .kb-version[data-version="1"]').getAttribute('data-status')).toBe('approved');

    // Listed among the values, with its amount in force.
    await supervisor.getByRole('link', { name: '← Giá trị chính sách' }).click();
    const listed = supervisor.locator(`.policy-values .policy-row[data-key="${NEW_KEY}"]`);
    await eventually(() => listed.innerText()).toContain('Đang áp dụng: 1,5 từ 01/07/2024');
    expect(await listed.innerText()).toContain(NEW_LABEL);
    expect(await supervisor.locator(`.policy-draft[data-key="${NEW_KEY}"]`).count()).toBe(0);
    expect(await supervisor.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(pages.errors).toEqual([]);
  }, 90_000);
});
