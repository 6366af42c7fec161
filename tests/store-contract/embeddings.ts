/**
 * The knowledge embeddings contract for every store: SQLite always, and MongoDB when
 * there is a lane. Vectors come back as stored (float32), the first vector under a key
 * stays, and a bad item stores nothing of its batch.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/types.js';
import { storeLanes } from '../support/mongo-lane.js';

const lanes = storeLanes('ctxh-embeddings-');
const at = new Date('2026-12-01T08:00:00Z');
const key = (s: string) => createHash('sha256').update(s).digest('hex');
/** Values float32 holds exactly, so the comparison is exact. */
const vector = (seed: number, n = 8) => Array.from({ length: n }, (_, i) => ((i + seed) % 7) / 4 - 0.75);

describe.each(lanes)('embeddings contract: $name', ({ open }) => {
  let store: Store;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('gives back the vectors stored under the keys asked for, and nothing for unknown keys', async () => {
    await store.embeddings.putMany([{ key: key('a'), vector: vector(1) }, { key: key('b'), vector: vector(2, 1536) }], at);
    const got = await store.embeddings.getMany([key('a'), key('b'), key('never')]);
    expect([...got.keys()].sort()).toEqual([key('a'), key('b')].sort());
    expect(got.get(key('a'))).toEqual(vector(1));
    expect(got.get(key('b'))).toEqual(vector(2, 1536));
    expect((await store.embeddings.getMany([])).size).toBe(0);
  });

  it('keeps the first vector stored under a key', async () => {
    await store.embeddings.putMany([{ key: key('first'), vector: vector(3) }], at);
    await store.embeddings.putMany([{ key: key('first'), vector: vector(4) }, { key: key('second'), vector: vector(5) }], at);
    const got = await store.embeddings.getMany([key('first'), key('second')]);
    expect(got.get(key('first'))).toEqual(vector(3));
    expect(got.get(key('second'))).toEqual(vector(5));
  });

  it.each([
    ['a key that is not a sha256', { key: 'not-a-hash', vector: vector(1) }, /64 hex/],
    ['an empty vector', { key: key('empty'), vector: [] }, /empty/],
    ['a component that is not finite', { key: key('nan'), vector: [0.5, Number.NaN] }, /finite/],
  ])('refuses %s and stores nothing of the batch', async (_name, bad, message) => {
    const good = { key: key(`good-${String(message)}`), vector: vector(6) };
    await expect(store.embeddings.putMany([good, bad], at)).rejects.toThrow(message);
    expect((await store.embeddings.getMany([good.key])).size).toBe(0);
  });
});
