/**
 * The web chat media contract for every store: SQLite always, and MongoDB when there is
 * a lane. Files are kept byte for byte under random URL-safe ids, and go on erasure (by
 * conversation) and on retention (by age, in bounded batches), never another's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewMedia, Store } from '../../src/store/types.js';
import { storeLanes } from '../support/mongo-lane.js';

const lanes = storeLanes('ctxh-media-');

const t0 = new Date('2026-11-22T08:00:00Z');
const later = (s: number) => new Date(t0.getTime() + s * 1000);

/** A few bytes, every value a byte can take among them (no text encoding may touch them). */
const bytes = (seed: number, n = 300) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) % 256));

const file = (conversationId: string, createdAt: Date, over: Partial<NewMedia> = {}): NewMedia => ({
  conversationId,
  contentType: 'image/png',
  name: 'ảnh giấy tờ.png',
  bytes: bytes(createdAt.getTime() % 251),
  createdAt,
  ...over,
});

describe.each(lanes)('media contract: $name', ({ open }) => {
  let store: Store;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('keeps a file byte for byte under a new random, URL-safe id', async () => {
    const input = file('media-conv-1', later(1), { contentType: 'audio/ogg', name: 'ghi âm.ogg' });
    const stored = await store.media.put(input);
    expect(stored).toEqual({ id: stored.id, conversationId: 'media-conv-1', contentType: 'audio/ogg', name: 'ghi âm.ogg', size: 300, createdAt: later(1) });
    expect(stored.id).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const got = await store.media.get(stored.id);
    expect(got).toEqual({ ...stored, bytes: input.bytes });
    expect(Buffer.isBuffer(got?.bytes)).toBe(true);
    expect(got?.createdAt).toBeInstanceOf(Date);
    // The same file again is another file, with another id.
    const again = await store.media.put(input);
    expect(again.id).not.toBe(stored.id);
    expect(await store.media.get('no-such-media')).toBeNull();
  });

  it('keeps an empty name and a one-byte file', async () => {
    const stored = await store.media.put(file('media-conv-1', later(2), { name: '', bytes: Buffer.from([0]) }));
    expect(await store.media.get(stored.id)).toMatchObject({ name: '', size: 1, bytes: Buffer.from([0]) });
  });

  it('removes named files only', async () => {
    const a = await store.media.put(file('media-conv-2', later(1)));
    const b = await store.media.put(file('media-conv-2', later(2)));
    expect(await store.media.remove([a.id, 'no-such-media'])).toBe(1);
    expect(await store.media.get(a.id)).toBeNull();
    expect(await store.media.get(b.id)).not.toBeNull();
    expect(await store.media.remove([])).toBe(0);
  });

  it('erases every file of the named conversations, and nobody else’s', async () => {
    const a = await store.media.put(file('media-erase-a', later(1)));
    const a2 = await store.media.put(file('media-erase-a', later(2)));
    const b = await store.media.put(file('media-erase-b', later(3)));
    const other = await store.media.put(file('media-erase-other', later(4)));
    expect(await store.media.removeConversations(['media-erase-a', 'media-erase-b', 'media-erase-none'])).toBe(3);
    for (const m of [a, a2, b]) expect(await store.media.get(m.id)).toBeNull();
    expect(await store.media.get(other.id)).toMatchObject({ id: other.id, conversationId: 'media-erase-other' });
    expect(await store.media.removeConversations(['media-erase-a'])).toBe(0);
    expect(await store.media.removeConversations([])).toBe(0);
  });

  it('removes files older than a cutoff, oldest first, in batches', async () => {
    // Years no other test uses: only these are before the cutoff.
    const at = (day: number) => new Date(Date.UTC(2019, 0, day));
    const old = [await store.media.put(file('media-old', at(3))), await store.media.put(file('media-old', at(1))), await store.media.put(file('media-old', at(2)))];
    const atCutoff = await store.media.put(file('media-old', at(10)));
    const cutoff = at(10);
    expect(await store.media.removeBefore(cutoff, 2)).toBe(2);
    // The two oldest went first.
    expect(await store.media.get(old[1]!.id)).toBeNull();
    expect(await store.media.get(old[2]!.id)).toBeNull();
    expect(await store.media.get(old[0]!.id)).not.toBeNull();
    expect(await store.media.removeBefore(cutoff, 2)).toBe(1);
    expect(await store.media.removeBefore(cutoff)).toBe(0);
    expect(await store.media.get(atCutoff.id)).not.toBeNull();
    expect(await store.media.removeBefore(cutoff, 0)).toBe(0);
  });
});
