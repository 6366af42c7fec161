/**
 * Policy values edited in the console, against the real assistant on a real SQLite store:
 * staff see each value in force and the entries that use it; a draft is checked by the
 * loader's rules and against those entries, previewed on any day; a second person approves
 * it; every answer that uses it changes on the value's date, on every instance, with no
 * restart; any version can be restored; each step is audited.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAssistant } from './support/assistant.js';
import { askWebChat as ask } from './support/web-ask.js';
import { addStaff, ConsoleClient } from './support/console-client.js';
import { waitFor } from './support/http.js';

const KEY = 'chuan-ngheo-nong-thon';
const QUESTION = 'chuan ngheo nong thon hien nay bao nhieu';
let clock = new Date('2026-12-01T03:00:00Z');
const dataDir = mkdtempSync(join(tmpdir(), 'ctxh-policy-api-'));
let first: Awaited<ReturnType<typeof startAssistant>>;
let second: Awaited<ReturnType<typeof startAssistant>>;
let editor: ConsoleClient;
let supervisor: ConsoleClient;
let counsellor: ConsoleClient;

beforeAll(async () => {
  // The second instance is asked until its poll brings the approval: a token per question.
  const env = { DATA_DIR: dataDir, CONSOLE_SECURE_COOKIES: 'false', KNOWLEDGE_POLL_SECONDS: '1', DIRECTLINE_TOKENS_PER_MINUTE: '10000' };
  first = await startAssistant(env, { now: () => clock });
  second = await startAssistant(env, { now: () => clock });
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

/** The value in force with one more amount from `from`. */
const withAmount = (value: any, amount: string, from: string) => ({
  label: value.label,
  unit: value.unit,
  values: [...value.values, { value: amount, from, source: 'Nghị định thử 99/2027/NĐ-CP' }],
  reviewed: '2026-12-01',
});

