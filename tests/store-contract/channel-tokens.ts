/**
 * The channel token contract for every store: runs on SQLite always, and on MongoDB when
 * MONGODB_URI is set (the test setup starts jongodb for it when it is not). The store
 * keeps ciphertext it is given; what matters here is that every write after the seed is
 * conditional on the refresh token it replaces, so a stale writer changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelTokenPair, Store } from '../../src/store/types.js';
import { storeLanes } from '../support/mongo-lane.js';

const lanes = storeLanes('ctxh-tokens-');

const t0 = new Date('2026-11-22T08:00:00Z');
const later = (s: number) => new Date(t0.getTime() + s * 1000);

const pair = (n: number, over: Partial<ChannelTokenPair> = {}): ChannelTokenPair => ({
  accessToken: `enc-access-${n}`,
  accessExpiresAt: later(90_000 + n),
  refreshToken: `enc-refresh-${n}`,
  refreshFingerprint: `fp-${n}`,
  issuedAt: later(n),
  ...over,
});

describe.each(lanes)('channel tokens contract: $name', ({ open }) => {
  let store: Store;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('seeds a pair once and reads it back', async () => {
    expect(await store.channelTokens.get('zalo:seed')).toBeNull();
    expect(await store.channelTokens.seed('zalo:seed', pair(1), later(1))).toBe(true);
    const got = await store.channelTokens.get('zalo:seed');
    expect(got).toEqual({
      key: 'zalo:seed',
      ...pair(1),
      version: 1,
      status: 'ok',
      statusReason: null,
      pending: null,
      updatedAt: later(1),
    });
    expect(got?.issuedAt).toBeInstanceOf(Date);
    // A second seed (another instance starting, a restart) changes nothing.
    expect(await store.channelTokens.seed('zalo:seed', pair(2), later(2))).toBe(false);
    expect(await store.channelTokens.get('zalo:seed')).toEqual(got);
    // A seed without an access token, or with an unknown expiry.
    expect(await store.channelTokens.seed('zalo:seed-2', pair(3, { accessToken: null, accessExpiresAt: null }), later(3))).toBe(true);
    expect(await store.channelTokens.get('zalo:seed-2')).toMatchObject({ accessToken: null, accessExpiresAt: null, refreshFingerprint: 'fp-3' });
  });

  it('lets one of two simultaneous seeders write', async () => {
    const results = await Promise.all([
      store.channelTokens.seed('zalo:seed-race', pair(1), later(1)),
      store.channelTokens.seed('zalo:seed-race', pair(2), later(1)),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results[0] ? 1 : 2;
    expect((await store.channelTokens.get('zalo:seed-race'))?.refreshFingerprint).toBe(`fp-${winner}`);
  });

  it('rotates only from the refresh token it replaces, and refuses a stale writer', async () => {
    const key = 'zalo:rotate';
    await store.channelTokens.seed(key, pair(1), later(1));
    expect(await store.channelTokens.rotate(key, 'fp-1', pair(2), later(2))).toBe(true);
    expect(await store.channelTokens.get(key)).toEqual({ key, ...pair(2), version: 2, status: 'ok', statusReason: null, pending: null, updatedAt: later(2) });
    // An instance that still holds the first pair (it read it before the rotation) is refused.
    expect(await store.channelTokens.rotate(key, 'fp-1', pair(3), later(3))).toBe(false);
    expect((await store.channelTokens.get(key))?.refreshFingerprint).toBe('fp-2');
    expect(await store.channelTokens.rotate('zalo:none', 'fp-1', pair(3), later(3))).toBe(false);
    expect(await store.channelTokens.get('zalo:none')).toBeNull();
  });

  it('lets exactly one of two rotations from the same refresh token win', async () => {
    const key = 'zalo:rotate-race';
    await store.channelTokens.seed(key, pair(1), later(1));
    const results = await Promise.all([
      store.channelTokens.rotate(key, 'fp-1', pair(2), later(2)),
      store.channelTokens.rotate(key, 'fp-1', pair(3), later(2)),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const got = await store.channelTokens.get(key);
    expect(got?.version).toBe(2);
    expect(got?.refreshFingerprint).toBe(results[0] ? 'fp-2' : 'fp-3');
  });

  it('keeps a pending answer for the stored refresh token only, and the rotation clears it', async () => {
    const key = 'zalo:pending';
    await store.channelTokens.seed(key, pair(1), later(1));
    expect(await store.channelTokens.savePending(key, { answer: 'enc-answer-x', forFingerprint: 'fp-0', at: later(2) })).toBe(false);
    expect((await store.channelTokens.get(key))?.pending).toBeNull();
    expect(await store.channelTokens.savePending(key, { answer: 'enc-answer-1', forFingerprint: 'fp-1', at: later(2) })).toBe(true);
    const withPending = await store.channelTokens.get(key);
    expect(withPending?.pending).toEqual({ answer: 'enc-answer-1', forFingerprint: 'fp-1', at: later(2) });
    // Pending is not the rotation: the stored pair and version stay until it is applied.
    expect(withPending).toMatchObject({ ...pair(1), version: 1 });
    expect(await store.channelTokens.rotate(key, 'fp-1', pair(2), later(3))).toBe(true);
    expect(await store.channelTokens.get(key)).toMatchObject({ ...pair(2), version: 2, pending: null });
    expect(await store.channelTokens.savePending('zalo:none', { answer: 'a', forFingerprint: 'fp-1', at: later(4) })).toBe(false);
  });

  it('clears a pending answer only when it is the one named', async () => {
    const key = 'zalo:clear';
    await store.channelTokens.seed(key, pair(1), later(1));
    await store.channelTokens.savePending(key, { answer: 'enc-answer-1', forFingerprint: 'fp-1', at: later(2) });
    expect(await store.channelTokens.clearPending(key, 'fp-9')).toBe(false);
    expect((await store.channelTokens.get(key))?.pending).not.toBeNull();
    expect(await store.channelTokens.clearPending(key, 'fp-1')).toBe(true);
    expect((await store.channelTokens.get(key))?.pending).toBeNull();
    expect(await store.channelTokens.get(key)).toMatchObject({ ...pair(1), version: 1 });
  });

  it('marks needs-reconnect for the stored refresh token only, and a rotation makes it ok again', async () => {
    const key = 'zalo:reconnect';
    await store.channelTokens.seed(key, pair(1), later(1));
    expect(await store.channelTokens.markNeedsReconnect(key, 'fp-0', 'refused', later(2))).toBe(false);
    expect((await store.channelTokens.get(key))?.status).toBe('ok');
    expect(await store.channelTokens.markNeedsReconnect(key, 'fp-1', 'refused', later(3))).toBe(true);
    expect(await store.channelTokens.get(key)).toMatchObject({ status: 'needs-reconnect', statusReason: 'refused', updatedAt: later(3), version: 1 });
    // A new consent (a new refresh token) replaces the refused one.
    expect(await store.channelTokens.rotate(key, 'fp-1', pair(5), later(4))).toBe(true);
    expect(await store.channelTokens.get(key)).toMatchObject({ ...pair(5), status: 'ok', statusReason: null, version: 2 });
  });
});
