/**
 * Knowledge editing over the console API, against the real assistant: a draft is checked
 * by the loader's rules and previewed as a citizen reads it; a second person approves it
 * (never the author; a counsellor without the permission cannot write one), in force at
 * once or from a date; another instance on the same store answers from it within its
 * poll; any version can be restored; each step is audited.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAssistant } from './support/assistant.js';
import { askWebChat } from './support/web-ask.js';
import { addStaff, ConsoleClient } from './support/console-client.js';
import { waitFor } from './support/http.js';

const ENTRY = 'nkt-muc-tro-cap-hang-thang';
const QUESTION = 'tro cap nguoi khuyet tat nang bao nhieu';
let clock = new Date('2026-12-01T03:00:00Z');
const dataDir = mkdtempSync(join(tmpdir(), 'ctxh-kb-api-'));
let first: Awaited<ReturnType<typeof startAssistant>>;
let second: Awaited<ReturnType<typeof startAssistant>>;
let editor: ConsoleClient;
let supervisor: ConsoleClient;
let counsellor: ConsoleClient;

beforeAll(async () => {
  // The second instance is asked again and again until its poll brings the approval: a
  // new web chat conversation each time, so more tokens a minute than a citizen needs.
  const env = { DATA_DIR: dataDir, CONSOLE_SECURE_COOKIES: 'false', KNOWLEDGE_POLL_SECONDS: '1', DIRECTLINE_TOKENS_PER_MINUTE: '10000' };
  first = await startAssistant(env, { now: () => clock });
  // A second instance on the same store, as a province runs several.
  second = await startAssistant({ ...env, KB_REVIEW_AFTER_DAYS: '5' }, { now: () => clock });
  const { store } = first.assistant;
  await addStaff(store, { username: 'bien-tap', displayName: 'Chị Mai', canEditKnowledge: true });
  await addStaff(store, { username: 'giam-sat', displayName: 'Anh Tùng', role: 'supervisor' });
  await addStaff(store, { username: 'tu-van', displayName: 'Chị Hoa' });
  editor = await ConsoleClient.login(first.url, 'bien-tap');
  supervisor = await ConsoleClient.login(first.url, 'giam-sat');
  counsellor = await ConsoleClient.login(first.url, 'tu-van');
});
afterAll(async () => {
  await second?.close();
  await first?.close();
});

const ask = askWebChat;

const draftOf = (entry: any, body: string) => ({
  entry: { topic: entry.topic, questions: entry.questions, source: entry.source, effective: entry.effective, reviewed: entry.reviewed, body },
  note: 'mức mới',
  basedOn: 1,
});

describe('knowledge editing in the console', () => {
  it('lists and searches the live entries, and flags the ones due for review', async () => {
    const all = await editor.get('/kb/entries');
    expect(all.status).toBe(200);
    expect(all.body.entries.length).toBeGreaterThanOrEqual(120);
    const found = await editor.get(`/kb/entries?q=${encodeURIComponent('khuyet tat nang')}`);
    expect(found.body.entries.map((e: any) => e.id)).toContain(ENTRY);
    expect(found.body.entries.length).toBeLessThan(all.body.entries.length);
    // Reviewed on 22/11/2026 (most) or 30/11/2026: not due within 180 days (the first
    // instance's setting); those before 26/11 are due on the second instance, which wants
    // entries reviewed within 5 days.
    expect((await editor.get('/kb/entries?due=1')).body.entries).toEqual([]);
    const strict = await ConsoleClient.login(second.url, 'bien-tap');
    const due = (await strict.get('/kb/entries?due=1')).body.entries;
    expect(due.length).toBe(all.body.entries.filter((e: any) => e.reviewed < '2026-11-26').length);
    expect(due.length).toBeGreaterThan(100);
    expect(due.every((e: any) => e.reviewDue)).toBe(true);
  });

  it('checks a draft by field, previews it as a citizen reads it, and keeps counsellors without the permission out', async () => {
    const { inForce } = (await editor.get(`/kb/entries/${ENTRY}`)).body;
    const bad = await editor.post(`/kb/entries/${ENTRY}/drafts`, { ...draftOf(inForce.entry, 'Mức {{policy.khong-co}}'), entry: { ...draftOf(inForce.entry, 'x').entry, effective: 'hôm qua', body: 'Mức {{policy.khong-co}}' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.problems.map((p: any) => p.field)).toContain('effective');
    const preview = await editor.post(`/kb/preview/${ENTRY}`, { entry: draftOf(inForce.entry, 'Gọi {{centre.hotline}}. Mức chuẩn {{policy.muc-chuan-tro-giup-xa-hoi}}.').entry });
    expect(preview.body.problems).toEqual([]);
    expect(preview.body.reply.text).toMatch(/Mức chuẩn 500\.000 đồng\./);
    expect(preview.body.reply.text).not.toMatch(/\{\{/);
    const unknown = await editor.post(`/kb/preview/${ENTRY}`, { entry: draftOf(inForce.entry, 'Mức {{policy.khong-co}}').entry });
    expect(unknown.body.problems.length).toBeGreaterThan(0);
    expect(unknown.body.reply).toBeNull();
    expect((await counsellor.post(`/kb/entries/${ENTRY}/drafts`, draftOf(inForce.entry, 'x'))).status).toBe(403);
  });

  it('puts an approved amount in force from its date on every instance, never approved by its author', async () => {
    expect(await ask(first.url, QUESTION)).toMatch(/Khuyết tật nặng: 750\.000 đồng/);
    const { inForce } = (await editor.get(`/kb/entries/${ENTRY}`)).body;
    const saved = await editor.post(`/kb/entries/${ENTRY}/drafts`, draftOf(inForce.entry, inForce.entry.body.replace('750.000', '800.000')));
    expect(saved.status).toBe(201);
    const version = saved.body.version.version;
    const own = await editor.post(`/kb/entries/${ENTRY}/versions/${version}/approve`, {});
    expect(own.status).toBe(403);
    expect(own.body.error.message).toMatch(/giám sát viên/);
    // A supervisor's own draft needs someone else too.
    const supervisorsOwn = await supervisor.post(`/kb/entries/${ENTRY}/drafts`, draftOf(inForce.entry, inForce.entry.body));
    const refused = await supervisor.post(`/kb/entries/${ENTRY}/versions/${supervisorsOwn.body.version.version}/approve`, {});
    expect(refused.body.error.message).toMatch(/người thứ hai/);
    expect((await editor.post(`/kb/entries/${ENTRY}/versions/${supervisorsOwn.body.version.version}/reject`, { note: 'trùng' })).status).toBe(403);
    expect((await supervisor.get('/kb/drafts')).body.drafts.map((d: any) => [d.entryId, d.version, d.author])).toContainEqual([ENTRY, version, 'Chị Mai']);
    const past = await supervisor.post(`/kb/entries/${ENTRY}/versions/${version}/approve`, { publishOn: '2026-11-01' });
    expect(past.status).toBe(400);
    const approved = await supervisor.post(`/kb/entries/${ENTRY}/versions/${version}/approve`, { publishOn: '2026-12-02' });
    expect(approved.status).toBe(200);
    expect(approved.body.version.publishAt).toBe('2026-12-01T17:00:00.000Z');
    expect((await supervisor.post(`/kb/entries/${ENTRY}/versions/${version}/approve`, {})).status).toBe(409);

    // Today: still the amount in force; from midnight in Vietnam: the new one, on both instances.
    expect(await ask(first.url, QUESTION)).toMatch(/750\.000 đồng/);
    clock = new Date('2026-12-01T17:00:00Z');
    expect(await ask(first.url, QUESTION)).toMatch(/Khuyết tật nặng: 800\.000 đồng/);
    await waitFor(async () => /800\.000 đồng/.test(await ask(second.url, QUESTION)), 'the second instance answering from the approved version');
    // The next morning staff log in again (the night ended yesterday's console sessions).
    editor = await ConsoleClient.login(first.url, 'bien-tap');
    supervisor = await ConsoleClient.login(first.url, 'giam-sat');

    const history = (await editor.get(`/kb/entries/${ENTRY}`)).body;
    expect(history.inForce.version).toBe(version);
    expect(history.versions.filter((v: any) => v.status === 'approved').map((v: any) => [v.version, v.inForce])).toEqual([
      [1, false],
      [version, true],
    ]);
  });

  it('restores an earlier version as a draft, and a rejection needs a reason', async () => {
    const restored = await editor.post(`/kb/entries/${ENTRY}/versions/1/restore`, {});
    expect(restored.status).toBe(201);
    const version = restored.body.version.version;
    expect(restored.body.version).toMatchObject({ status: 'draft', basedOn: 1, note: 'khôi phục bản 1' });
    expect((await supervisor.post(`/kb/entries/${ENTRY}/versions/${version}/reject`, {})).status).toBe(400);
    const rejected = await supervisor.post(`/kb/entries/${ENTRY}/versions/${version}/reject`, { note: 'mức mới đã đúng' });
    expect(rejected.body.version).toMatchObject({ status: 'rejected', note: 'mức mới đã đúng', reviewer: 'Anh Tùng' });
    const actions = (await first.assistant.store.audit.list({ subject: ENTRY })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['kb.drafted', 'kb.approved', 'kb.restored', 'kb.rejected']));
  });
});
