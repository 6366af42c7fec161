/**
 * The staff and session contract for every store: runs on SQLite always, and on MongoDB
 * when MONGODB_URI is set (the test setup starts jongodb for it when it is not).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuplicateUsernameError, type NewStaff, type StaffSession, type Store } from '../../src/store/types.js';
import { storeLanes } from '../support/mongo-lane.js';

const lanes = storeLanes('ctxh-staff-');

const t0 = new Date('2026-11-22T08:00:00Z');
const later = (s: number) => new Date(t0.getTime() + s * 1000);

const newStaff = (username: string, over: Partial<NewStaff> = {}): NewStaff => ({
  username,
  displayName: `Chị ${username}`,
  role: 'counsellor',
  passwordHash: 'scrypt$N=16384,r=8,p=1$c2FsdA$aGFzaA',
  teams: ['chung'],
  communeCodes: [],
  maxOpen: 3,
  createdAt: t0,
  ...over,
});

describe.each(lanes)('staff and sessions contract: $name', ({ open }) => {
  let store: Store;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  describe('staff', () => {
    it('creates an account offline, with its username trimmed and lowercased', async () => {
      const s = await store.staff.create(
        newStaff('  Lan.Nguyen ', { teams: ['tam-ly', 'chung'], communeCodes: ['00004', '00008'], role: 'supervisor', maxOpen: 5 }),
      );
      expect(s).toEqual({
        id: s.id,
        username: 'lan.nguyen',
        displayName: 'Chị   Lan.Nguyen ',
        role: 'supervisor',
        passwordHash: 'scrypt$N=16384,r=8,p=1$c2FsdA$aGFzaA',
        teams: ['tam-ly', 'chung'],
        communeCodes: ['00004', '00008'],
        maxOpen: 5,
        createdAt: t0,
        presence: 'offline',
        presenceAt: t0,
        lastActiveAt: null,
        failedLogins: 0,
        lockedUntil: null,
        disabled: false,
        canEditKnowledge: false,
      });
      expect(typeof s.id).toBe('string');
      expect(await store.staff.get(s.id)).toEqual(s);
      expect(await store.staff.get('no-such-staff')).toBeNull();
    });

    it('finds an account by username in any letter case, with spaces around', async () => {
      const s = await store.staff.create(newStaff('hoa'));
      expect((await store.staff.getByUsername('hoa'))?.id).toBe(s.id);
      expect((await store.staff.getByUsername('HOA'))?.id).toBe(s.id);
      expect((await store.staff.getByUsername(' Hoa  '))?.id).toBe(s.id);
      expect(await store.staff.getByUsername('hoa2')).toBeNull();
    });

    it('refuses a taken username in any letter case with DuplicateUsernameError', async () => {
      const first = await store.staff.create(newStaff('minh'));
      await expect(store.staff.create(newStaff('minh'))).rejects.toBeInstanceOf(DuplicateUsernameError);
      await expect(store.staff.create(newStaff(' MINH '))).rejects.toBeInstanceOf(DuplicateUsernameError);
      await expect(store.staff.create(newStaff('Minh'))).rejects.toThrow(/minh/);
      expect((await store.staff.list()).filter((s) => s.username === 'minh').map((s) => s.id)).toEqual([first.id]);
    });

    it('gives one of several simultaneous creates of a username the account, the others DuplicateUsernameError', async () => {
      const results = await Promise.allSettled(['Tuan', 'tuan', 'TUAN', ' tuan'].map((u) => store.staff.create(newStaff(u))));
      const created = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(created).toHaveLength(1);
      expect(refused).toHaveLength(3);
      for (const r of refused) expect(r.reason).toBeInstanceOf(DuplicateUsernameError);
      expect((await store.staff.list()).filter((s) => s.username === 'tuan')).toHaveLength(1);
    });

    it('lists every account by username', async () => {
      const mine = new Set([(await store.staff.create(newStaff('zz-b'))).id, (await store.staff.create(newStaff('zz-a'))).id]);
      const all = await store.staff.list();
      expect(all.filter((s) => mine.has(s.id)).map((s) => s.username)).toEqual(['zz-a', 'zz-b']);
      expect(all.map((s) => s.username)).toEqual([...all.map((s) => s.username)].sort());
    });

    it('updates the fields it is given and leaves the others', async () => {
      const s = await store.staff.create(newStaff('update-me'));
      const updated = await store.staff.update(s.id, { displayName: 'Anh Bình', teams: ['tre-em'], maxOpen: 1, disabled: true });
      expect(updated).toEqual({ ...s, displayName: 'Anh Bình', teams: ['tre-em'], maxOpen: 1, disabled: true });
      const again = await store.staff.update(s.id, { role: 'admin', passwordHash: 'new-hash', communeCodes: ['26734'], disabled: false });
      expect(again).toEqual({ ...updated, role: 'admin', passwordHash: 'new-hash', communeCodes: ['26734'], disabled: false });
      // Knowledge editing is a permission of its own, off unless given.
      expect(again?.canEditKnowledge).toBe(false);
      expect(await store.staff.update(s.id, { canEditKnowledge: true })).toEqual({ ...again, canEditKnowledge: true });
      expect(await store.staff.update(s.id, { canEditKnowledge: false })).toEqual(again);
      expect(await store.staff.get(s.id)).toEqual(again);
      // Nothing to change: the account as it is.
      expect(await store.staff.update(s.id, {})).toEqual(again);
      expect(await store.staff.update('no-such-staff', { displayName: 'x' })).toBeNull();
      expect(await store.staff.update('no-such-staff', {})).toBeNull();
    });

    it('sets presence with its time, and keeps the latest activity', async () => {
      const s = await store.staff.create(newStaff('presence'));
      const available = await store.staff.setPresence(s.id, 'available', later(10));
      expect(available).toMatchObject({ id: s.id, presence: 'available', presenceAt: later(10), lastActiveAt: null });
      expect((await store.staff.setPresence(s.id, 'away', later(20)))?.presence).toBe('away');
      expect(await store.staff.get(s.id)).toMatchObject({ presence: 'away', presenceAt: later(20) });
      expect(await store.staff.setPresence('no-such-staff', 'available', later(20))).toBeNull();

      await store.staff.touchActive(s.id, later(30));
      expect((await store.staff.get(s.id))?.lastActiveAt).toEqual(later(30));
      // A request that finished out of order does not move it back.
      await store.staff.touchActive(s.id, later(25));
      expect((await store.staff.get(s.id))?.lastActiveAt).toEqual(later(30));
      await store.staff.touchActive(s.id, later(31));
      expect((await store.staff.get(s.id))?.lastActiveAt).toEqual(later(31));
      await store.staff.touchActive('no-such-staff', later(31));
    });

    it('lists available staff idle since a time: not away or offline ones, not recently active ones', async () => {
      const idle = await store.staff.create(newStaff('idle-1'));
      await store.staff.setPresence(idle.id, 'available', later(100));
      await store.staff.touchActive(idle.id, later(110));
      const neverActive = await store.staff.create(newStaff('idle-2'));
      await store.staff.setPresence(neverActive.id, 'available', later(105));
      const busy = await store.staff.create(newStaff('idle-busy'));
      await store.staff.setPresence(busy.id, 'available', later(100));
      await store.staff.touchActive(busy.id, later(200));
      const away = await store.staff.create(newStaff('idle-away'));
      await store.staff.setPresence(away.id, 'away', later(100));
      const offline = await store.staff.create(newStaff('idle-offline'));
      await store.staff.touchActive(offline.id, later(100));
      // Active long ago, but set available just now: not idle yet.
      const back = await store.staff.create(newStaff('idle-back'));
      await store.staff.touchActive(back.id, later(100));
      await store.staff.setPresence(back.id, 'available', later(190));

      const mine = new Set([idle.id, neverActive.id, busy.id, away.id, offline.id, back.id]);
      const listIdle = async (since: Date) => (await store.staff.listIdle(since)).filter((s) => mine.has(s.id)).map((s) => s.username);
      expect(await listIdle(later(150))).toEqual(['idle-1', 'idle-2']);
      expect(await listIdle(later(300))).toEqual(['idle-1', 'idle-2', 'idle-back', 'idle-busy']);
      // Strictly before: activity at the cut-off is not idle.
      expect(await listIdle(later(110))).toEqual(['idle-2']);
      expect(await listIdle(later(100))).toEqual([]);
      expect((await store.staff.listIdle(later(150))).every((s) => s.presence === 'available')).toBe(true);
    });

    it('locks an account after failed logins in a row, then counts again from zero', async () => {
      const s = await store.staff.create(newStaff('lockout'));
      const lockMs = 15 * 60_000;
      expect(await store.staff.recordFailedLogin(s.id, later(1), 3, lockMs)).toMatchObject({ failedLogins: 1, lockedUntil: null });
      expect(await store.staff.recordFailedLogin(s.id, later(2), 3, lockMs)).toMatchObject({ failedLogins: 2, lockedUntil: null });
      const locked = await store.staff.recordFailedLogin(s.id, later(3), 3, lockMs);
      expect(locked).toMatchObject({ id: s.id, failedLogins: 0, lockedUntil: new Date(later(3).getTime() + lockMs) });
      expect((await store.staff.get(s.id))?.lockedUntil).toEqual(new Date(later(3).getTime() + lockMs));
      // The count starts again; the lock stays until it runs out or the next lock.
      expect(await store.staff.recordFailedLogin(s.id, later(4), 3, lockMs)).toMatchObject({
        failedLogins: 1,
        lockedUntil: new Date(later(3).getTime() + lockMs),
      });
      await store.staff.clearFailedLogins(s.id);
      expect((await store.staff.get(s.id))?.failedLogins).toBe(0);
      expect(await store.staff.recordFailedLogin(s.id, later(5), 3, lockMs)).toMatchObject({ failedLogins: 1 });
      expect(await store.staff.recordFailedLogin('no-such-staff', later(5), 3, lockMs)).toBeNull();
      await store.staff.clearFailedLogins('no-such-staff');
    });

    it('counts every one of simultaneous failed logins: six at three a lock lock it twice', async () => {
      const s = await store.staff.create(newStaff('lockout-race'));
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => store.staff.recordFailedLogin(s.id, later(10 + i), 3, 60_000)),
      );
      expect(results.map((r) => r?.failedLogins).sort()).toEqual([0, 0, 1, 1, 2, 2]);
      const after = await store.staff.get(s.id);
      expect(after?.failedLogins).toBe(0);
      expect(after?.lockedUntil).not.toBeNull();
    });
  });

  describe('sessions', () => {
    // From the real clock, not t0: MongoDB's TTL index deletes sessions whose expiresAt has
    // passed in real time, so a session that must still be there expires in the future.
    const s0 = new Date(Date.now());
    const later = (s: number) => new Date(s0.getTime() + s * 1000);
    const session = (tokenHash: string, staffId: string, over: Partial<StaffSession> = {}): StaffSession => ({
      tokenHash,
      staffId,
      csrfToken: `csrf-${tokenHash}`,
      createdAt: s0,
      expiresAt: later(3600),
      ...over,
    });

    it('finds a session by token hash until it expires', async () => {
      const s = session('hash-1', 'staff-1');
      await store.sessions.create(s);
      expect(await store.sessions.get('hash-1', later(10))).toEqual(s);
      expect(await store.sessions.get('hash-1', later(3599))).toEqual(s);
      // Expired at expiresAt itself.
      expect(await store.sessions.get('hash-1', later(3600))).toBeNull();
      expect(await store.sessions.get('hash-1', later(7200))).toBeNull();
      expect(await store.sessions.get('no-such-hash', later(10))).toBeNull();
    });

    it('slides the expiry forward, never back', async () => {
      await store.sessions.create(session('hash-2', 'staff-1'));
      await store.sessions.extend('hash-2', later(7200));
      expect((await store.sessions.get('hash-2', later(5000)))?.expiresAt).toEqual(later(7200));
      // Two requests extending at once: the later expiry stays.
      await store.sessions.extend('hash-2', later(6000));
      expect((await store.sessions.get('hash-2', later(5000)))?.expiresAt).toEqual(later(7200));
      await store.sessions.extend('no-such-hash', later(7200));
      expect(await store.sessions.get('no-such-hash', later(10))).toBeNull();
    });

    it('deletes one session, or every session of one account', async () => {
      await store.sessions.create(session('hash-3', 'staff-3'));
      await store.sessions.create(session('hash-4', 'staff-3'));
      await store.sessions.create(session('hash-5', 'staff-3', { expiresAt: later(600) }));
      await store.sessions.create(session('hash-6', 'staff-4'));
      await store.sessions.delete('hash-3');
      expect(await store.sessions.get('hash-3', later(10))).toBeNull();
      expect(await store.sessions.get('hash-4', later(10))).not.toBeNull();
      await store.sessions.delete('hash-3');
      expect(await store.sessions.deleteByStaff('staff-3')).toBe(2);
      expect(await store.sessions.get('hash-4', later(10))).toBeNull();
      expect(await store.sessions.get('hash-5', later(10))).toBeNull();
      expect(await store.sessions.get('hash-6', later(10))).toMatchObject({ staffId: 'staff-4', csrfToken: 'csrf-hash-6' });
      expect(await store.sessions.deleteByStaff('staff-3')).toBe(0);
    });
  });
});
