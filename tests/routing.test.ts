/**
 * Routing as pure decisions: the registry, each method's policy ('manual', 'least-busy',
 * 'area'), and planning a round of assignments over the waiting queue.
 */
import { describe, expect, it } from 'vitest';
import { areaRouting } from '../src/handoff/routing/area.js';
import { leastBusyRouting } from '../src/handoff/routing/least-busy.js';
import { manualRouting } from '../src/handoff/routing/manual.js';
import { eligible, queueOrder, toCounsellorView, type RoutingMethod } from '../src/handoff/routing/method.js';
import { planAssignments } from '../src/handoff/routing/plan.js';
import { DEFAULT_ROUTING_METHOD, getRoutingMethod, registerRoutingMethod, routingMethodNames } from '../src/handoff/routing/registry.js';
import { HANDOFF_PRIORITY } from '../src/store/types.js';
import { at, counsellor, staff, ticket } from './support/handoff-builders.js';

describe('the registry', () => {
  it('knows the three methods, manual by default', () => {
    expect(routingMethodNames()).toEqual(expect.arrayContaining(['manual', 'least-busy', 'area']));
    expect(DEFAULT_ROUTING_METHOD).toBe('manual');
    expect(getRoutingMethod('manual')).toBe(manualRouting);
    expect(getRoutingMethod('least-busy')).toBe(leastBusyRouting);
    expect(getRoutingMethod('area')).toBe(areaRouting);
  });

  it('names the known methods when asked for an unknown one', () => {
    expect(() => getRoutingMethod('round-robin')).toThrow(/Unknown routing method "round-robin"; known: .*manual.*least-busy.*area/);
  });

  it('registers a new method, and refuses a second one under a taken name', () => {
    const first: RoutingMethod = { name: 'test-first-available', autoAssigns: true, pick: (_t, cs) => cs.find(eligible)?.id ?? null };
    registerRoutingMethod(first);
    registerRoutingMethod(first); // the same one again is harmless
    expect(getRoutingMethod('test-first-available')).toBe(first);
    expect(() => registerRoutingMethod({ ...first })).toThrow(/already registered/);
    expect(() => registerRoutingMethod({ ...manualRouting })).toThrow(/"manual" is already registered/);
  });
});

describe('eligibility and order', () => {
  it('takes only available people below their cap', () => {
    expect(eligible(counsellor('a'))).toBe(true);
    expect(eligible(counsellor('a', { presence: 'away' }))).toBe(false);
    expect(eligible(counsellor('a', { presence: 'offline' }))).toBe(false);
    expect(eligible(counsellor('a', { openCount: 3, maxOpen: 3 }))).toBe(false);
    expect(eligible(counsellor('a', { maxOpen: 0 }))).toBe(false);
  });

  it('sorts the queue most urgent first, then oldest, then by id; never newest first', () => {
    const late = ticket({ id: 'b', createdAt: at(10) });
    const early = ticket({ id: 'c', createdAt: at(0) });
    const twin = ticket({ id: 'a', createdAt: at(0) });
    const urgent = ticket({ id: 'd', createdAt: at(20), priority: HANDOFF_PRIORITY.urgent });
    const checkIn = ticket({ id: 'e', createdAt: at(15), priority: HANDOFF_PRIORITY.checkIn });
    expect([late, early, urgent, checkIn, twin].sort(queueOrder).map((t) => t.id)).toEqual(['d', 'e', 'a', 'c', 'b']);
  });

  it('sees a disabled account as offline', () => {
    expect(toCounsellorView(staff('s', { disabled: true }), 0, null).presence).toBe('offline');
    expect(toCounsellorView(staff('s', { teams: ['tam-ly'] }), 2, at(-5))).toEqual(
      counsellor('s', { teams: ['tam-ly'], openCount: 2, lastAssignedAt: at(-5) }),
    );
  });
});

describe("'manual'", () => {
  it('never assigns: counsellors pick from the queue', () => {
    expect(manualRouting.autoAssigns).toBe(false);
    expect(manualRouting.pick(ticket(), [counsellor('a')])).toBeNull();
    expect(planAssignments([ticket(), ticket({ lastAssigneeId: 'a' })], [counsellor('a')], manualRouting)).toEqual([]);
  });
});

