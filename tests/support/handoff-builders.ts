/** Builders for handoff tests: a ticket, a counsellor's routing view and a staff record, each with overrides. */
import type { CounsellorView } from '../../src/handoff/routing/method.js';
import type { Staff, Ticket } from '../../src/store/types.js';
import { newTicket } from './builders.js';
import { FRESH_TICKET_FIELDS } from '../../src/store/shared.js';

/** 2026-12-01 10:00 in Vietnam (a Tuesday). */
export const T0 = new Date('2026-12-01T03:00:00Z');
/** `minutes` after T0 (negative: before). */
export const at = (minutes: number, from: Date = T0): Date => new Date(from.getTime() + minutes * 60_000);

let seq = 0;

/** A normal waiting ticket of team 'chung', created at T0. */
export function ticket(over: Partial<Ticket> = {}): Ticket {
  seq++;
  const createdAt = over.createdAt ?? T0;
  return {
    ...newTicket(`citizen-${seq}`, { conversationId: `conv-${seq}`, citizenKey: `webchat:citizen-${seq}`, channel: 'webchat', createdAt }),
    id: `t-${seq}`,
    status: 'waiting',
    updatedAt: createdAt,
    raises: 0,
    ...FRESH_TICKET_FIELDS,
    ...over,
  };
}

/** An available counsellor of team 'chung' with room for 3, holding nothing, never assigned. */
export function counsellor(id: string, over: Partial<CounsellorView> = {}): CounsellorView {
  return { id, presence: 'available', teams: ['chung'], communeCodes: [], maxOpen: 3, openCount: 0, lastAssignedAt: null, ...over };
}

/** An available counsellor account, present since T0 and never active in the console. */
export function staff(id: string, over: Partial<Staff> = {}): Staff {
  return {
    id,
    username: id,
    displayName: id,
    role: 'counsellor',
    passwordHash: 'not-a-hash',
    teams: ['chung'],
    communeCodes: [],
    maxOpen: 3,
    createdAt: T0,
    presence: 'available',
    presenceAt: T0,
    lastActiveAt: null,
    failedLogins: 0,
    lockedUntil: null,
    canEditKnowledge: false,
    disabled: false,
    ...over,
  };
}
