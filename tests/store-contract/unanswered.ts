/**
 * The unanswered questions inbox contract for every store: SQLite always, and MongoDB when
 * there is a lane. A group counts each wording by kind, keeps at most five recent ones,
 * moves lastSeen, lists open groups most recent first, and is resolved once; a resolved
 * group takes no more hits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/types.js';
import { storeLanes } from '../support/mongo-lane.js';

const lanes = storeLanes('ctxh-unanswered-');

const t0 = new Date('2026-11-22T08:00:00Z');
const later = (s: number) => new Date(t0.getTime() + s * 1000);

describe.each(lanes)('unanswered inbox contract: $name', ({ open }) => {
  let store: Store;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('starts a group with count 1 and counts later wordings by kind, keeping the five most recent', async () => {
    const g = await store.unanswered.add({ sample: 'vay vốn làm ăn ở đâu', terms: ['von', 'vay_von'], kind: 'declined', at: t0 });
    expect(g).toMatchObject({ sample: 'vay vốn làm ăn ở đâu', samples: ['vay vốn làm ăn ở đâu'], terms: ['von', 'vay_von'], count: 1, status: 'open', resolution: null });
    expect(g.kinds).toEqual({ declined: 1, clarified: 0, unhelpful: 0 });
    expect(g.firstSeen).toEqual(t0);
    for (let i = 1; i <= 6; i++) {
      const hit = await store.unanswered.hit(g.id, { kind: i % 2 ? 'clarified' : 'declined', sample: `cách ${i}`, at: later(i) });
      expect(hit?.count).toBe(i + 1);
    }
    const got = await store.unanswered.get(g.id);
    expect(got).toMatchObject({ count: 7, sample: 'vay vốn làm ăn ở đâu', firstSeen: t0, lastSeen: later(6) });
    expect(got?.kinds).toEqual({ declined: 4, clarified: 3, unhelpful: 0 });
    expect(got?.samples).toEqual(['cách 2', 'cách 3', 'cách 4', 'cách 5', 'cách 6']);
    // A wording already among the samples moves to the end rather than appearing twice.
    expect((await store.unanswered.hit(g.id, { kind: 'unhelpful', sample: 'cách 3', at: later(7) }))?.samples).toEqual(['cách 2', 'cách 4', 'cách 5', 'cách 6', 'cách 3']);
    expect((await store.unanswered.get(g.id))?.kinds.unhelpful).toBe(1);
    expect(await store.unanswered.get('no-such-group')).toBeNull();
  });

  it('lists open groups most recently asked first, at most the limit', async () => {
    const a = await store.unanswered.add({ sample: 'nghỉ thai sản mấy tháng', terms: ['thai_san'], kind: 'declined', at: later(100) });
    const b = await store.unanswered.add({ sample: 'xe buýt tới trung tâm', terms: ['xe_buyt'], kind: 'clarified', at: later(101) });
    await store.unanswered.hit(a.id, { kind: 'declined', sample: 'thai sản được nghỉ bao lâu', at: later(102) });
    const open = await store.unanswered.listOpen(500);
    expect(open.map((g) => g.id).slice(0, 2)).toEqual([a.id, b.id]);
    expect((await store.unanswered.listOpen(1)).map((g) => g.id)).toEqual([a.id]);
  });

  it('resolves a group once, and a resolved group takes no more hits', async () => {
    const g = await store.unanswered.add({ sample: 'giá vàng hôm nay', terms: ['vang'], kind: 'declined', at: later(200) });
    const resolution = { how: 'phrasing' as const, entryId: 'ngheo-ho-tro-khac', by: 'staff-1', at: later(201) };
    const [first, second] = await Promise.all([
      store.unanswered.resolve(g.id, resolution),
      store.unanswered.resolve(g.id, { how: 'dismissed', entryId: null, by: 'staff-2', at: later(202) }),
    ]);
    expect([first, second].filter(Boolean)).toHaveLength(1);
    const resolved = await store.unanswered.get(g.id);
    expect(resolved?.status).toBe('resolved');
    expect(resolved?.resolution?.at).toBeInstanceOf(Date);
    expect(await store.unanswered.hit(g.id, { kind: 'declined', sample: 'vàng', at: later(203) })).toBeNull();
    expect((await store.unanswered.get(g.id))?.count).toBe(1);
    expect((await store.unanswered.listOpen(500)).some((x) => x.id === g.id)).toBe(false);
    const dismissed = await store.unanswered.add({ sample: 'x y z', terms: ['xyz'], kind: 'declined', at: later(300) });
    expect(await store.unanswered.resolve(dismissed.id, { how: 'dismissed', entryId: null, by: 'staff-1', at: later(301) })).toMatchObject({
      status: 'resolved',
      resolution: { how: 'dismissed', entryId: null, by: 'staff-1', at: later(301) },
    });
  });

  it('deletes groups last asked before a cut-off, in batches, open or resolved', async () => {
    const long = new Date('2020-01-01T00:00:00Z');
    const a = await store.unanswered.add({ sample: 'hỏi cũ một', terms: ['cu_mot'], kind: 'declined', at: long });
    const b = await store.unanswered.add({ sample: 'hỏi cũ hai', terms: ['cu_hai'], kind: 'declined', at: new Date(long.getTime() + 1000) });
    await store.unanswered.resolve(b.id, { how: 'dismissed', entryId: null, by: 'staff-1', at: new Date(long.getTime() + 2000) });
    // Asked again recently: kept.
    const c = await store.unanswered.add({ sample: 'hỏi cũ ba', terms: ['cu_ba'], kind: 'declined', at: long });
    await store.unanswered.hit(c.id, { kind: 'declined', sample: 'hỏi lại', at: t0 });
    const cutoff = new Date('2021-01-01T00:00:00Z');
    expect(await store.unanswered.deleteLastSeenBefore(cutoff, 1)).toBe(1);
    expect(await store.unanswered.deleteLastSeenBefore(cutoff, 10)).toBe(1);
    expect(await store.unanswered.deleteLastSeenBefore(cutoff, 10)).toBe(0);
    expect(await store.unanswered.get(a.id)).toBeNull();
    expect(await store.unanswered.get(b.id)).toBeNull();
    expect((await store.unanswered.get(c.id))?.count).toBe(2);
  });
});
