/**
 * The knowledge versions contract for every store: SQLite always, and MongoDB when there
 * is a lane. Versions are numbered per entry and kept; a draft is reviewed once (approved
 * with the moment it comes into force, or rejected); the revision grows with approvals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kbEntry } from '../support/builders.js';
import type { Store } from '../../src/store/types.js';
import { storeLanes } from '../support/mongo-lane.js';

const lanes = storeLanes('ctxh-kbv-');

const t0 = new Date('2026-11-22T08:00:00Z');
const later = (s: number) => new Date(t0.getTime() + s * 1000);

const entry = kbEntry;

describe.each(lanes)('knowledge versions contract: $name', ({ open }) => {
  let store: Store;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('stores imported versions approved, numbered per entry, and counts them in the revision', async () => {
    const before = await store.knowledgeVersions.revision();
    const [a, b] = await store.knowledgeVersions.addApproved([
      { entryId: 'kbv-a', entry: entry('kbv-a', 'Một'), author: 'import', note: null, basedOn: null, createdAt: t0, publishAt: t0 },
      { entryId: 'kbv-b', entry: entry('kbv-b', 'Hai'), author: 'import', note: null, basedOn: null, createdAt: t0, publishAt: t0 },
    ]);
    expect(a).toMatchObject({ entryId: 'kbv-a', version: 1, status: 'approved', reviewer: 'import', publishAt: t0 });
    expect(b?.version).toBe(1);
    expect(await store.knowledgeVersions.revision()).toBe(before + 2);
    expect((await store.knowledgeVersions.get('kbv-a', 1))?.entry).toEqual(entry('kbv-a', 'Một'));
  });

  it('keeps a draft apart from the approved versions until it is reviewed, once', async () => {
    const draft = await store.knowledgeVersions.addDraft({ entryId: 'kbv-a', entry: entry('kbv-a', 'Một, sửa'), author: 'staff-1', note: 'sửa số', basedOn: 1, createdAt: later(1) });
    expect(draft).toMatchObject({ version: 2, status: 'draft', author: 'staff-1', note: 'sửa số', basedOn: 1, reviewer: null, publishAt: null });
    expect((await store.knowledgeVersions.listDrafts()).map((d) => [d.entryId, d.version])).toContainEqual(['kbv-a', 2]);
    expect((await store.knowledgeVersions.listApproved()).filter((v) => v.entryId === 'kbv-a').map((v) => v.version)).toEqual([1]);
    const revision = await store.knowledgeVersions.revision();

    const approved = await store.knowledgeVersions.review('kbv-a', 2, { status: 'approved', reviewer: 'staff-2', at: later(2), publishAt: later(86_400) });
    expect(approved).toMatchObject({ status: 'approved', reviewer: 'staff-2', reviewedAt: later(2), publishAt: later(86_400) });
    // Reviewed already: a second decision changes nothing.
    expect(await store.knowledgeVersions.review('kbv-a', 2, { status: 'rejected', reviewer: 'staff-3', at: later(3) })).toBeNull();
    expect(await store.knowledgeVersions.revision()).toBe(revision + 1);
    expect((await store.knowledgeVersions.listDrafts()).some((d) => d.entryId === 'kbv-a')).toBe(false);
    expect((await store.knowledgeVersions.history('kbv-a')).map((v) => [v.version, v.status])).toEqual([
      [1, 'approved'],
      [2, 'approved'],
    ]);
  });

  it('rejects a draft with the reviewer’s note, and withdraws an entry with a version without one', async () => {
    await store.knowledgeVersions.addDraft({ entryId: 'kbv-b', entry: entry('kbv-b', 'Hai, sai'), author: 'staff-1', note: null, basedOn: 1, createdAt: later(4) });
    const rejected = await store.knowledgeVersions.review('kbv-b', 2, { status: 'rejected', reviewer: 'staff-2', at: later(5), note: 'số chưa đúng' });
    expect(rejected).toMatchObject({ status: 'rejected', note: 'số chưa đúng', publishAt: null });
    const withdraw = await store.knowledgeVersions.addDraft({ entryId: 'kbv-b', entry: null, author: 'staff-1', note: 'bỏ mục này', basedOn: 1, createdAt: later(6) });
    expect(withdraw).toMatchObject({ version: 3, entry: null });
    expect(await store.knowledgeVersions.get('kbv-b', 9)).toBeNull();
  });

  it('gives simultaneous drafts of one entry distinct numbers', async () => {
    const drafts = await Promise.all(
      [1, 2, 3].map((i) => store.knowledgeVersions.addDraft({ entryId: 'kbv-c', entry: entry('kbv-c', `Bản ${i}`), author: `staff-${i}`, note: null, basedOn: null, createdAt: later(10 + i) })),
    );
    expect(drafts.map((d) => d.version).sort()).toEqual([1, 2, 3]);
  });

  it('keeps policy value versions apart from entry versions, reviewed the same way', async () => {
    const value = (amount: string) => ({
      key: 'kbv-muc-chuan',
      label: 'Mức chuẩn thử',
      values: [{ value: amount, from: '2024-07-01', source: 'Nghị định 76/2024/NĐ-CP' }],
      reviewed: '2026-11-22',
    });
    const entryRevision = await store.knowledgeVersions.revision();
    const before = await store.policyVersions.revision();
    const [first] = await store.policyVersions.addApproved([{ entryId: 'kbv-muc-chuan', entry: value('500.000 đồng'), author: 'import', note: null, basedOn: null, createdAt: t0, publishAt: t0 }]);
    expect(first).toMatchObject({ entryId: 'kbv-muc-chuan', version: 1, status: 'approved' });
    const draft = await store.policyVersions.addDraft({ entryId: 'kbv-muc-chuan', entry: value('550.000 đồng'), author: 'staff-1', note: 'mức mới', basedOn: 1, createdAt: later(20) });
    expect(draft.version).toBe(2);
    expect((await store.policyVersions.listDrafts()).map((d) => [d.entryId, d.version])).toContainEqual(['kbv-muc-chuan', 2]);
    expect(await store.policyVersions.review('kbv-muc-chuan', 2, { status: 'approved', reviewer: 'staff-2', at: later(21), publishAt: later(21) })).toMatchObject({ status: 'approved' });
    expect((await store.policyVersions.get('kbv-muc-chuan', 2))?.entry).toEqual(value('550.000 đồng'));
    expect(await store.policyVersions.revision()).toBe(before + 2);
    // The entries' side saw none of it.
    expect(await store.knowledgeVersions.revision()).toBe(entryRevision);
    expect(await store.knowledgeVersions.history('kbv-muc-chuan')).toEqual([]);
  });
});