describe('policy values in the console', () => {
  it('lists each value in force with the next one scheduled and the entries that use it', async () => {
    const list = await editor.get('/kb/policy');
    expect(list.status).toBe(200);
    const row = list.body.values.find((v: any) => v.key === KEY);
    expect(row).toMatchObject({ current: { value: '1.500.000 đồng', from: '2022-01-01' }, next: { value: '2.200.000 đồng', from: '2027-01-01' }, reviewDue: false, drafts: 0 });
    expect(row.usedBy).toContain('ngheo-chuan-thu-nhap-hien-nay');
    const one = await editor.get(`/kb/policy/${KEY}`);
    expect(one.body.inForce.value.values.map((v: any) => v.value)).toEqual(['1.500.000 đồng', '2.200.000 đồng']);
    expect(one.body.usedBy.map((e: any) => e.id)).toContain('ngheo-chuan-thu-nhap-hien-nay');
    expect((await editor.get('/kb/policy/khong-co')).status).toBe(404);
  });

  it('checks a draft by field and against the entries that use it, and keeps counsellors without the permission out', async () => {
    const { inForce } = (await editor.get(`/kb/policy/${KEY}`)).body;
    const bad = await editor.post(`/kb/policy/${KEY}/drafts`, { value: { ...withAmount(inForce.value, '2.300.000 đồng', '1/7/2027'), values: [...inForce.value.values, { value: 2300000, from: '1/7/2027', source: '' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.problems.map((p: any) => p.field)).toEqual(expect.arrayContaining(['values.2.value', 'values.2.from', 'values.2.source']));
    // Only future amounts: the entries that use it would have nothing to say today.
    const gap = await editor.post(`/kb/policy/${KEY}/drafts`, { value: { ...inForce.value, values: inForce.value.values.slice(1) } });
    expect(gap.status).toBe(400);
    expect(gap.body.error.problems[0].message).toMatch(/ngheo-chuan-thu-nhap-hien-nay/);
    const withdraw = await editor.post(`/kb/policy/${KEY}/drafts`, { value: null });
    expect(withdraw.status).toBe(400);
    expect((await counsellor.post(`/kb/policy/${KEY}/drafts`, { value: withAmount(inForce.value, '2.300.000 đồng', '2027-07-01') })).status).toBe(403);
    expect((await editor.get(`/kb/policy/${KEY}`)).body.versions).toHaveLength(1);
  });

  it('previews every entry that uses the value on a chosen day, storing nothing', async () => {
    const { inForce } = (await editor.get(`/kb/policy/${KEY}`)).body;
    const value = withAmount(inForce.value, '2.300.000 đồng', '2027-07-01');
    const later = await editor.post(`/kb/policy/${KEY}/preview`, { value, on: '2027-07-01' });
    expect(later.body.problems).toEqual([]);
    const poverty = later.body.previews.find((p: any) => p.id === 'ngheo-chuan-thu-nhap-hien-nay');
    expect(poverty.reply.text).toMatch(/nông thôn: 2\.300\.000 đồng/);
    const today = await editor.post(`/kb/policy/${KEY}/preview`, { value });
    expect(today.body.previews.find((p: any) => p.id === 'ngheo-chuan-thu-nhap-hien-nay').reply.text).toMatch(/nông thôn: 1\.500\.000 đồng/);
    expect((await editor.get(`/kb/policy/${KEY}`)).body.versions).toHaveLength(1);
  });

  it('puts an approved amount in every answer from its date, on every instance, never approved by its author', async () => {
    const { inForce } = (await editor.get(`/kb/policy/${KEY}`)).body;
    const saved = await editor.post(`/kb/policy/${KEY}/drafts`, { value: withAmount(inForce.value, '2.300.000 đồng', '2027-07-01'), note: 'mức từ 1/7/2027', basedOn: 1 });
    expect(saved.status).toBe(201);
    const version = saved.body.version.version;
    expect((await editor.post(`/kb/policy/${KEY}/versions/${version}/approve`, {})).status).toBe(403);
    expect((await supervisor.get('/kb/policy')).body.drafts.map((d: any) => [d.key, d.version, d.author])).toContainEqual([KEY, version, 'Chị Mai']);
    const approved = await supervisor.post(`/kb/policy/${KEY}/versions/${version}/approve`, {});
    expect(approved.status).toBe(200);
    expect((await supervisor.post(`/kb/policy/${KEY}/versions/${version}/approve`, {})).status).toBe(409);

    // Approved today, in force at once; the new amount shows from its own date, on both instances.
    expect(await ask(first.url, QUESTION)).toMatch(/nông thôn: 1\.500\.000 đồng/);
    clock = new Date('2027-06-30T16:59:59Z');
    expect(await ask(first.url, QUESTION)).toMatch(/nông thôn: 2\.200\.000 đồng/);
    clock = new Date('2027-06-30T17:00:00Z');
    const answer = await ask(first.url, QUESTION);
    expect(answer).toMatch(/nông thôn: 2\.300\.000 đồng/);
    // The citation names the document that set the new amount, beside the entry's own sources.
    expect(answer).toMatch(/Nguồn: Nghị định 07\/2021\/NĐ-CP; Nghị định 351\/2025\/NĐ-CP; Nghị định thử 99\/2027\/NĐ-CP \(/);
    await waitFor(async () => /nông thôn: 2\.300\.000 đồng/.test(await ask(second.url, QUESTION)), 'the second instance answering from the approved value');
  });

  it('restores an earlier version as a draft, and audits each step', async () => {
    editor = await ConsoleClient.login(first.url, 'bien-tap');
    supervisor = await ConsoleClient.login(first.url, 'giam-sat');
    const restored = await editor.post(`/kb/policy/${KEY}/versions/1/restore`, {});
    expect(restored.status).toBe(201);
    expect(restored.body.version).toMatchObject({ status: 'draft', basedOn: 1, note: 'khôi phục bản 1' });
    const version = restored.body.version.version;
    expect((await supervisor.post(`/kb/policy/${KEY}/versions/${version}/reject`, {})).status).toBe(400);
    expect((await supervisor.post(`/kb/policy/${KEY}/versions/${version}/reject`, { note: 'mức mới đã đúng' })).body.version).toMatchObject({ status: 'rejected', reviewer: 'Anh Tùng' });
    const actions = (await first.assistant.store.audit.list({ subject: `policy:${KEY}` })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['kb.policy.drafted', 'kb.policy.approved', 'kb.policy.restored', 'kb.policy.rejected']));
  });
});
