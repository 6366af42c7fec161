/**
 * The knowledge in force: approved versions come in at their moment (a version scheduled
 * for tomorrow answers from midnight on, with no restart), a withdrawn entry leaves, a
 * second person approves, and importing a folder twice changes nothing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kbEntry } from './support/builders.js';
import { LiveKnowledge } from '../src/kb/live-knowledge.js';
import { ENTRY_ITEMS, importPlan, liveEntries, nextChangeAfter, reviewRefusal } from '../src/kb/versions.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/types.js';

const today = new Date('2026-12-01T03:00:00Z');
const tomorrow = new Date('2026-12-01T17:00:00Z'); // 00:00 on 2/12 in Vietnam
const entry = kbEntry;

let store: Store;
beforeAll(() => {
  store = openSqliteStore(mkdtempSync(join(tmpdir(), 'ctxh-kbv-')));
});
afterAll(async () => {
  await store?.close();
});

describe('the knowledge in force', () => {
  it('answers from a scheduled version from its moment on, and drops a withdrawn entry', async () => {
    const v = store.knowledgeVersions;
    await v.addApproved([
      { entryId: 'a', entry: entry('a', '500.000 đồng'), author: 'import', note: null, basedOn: null, createdAt: today, publishAt: today },
      { entryId: 'b', entry: entry('b', 'Mục b'), author: 'import', note: null, basedOn: null, createdAt: today, publishAt: today },
    ]);
    const draft = await v.addDraft({ entryId: 'a', entry: entry('a', '600.000 đồng'), author: 'editor-1', note: 'số mới', basedOn: 1, createdAt: today });
    await v.review('a', draft.version, { status: 'approved', reviewer: 'supervisor-1', at: today, publishAt: tomorrow });
    const gone = await v.addDraft({ entryId: 'b', entry: null, author: 'editor-1', note: 'bỏ', basedOn: 1, createdAt: today });
    await v.review('b', gone.version, { status: 'approved', reviewer: 'supervisor-1', at: today, publishAt: tomorrow });

    const approved = await v.listApproved();
    expect(liveEntries(approved, today).map((e) => [e.id, e.body])).toEqual([
      ['a', '500.000 đồng'],
      ['b', 'Mục b'],
    ]);
    expect(nextChangeAfter(approved, today)).toEqual(tomorrow);
    expect(liveEntries(approved, tomorrow).map((e) => [e.id, e.body])).toEqual([['a', '600.000 đồng']]);
    expect(nextChangeAfter(approved, tomorrow)).toBeNull();

    // The live holder switches at the moment on the clock it is given, without reading the store again.
    let clock = today;
    const seen: string[][] = [];
    const live = new LiveKnowledge({ versions: v, now: () => clock, onChange: (entries) => seen.push(entries.map((e) => e.body)) });
    expect(await live.refresh()).toBe(true);
    expect(live.settle()).toBe(false);
    clock = new Date(tomorrow.getTime() - 1);
    expect(live.settle()).toBe(false);
    clock = tomorrow;
    expect(live.settle()).toBe(true);
    expect(seen).toEqual([['500.000 đồng', 'Mục b'], ['600.000 đồng']]);
    // Another approval (on any instance) is read on the next refresh.
    const fix = await v.addDraft({ entryId: 'a', entry: entry('a', '600.000 đồng một tháng'), author: 'editor-1', note: null, basedOn: 2, createdAt: tomorrow });
    await v.review('a', fix.version, { status: 'approved', reviewer: 'admin-1', at: tomorrow, publishAt: tomorrow });
    expect(await live.refresh()).toBe(true);
    expect(seen.at(-1)).toEqual(['600.000 đồng một tháng']);
    expect(await live.refresh()).toBe(false);

    // An approval written while a reload is in flight (it read the revision before) is not missed:
    // the store's answer to the revision read is held until the approval is written.
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    let reads = 0;
    const slow = new LiveKnowledge({
      versions: {
        listApproved: () => v.listApproved(),
        revision: async () => {
          const r = await v.revision();
          if (++reads === 2) await held;
          return r;
        },
      },
      now: () => clock,
      onChange: (entries) => seen.push(entries.map((e) => e.body)),
    });
    await slow.refresh();
    const inFlight = slow.refresh();
    const late = await v.addDraft({ entryId: 'a', entry: entry('a', '650.000 đồng'), author: 'editor-1', note: null, basedOn: 3, createdAt: tomorrow });
    await v.review('a', late.version, { status: 'approved', reviewer: 'admin-1', at: tomorrow, publishAt: tomorrow });
    const after = slow.refresh();
    release();
    await Promise.all([inFlight, after]);
    expect(seen.at(-1)).toEqual(['650.000 đồng']);
  });

  it('lets only a second person with a reviewing role approve', () => {
    const draft = { status: 'draft' as const, author: 'editor-1' };
    expect(reviewRefusal(draft, { id: 'editor-1', role: 'supervisor' })).toMatch(/người thứ hai/);
    expect(reviewRefusal(draft, { id: 'editor-2', role: 'editor' })).toMatch(/giám sát viên/);
    expect(reviewRefusal({ ...draft, status: 'approved' }, { id: 'sup', role: 'supervisor' })).toMatch(/đã được duyệt/);
    expect(reviewRefusal(draft, { id: 'sup', role: 'supervisor' })).toBeNull();
  });

  it('plans an import: new and changed entries get a version, unchanged ones none, missing ones are withdrawn', () => {
    const live = [entry('a', 'A'), entry('b', 'B'), entry('c', 'C')];
    const files = [entry('a', 'A'), { ...entry('b', 'B2') }, entry('d', 'D')];
    const plan = importPlan(live, files, ENTRY_ITEMS, { actor: 'import', at: today, withdrawMissing: true });
    expect([plan.added, plan.changed, plan.withdrawn]).toEqual([1, 1, 1]);
    expect(plan.versions.map((v) => [v.entryId, v.entry?.body ?? null])).toEqual([
      ['b', 'B2'],
      ['d', 'D'],
      ['c', null],
    ]);
    // A file path of its own is no change.
    expect(importPlan(live, [{ ...entry('a', 'A'), file: 'elsewhere/a.md' }], ENTRY_ITEMS, { actor: 'import', at: today, withdrawMissing: false }).versions).toEqual([]);
  });
});