describe("'least-busy'", () => {
  const pick = (t = ticket({ team: 'tam-ly' }), ...cs: ReturnType<typeof counsellor>[]) => leastBusyRouting.pick(t, cs);

  it('picks the team member with the fewest open chats', () => {
    expect(pick(undefined, counsellor('a', { teams: ['tam-ly'], openCount: 2 }), counsellor('b', { teams: ['tam-ly'], openCount: 1 }))).toBe('b');
  });

  it('never picks someone outside the team while the team has room', () => {
    expect(pick(undefined, counsellor('idle', { teams: ['chung'] }), counsellor('busy', { teams: ['tam-ly'], openCount: 2 }))).toBe('busy');
  });

  it('skips people at their cap and people away or offline', () => {
    expect(
      pick(
        undefined,
        counsellor('full', { teams: ['tam-ly'], openCount: 1, maxOpen: 1 }),
        counsellor('away', { teams: ['tam-ly'], presence: 'away' }),
        counsellor('off', { teams: ['tam-ly'], presence: 'offline' }),
        counsellor('ok', { teams: ['tam-ly'], openCount: 2 }),
      ),
    ).toBe('ok');
  });

  it('breaks ties by the oldest last assignment (never assigned first), then by id', () => {
    const team = { teams: ['tam-ly'], openCount: 1 };
    expect(pick(undefined, counsellor('a', { ...team, lastAssignedAt: at(-1) }), counsellor('b', { ...team, lastAssignedAt: at(-30) }))).toBe('b');
    expect(pick(undefined, counsellor('a', { ...team, lastAssignedAt: at(-30) }), counsellor('b', { ...team, lastAssignedAt: null }))).toBe('b');
    expect(pick(undefined, counsellor('b', team), counsellor('a', team))).toBe('a');
  });

  it("falls back to the general team 'chung', then leaves the ticket waiting", () => {
    const full = counsellor('full', { teams: ['tam-ly'], openCount: 3 });
    expect(pick(undefined, full, counsellor('g', { teams: ['chung'] }), counsellor('other', { teams: ['tre-em'] }))).toBe('g');
    expect(pick(undefined, full, counsellor('g', { teams: ['chung'], presence: 'away' }), counsellor('other', { teams: ['tre-em'] }))).toBeNull();
    expect(pick(ticket({ team: 'chung' }), counsellor('other', { teams: ['tre-em'] }))).toBeNull();
    expect(pick(undefined)).toBeNull();
  });
});

describe("'area'", () => {
  const local = ticket({ team: 'tam-ly', communeCode: '20333' });

  it('prefers someone covering the commune, whatever their team, least busy among them', () => {
    const cs = [
      counsellor('team', { teams: ['tam-ly'] }),
      counsellor('collab-busy', { teams: [], communeCodes: ['20333'], openCount: 2 }),
      counsellor('collab', { teams: [], communeCodes: ['20333', '20334'], openCount: 1 }),
    ];
    expect(areaRouting.pick(local, cs)).toBe('collab');
  });

  it('skips local people who are away or at their cap, then routes as least-busy', () => {
    const cs = [
      counsellor('collab-away', { communeCodes: ['20333'], presence: 'away' }),
      counsellor('collab-full', { communeCodes: ['20333'], openCount: 1, maxOpen: 1 }),
      counsellor('team', { teams: ['tam-ly'], openCount: 2 }),
      counsellor('general', { teams: ['chung'] }),
    ];
    expect(areaRouting.pick(local, cs)).toBe('team');
    expect(areaRouting.pick(local, cs.slice(0, 2).concat(counsellor('general')))).toBe('general');
    expect(areaRouting.pick(local, cs.slice(0, 2))).toBeNull();
  });

  it('routes as least-busy when the commune is unknown or nobody covers it', () => {
    const cs = [counsellor('elsewhere', { communeCodes: ['99999'] }), counsellor('team', { teams: ['tam-ly'], openCount: 1 })];
    expect(areaRouting.pick({ ...local, communeCode: null }, cs)).toBe('team');
    expect(areaRouting.pick(local, cs)).toBe('team');
  });
});

