/**
 * The console's "Kiến thức" area in a real browser (playwright-core driving Chromium)
 * against a real assistant whose clock the test holds: the acceptance test. An
 * editor (a counsellor given canEditKnowledge) changes an amount in an answer, sees it in
 * the preview and saves a draft, which they cannot approve themselves; a supervisor, on a
 * phone, approves it with a publish date of tomorrow; a citizen on the web chat gets the
 * old amount today and the new one once the clock passes midnight in Vietnam, without a
 * restart.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/console/auth/passwords.js';
import { startAssistant } from './support/assistant.js';
import { BrowserPages, launchChromium, loginConsole } from './support/browser.js';
import { ConsoleClient, TEST_PASSWORD, addStaff } from './support/console-client.js';
import { waitFor } from './support/http.js';

const ENTRY = 'nkt-muc-tro-cap-hang-thang';
const OLD_LINE = 'Khuyết tật nặng: 750.000 đồng/tháng';
const NEW_LINE = 'Khuyết tật nặng: 820.000 đồng/tháng';
const QUESTION = 'người khuyết tật nặng được trợ cấp bao nhiêu tiền mỗi tháng';
const EDITOR = 'Đỗ Thị Mai';
const SUPERVISOR = 'Nguyễn Thị Lan';

/** 10:00 on 1 December 2026 in Vietnam; the test moves it. */
let clock = new Date('2026-12-01T03:00:00Z');
let running: Awaited<ReturnType<typeof startAssistant>>;
let pages: BrowserPages;
const shots = mkdtempSync(join(tmpdir(), 'ctxh-kb-shot-'));