describe('planning a round', () => {
  it('gives a counsellor with room for two the two most urgent, then oldest, tickets', () => {
    const oldNormal = ticket({ id: 'old', createdAt: at(-30) });
    const newNormal = ticket({ id: 'new', createdAt: at(-1) });
    const urgent = ticket({ id: 'urgent', createdAt: at(-2), priority: HANDOFF_PRIORITY.urgent });
    const c = counsellor('a', { maxOpen: 3, openCount: 1 });
    expect(planAssignments([newNormal, oldNormal, urgent], [c], leastBusyRouting)).toEqual([
      { ticketId: 'urgent', counsellorId: 'a' },
      { ticketId: 'old', counsellorId: 'a' },
    ]);
    expect(c.openCount).toBe(1); // the caller's view is not changed
  });

  it('spreads tickets as it counts them, the just-assigned person last on ties', () => {
    const ts = [1, 2, 3, 4].map((n) => ticket({ id: `t${n}`, createdAt: at(n) }));
    const plan = planAssignments(ts, [counsellor('a'), counsellor('b', { openCount: 1 }), counsellor('c')], leastBusyRouting);
    // t1: a and c are idle and never assigned (a by id); t2: c; t3: all hold one, b was never given one; t4: a's turn came longest ago.
    expect(plan.map((p) => `${p.ticketId}:${p.counsellorId}`)).toEqual(['t1:a', 't2:c', 't3:b', 't4:a']);
  });

  it('never assigns away or offline people, nor beyond a cap, even if a method says so', () => {
    const reckless: RoutingMethod = { name: 'reckless', autoAssigns: true, pick: (_t, cs) => cs[0]?.id ?? null };
    const ts = [ticket(), ticket(), ticket()];
    expect(planAssignments(ts, [counsellor('away', { presence: 'away' })], reckless)).toEqual([]);
    expect(planAssignments(ts, [counsellor('one', { maxOpen: 1 })], reckless)).toHaveLength(1);
    expect(planAssignments(ts, [counsellor('a')], { ...reckless, pick: () => 'nobody-known' })).toEqual([]);
  });

  it('skips a ticket nobody can take and goes on with the next', () => {
    const legal = ticket({ id: 'legal', team: 'phap-ly', createdAt: at(-10) });
    const child = ticket({ id: 'child', team: 'tre-em', createdAt: at(-5) });
    expect(planAssignments([legal, child], [counsellor('k', { teams: ['tre-em'] })], leastBusyRouting)).toEqual([{ ticketId: 'child', counsellorId: 'k' }]);
  });

  it('returns a reopened ticket to its last assignee when they can take it, whatever their team', () => {
    const reopened = ticket({ id: 'r', team: 'tam-ly', lastAssigneeId: 'knew-it', reopenedAt: at(0) });
    const cs = [counsellor('knew-it', { teams: ['tre-em'], openCount: 2 }), counsellor('idle', { teams: ['tam-ly'] })];
    expect(planAssignments([reopened], cs, leastBusyRouting)).toEqual([{ ticketId: 'r', counsellorId: 'knew-it' }]);
    expect(planAssignments([reopened], cs, areaRouting)).toEqual([{ ticketId: 'r', counsellorId: 'knew-it' }]);
  });

  it('routes a reopened ticket normally when its last assignee is away, full or gone', () => {
    const reopened = ticket({ id: 'r', team: 'tam-ly', lastAssigneeId: 'knew-it', reopenedAt: at(0) });
    const idle = counsellor('idle', { teams: ['tam-ly'] });
    for (const last of [counsellor('knew-it', { presence: 'away' }), counsellor('knew-it', { openCount: 3 })]) {
      expect(planAssignments([reopened], [last, idle], leastBusyRouting)).toEqual([{ ticketId: 'r', counsellorId: 'idle' }]);
    }
    expect(planAssignments([reopened], [idle], leastBusyRouting)).toEqual([{ ticketId: 'r', counsellorId: 'idle' }]);
  });

  it('does not bounce a ticket handed back to the queue (not reopened) to its last holder', () => {
    const handedBack = ticket({ id: 'h', team: 'tam-ly', lastAssigneeId: 'gave-it-back' });
    const cs = [counsellor('gave-it-back', { teams: ['tam-ly'], lastAssignedAt: at(-60) }), counsellor('colleague', { teams: ['tam-ly'], openCount: 1 })];
    expect(planAssignments([handedBack], cs, leastBusyRouting)).toEqual([{ ticketId: 'h', counsellorId: 'gave-it-back' }]); // only because least busy
    expect(planAssignments([handedBack], [{ ...cs[0]!, openCount: 2 }, cs[1]!], leastBusyRouting)).toEqual([{ ticketId: 'h', counsellorId: 'colleague' }]);
  });

  it('plans only tickets that are waiting', () => {
    const held = ticket({ status: 'assigned', assigneeId: 'x' });
    expect(planAssignments([held, ticket({ id: 'w' })], [counsellor('a')], leastBusyRouting)).toEqual([{ ticketId: 'w', counsellorId: 'a' }]);
  });
});