beforeAll(async () => {
  // Most shipped entries were last reviewed on 22/11/2026: with 5 days, they are due for review.
  running = await startAssistant({ CONSOLE_SECURE_COOKIES: 'false', KB_REVIEW_AFTER_DAYS: '5' }, { now: () => clock });
  const { store } = running.assistant;
  await store.staff.create({
    username: 'mai', displayName: EDITOR, role: 'counsellor', canEditKnowledge: true, passwordHash: await hashPassword(TEST_PASSWORD),
    teams: ['chung'], communeCodes: [], maxOpen: 5, createdAt: clock,
  });
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

const auth = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

/** A citizen opens the web chat (plain Direct Line over fetch), asks, and gets the bot's line about severe disability. */
async function citizenAsks(text: string): Promise<string> {
  const { token, conversationId } = (await (await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST' })).json()) as { token: string; conversationId: string };
  const url = `${running.url}/v3/directline/conversations/${conversationId}/activities`;
  const posted = await fetch(url, { method: 'POST', headers: auth(token), body: JSON.stringify({ type: 'message', from: { id: 'citizen' }, text }) });
  expect(posted.status).toBe(200);
  return waitFor(async () => {
    const page = (await (await fetch(url, { headers: auth(token) })).json()) as { activities: Array<{ type: string; from: { role?: string }; text?: string }> };
    return page.activities.find((a) => a.type === 'message' && a.from.role === 'bot' && /Khuyết tật nặng:/.test(a.text ?? ''))?.text;
  }, `the answer to "${text}"`);
}

describe('knowledge in the console', () => {
  it('an editor drafts a new amount, a supervisor approves it from tomorrow, and the bot switches at midnight without a restart', async () => {
    // The editor on a laptop: "Kiến thức" in the navigation, the entry found by a search.
    const editor = await newPage(1280, 900);
    await editor.goto(`${running.url}/console/`);
    await login(editor, 'mai');
    await eventually(() => editor.locator('.me__name').innerText()).toBe(EDITOR);
    await editor.getByRole('link', { name: 'Kiến thức' }).click();
    await editor.getByRole('searchbox', { name: 'Tìm' }).fill('khuyết tật nặng');
    const row = editor.locator(`.kb-entries .kb-row[data-entry-id="${ENTRY}"]`);
    await row.waitFor();
    expect(await row.innerText()).toContain('Trợ cấp người khuyết tật');
    expect(await row.innerText()).toMatch(/Rà soát: 22\/11\/2026 cần rà soát/);
    await row.locator('.kb-row__question').click();
    expect(editor.url()).toContain(`#/kb/${ENTRY}`);

    // The answer in force, and the form filled with it; the preview is what a citizen reads.
    const body = editor.getByLabel('Câu trả lời', { exact: true });
    await eventually(() => body.inputValue()).toContain(OLD_LINE);
    expect(await editor.locator('.kb-current').innerText()).toContain(OLD_LINE);
    const preview = editor.locator('.kb-preview .kb-bubble__text');
    await eventually(() => preview.innerText()).toContain(OLD_LINE);
    expect(await preview.innerText()).not.toContain('{{');

    // An empty answer: the problem shows next to the field, no preview.
    await body.fill('');
    await eventually(() => editor.locator('.kb-problems[data-field="body"]').innerText()).toContain('Câu trả lời trống.');
    expect(await preview.count()).toBe(0);

    // The new amount: seen in the preview, saved as a draft with a note.
    const old = (await running.assistant.store.knowledgeVersions.history(ENTRY)).at(-1)!;
    await body.fill(old.entry!.body.replace(OLD_LINE, NEW_LINE));
    await editor.getByLabel('Ngày rà soát').fill('2026-12-01');
    await eventually(() => preview.innerText()).toContain(NEW_LINE);
    expect(await editor.locator('.kb-problems').count()).toBe(0);
    await editor.getByLabel('Thay đổi gì').fill('Mức mới cho khuyết tật nặng từ 02/12/2026.');
    await editor.screenshot({ path: join(shots, 'kb-edit.png'), fullPage: true });
    await editor.getByRole('button', { name: 'Lưu bản nháp' }).click();
    const draftVersion = old.version + 1;
    await eventually(() => editor.locator('.info').innerText()).toContain(`Đã lưu bản nháp ${draftVersion}.`);
    const draft = await running.assistant.store.knowledgeVersions.get(ENTRY, draftVersion);
    expect(draft).toMatchObject({ status: 'draft', basedOn: old.version, note: 'Mức mới cho khuyết tật nặng từ 02/12/2026.' });
    expect(draft!.entry).toMatchObject({ reviewed: '2026-12-01', questions: old.entry!.questions, source: old.entry!.source });
    expect(draft!.entry!.body).toContain(NEW_LINE);

    // The editor cannot approve their own draft: no button, and the API refuses it too.
    const editorDraft = editor.locator(`.kb-pending .kb-version[data-version="${draftVersion}"]`);
    await eventually(() => editorDraft.getAttribute('data-status')).toBe('draft');
    expect(await editor.locator(`.kb-versions .kb-version[data-version="${draftVersion}"]`).innerText()).toMatch(/Bản \d+\s+nháp/);
    expect(await editorDraft.getByRole('button', { name: 'Duyệt' }).count()).toBe(0);
    expect(await editorDraft.innerText()).toContain('Chờ giám sát viên hoặc quản trị viên duyệt.');
    const api = await ConsoleClient.login(running.url, 'mai');
    const refused = await api.post(`/kb/entries/${ENTRY}/versions/${draftVersion}/approve`, {});
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('Chỉ giám sát viên hoặc quản trị viên được duyệt nội dung.');

    // The supervisor on a phone: the draft waits in "Chờ duyệt", with who wrote it and why.
    const supervisor = await newPage(390, 844);
    await supervisor.goto(`${running.url}/console/#/kb`);
    await login(supervisor, 'lan');
    const waiting = supervisor.locator(`.kb-draft[data-entry-id="${ENTRY}"][data-version="${draftVersion}"]`);
    await waiting.waitFor();
    expect(await waiting.innerText()).toContain(`Người viết: ${EDITOR}`);
    expect(await waiting.innerText()).toContain('Mức mới cho khuyết tật nặng từ 02/12/2026.');
    expect(await supervisor.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await waiting.getByRole('link', { name: 'Xem bản nháp' }).click();
    const toReview = supervisor.locator(`.kb-pending .kb-version[data-version="${draftVersion}"]`);
    await toReview.waitFor();
    expect(await toReview.locator('.kb-diff__line--del').allInnerTexts()).toEqual([expect.stringContaining(OLD_LINE)]);
    expect(await toReview.locator('.kb-diff__line--add').allInnerTexts()).toEqual([expect.stringContaining(NEW_LINE)]);
    expect(await toReview.locator('.kb-diff__field').innerText()).toContain('Ngày rà soát: 22/11/2026 → 01/12/2026');

    // Approved from tomorrow: the date picker starts at the server's today.
    await toReview.getByLabel('Áp dụng từ ngày').check();
    const day = toReview.getByLabel('Ngày áp dụng');
    expect(await day.getAttribute('min')).toBe('2026-12-01');
    await day.fill('2026-12-02');
    await supervisor.screenshot({ path: join(shots, 'kb-review-phone.png'), fullPage: true });
    await toReview.getByRole('button', { name: 'Duyệt', exact: true }).click();
    await eventually(() => supervisor.locator('.info').innerText()).toBe(`Đã duyệt bản ${draftVersion}: áp dụng từ 02/12/2026.`);
    const approved = supervisor.locator(`.kb-versions .kb-version[data-version="${draftVersion}"]`);
    await eventually(() => approved.getAttribute('data-status')).toBe('approved');
    expect(await supervisor.locator('.kb-pending').count()).toBe(0);
    expect(await approved.innerText()).toContain('áp dụng từ 02/12/2026');
    expect(await approved.innerText()).toContain(`Người duyệt: ${SUPERVISOR}`);
    expect(await supervisor.locator(`.kb-versions .kb-version[data-version="${old.version}"]`).innerText()).toContain('đang áp dụng');
    expect(await supervisor.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect((await running.assistant.store.knowledgeVersions.get(ENTRY, draftVersion))!.publishAt).toEqual(new Date('2026-12-01T17:00:00Z'));
    await supervisor.getByRole('link', { name: '← Kiến thức' }).click();
    await eventually(() => supervisor.locator(`.kb-entries .kb-row[data-entry-id="${ENTRY}"]`).innerText()).toContain('bản mới áp dụng từ 02/12/2026');
    expect(await supervisor.locator('.kb-pending, .kb-draft').count()).toBe(0);

    // The editor's page, reloaded: the new version is scheduled, the old one still in force.
    await editor.reload();
    const scheduled = editor.locator(`.kb-versions .kb-version[data-version="${draftVersion}"]`);
    await eventually(() => scheduled.innerText()).toContain('áp dụng từ 02/12/2026');
    expect(await scheduled.innerText()).toContain('chưa tới ngày');
    expect(await editor.locator('.kb-scheduled').innerText()).toContain(`Bản ${draftVersion} đã duyệt, áp dụng từ 02/12/2026.`);
    expect(await editor.locator(`.kb-versions .kb-version[data-version="${old.version}"]`).innerText()).toContain('đang áp dụng');
    await editor.screenshot({ path: join(shots, 'kb-history.png'), fullPage: true });

    // Today the citizen hears the old amount.
    const today = await citizenAsks(QUESTION);
    expect(today).toContain(OLD_LINE);
    expect(today).not.toContain('820.000');

    // 00:00 on 2 December in Vietnam: the same running assistant answers with the new amount
    // (a new chat: yesterday's web chat token has expired, as it would).
    clock = new Date('2026-12-01T17:00:00Z');
    const tomorrow = await citizenAsks(QUESTION);
    expect(tomorrow).toContain(NEW_LINE);
    expect(tomorrow).not.toContain('750.000');
    expect(pages.errors).toEqual([]);
  }, 90_000);

  it('after midnight: the list flags what needs review, an editor restores an older version, a supervisor sends it back, and nobody approves their own draft', async () => {
    expect(clock.toISOString()).toBe('2026-12-01T17:00:00.000Z'); // the first test moved it past midnight
    const passwordHash = await hashPassword(TEST_PASSWORD);
    await running.assistant.store.staff.create({
      username: 'binh', displayName: 'Võ Văn Bình', role: 'admin', passwordHash, teams: ['chung'], communeCodes: [], maxOpen: 5, createdAt: clock,
    });

    // The editor on a phone, straight to the entry: the new amount in force, reviewed today.
    const editor = await newPage(375, 740);
    await editor.goto(`${running.url}/console/#/kb/${ENTRY}`);
    await login(editor, 'mai');
    await eventually(() => editor.locator('.kb-current').innerText()).toContain(NEW_LINE);
    const versions = await running.assistant.store.knowledgeVersions.history(ENTRY);
    const [first, second] = [versions.at(-2)!, versions.at(-1)!];
    expect(await editor.locator(`.kb-versions .kb-version[data-version="${second.version}"]`).innerText()).toContain('đang áp dụng');
    expect(await editor.locator('.kb-scheduled').count()).toBe(0);
    const firstItem = editor.locator(`.kb-versions .kb-version[data-version="${first.version}"]`);
    expect(await firstItem.innerText()).not.toContain('đang áp dụng');

    // "Khôi phục bản này" on the older version: a new draft with its content, shown in "Chờ duyệt".
    await firstItem.getByRole('button', { name: 'Khôi phục bản này' }).click();
    const restoredVersion = second.version + 1;
    await eventually(() => editor.locator('.info').innerText()).toContain(`Đã tạo bản nháp ${restoredVersion} từ bản ${first.version}`);
    const restored = editor.locator(`.kb-pending .kb-version[data-version="${restoredVersion}"]`);
    await eventually(async () => (await restored.locator('.kb-diff__line--add').allInnerTexts()).join('\n')).toContain(OLD_LINE);
    expect((await restored.locator('.kb-diff__line--del').allInnerTexts()).join('\n')).toContain(NEW_LINE);
    expect(await restored.innerText()).toContain(`So với bản ${second.version} đang áp dụng (bản nháp viết từ bản ${first.version})`);
    expect(await restored.innerText()).toContain(`Thay đổi: khôi phục bản ${first.version}`);
    expect(await editor.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await editor.screenshot({ path: join(shots, 'kb-restore-phone.png'), fullPage: true });

    // The supervisor on a laptop: the list flags every entry but this one, reviewed today.
    const supervisor = await newPage(1280, 900);
    await supervisor.goto(`${running.url}/console/#/kb`);
    await login(supervisor, 'lan');
    const entryRow = supervisor.locator(`.kb-entries .kb-row[data-entry-id="${ENTRY}"]`);
    await eventually(() => entryRow.innerText()).toContain('Rà soát: 01/12/2026');
    expect(await entryRow.innerText()).not.toContain('cần rà soát');
    const rows = supervisor.locator('.kb-entries .kb-row');
    const all = await rows.count();
    expect(all).toBeGreaterThan(100);
    // Not due: the entry just approved, and any reviewed within the last 5 days.
    const notDue = await supervisor.locator('.kb-entries .kb-row:not(.kb-row--due)').count();
    expect(notDue).toBeGreaterThanOrEqual(1);
    expect(notDue).toBeLessThan(all / 4);
    await supervisor.getByLabel('Cần rà soát').check();
    await eventually(() => rows.count()).toBe(all - notDue);
    expect(await supervisor.locator('.kb-entries .kb-row:not(.kb-row--due)').count()).toBe(0);
    expect(await entryRow.count()).toBe(0);
    await supervisor.getByLabel('Chủ đề').selectOption('tro-cap-nguoi-khuyet-tat');
    await eventually(async () => (await rows.allInnerTexts()).every((t) => t.includes('Trợ cấp người khuyết tật'))).toBe(true);
    await supervisor.getByLabel('Cần rà soát').uncheck();
    await entryRow.waitFor();
    await supervisor.screenshot({ path: join(shots, 'kb-list.png'), fullPage: true });

    // The restored draft waits; sent back with a reason, it shows as "trả lại" in the history.
    await supervisor.locator(`.kb-draft[data-entry-id="${ENTRY}"]`).getByRole('link', { name: 'Xem bản nháp' }).click();
    const toReview = supervisor.locator(`.kb-pending .kb-version[data-version="${restoredVersion}"]`);
    await toReview.getByRole('button', { name: 'Trả lại…' }).click();
    await toReview.getByRole('button', { name: 'Trả lại', exact: true }).click();
    await eventually(() => toReview.getByRole('alert').innerText()).toBe('Ghi lý do trả lại.');
    await toReview.getByLabel('Lý do trả lại').fill('Mức 820.000 đồng đã có hiệu lực từ 02/12/2026, không khôi phục mức cũ.');
    await toReview.getByRole('button', { name: 'Trả lại', exact: true }).click();
    await eventually(() => supervisor.locator('.info').innerText()).toBe(`Đã trả lại bản ${restoredVersion}.`);
    const sentBack = supervisor.locator(`.kb-versions .kb-version[data-version="${restoredVersion}"]`);
    await eventually(() => sentBack.getAttribute('data-status')).toBe('rejected');
    expect(await sentBack.innerText()).toContain('trả lại');
    expect(await sentBack.innerText()).toContain('Lý do trả lại: Mức 820.000 đồng đã có hiệu lực từ 02/12/2026, không khôi phục mức cũ.');
    expect(await sentBack.innerText()).toContain(`Người trả lại: ${SUPERVISOR}`);
    expect((await running.assistant.store.knowledgeVersions.get(ENTRY, restoredVersion))!.status).toBe('rejected');

    // The supervisor's own draft: no "Duyệt" for her; an admin may approve it, at once.
    const body = supervisor.getByLabel('Câu trả lời', { exact: true });
    await eventually(() => body.inputValue()).toContain(NEW_LINE);
    await body.fill(`${await body.inputValue()}\n\nMức của tỉnh có thể cao hơn: hỏi UBND xã nơi cư trú.`);
    await supervisor.getByRole('button', { name: 'Lưu bản nháp' }).click();
    const ownVersion = restoredVersion + 1;
    const own = supervisor.locator(`.kb-pending .kb-version[data-version="${ownVersion}"]`);
    await eventually(() => own.innerText()).toContain('Bản này do bạn viết: cần một giám sát viên khác duyệt.');
    expect(await own.getByRole('button', { name: 'Duyệt' }).count()).toBe(0);

    const admin = await newPage(1024, 800);
    await admin.goto(`${running.url}/console/#/kb/${ENTRY}`);
    await login(admin, 'binh');
    const adminReview = admin.locator(`.kb-pending .kb-version[data-version="${ownVersion}"]`);
    await adminReview.getByLabel('Áp dụng ngay').check();
    await adminReview.getByRole('button', { name: 'Duyệt', exact: true }).click();
    await eventually(() => admin.locator('.info').innerText()).toBe(`Đã duyệt bản ${ownVersion}: áp dụng ngay.`);
    await eventually(() => admin.locator(`.kb-versions .kb-version[data-version="${ownVersion}"]`).innerText()).toContain('đang áp dụng');
    expect(await admin.locator('.kb-current').innerText()).toContain('hỏi UBND xã nơi cư trú');
    expect(await citizenAsks(QUESTION)).toContain('hỏi UBND xã nơi cư trú');
    expect(pages.errors).toEqual([]);
  }, 90_000);
});
