import { randomUUID } from 'node:crypto';
import type { NewOutbound, RiskLevel, Ticket } from './types.js';

/** eTags are opaque; a random one cannot be guessed by a stale writer. */
export function newETag(): string {
  return randomUUID();
}

/** The levels a risk of `level` may replace: none (null) and every lower level. */
export function riskLevelsBelow(level: RiskLevel): RiskLevel[] {
  switch (level) {
    case 'check-in':
      return [];
    case 'urgent':
      return ['check-in'];
    default:
      throw new Error(`unknown risk level: ${String(level)}`);
  }
}

/** Vietnam time (UTC+7, no daylight saving): the case-code year is the year there. */
const VIETNAM_OFFSET_MS = 7 * 3600 * 1000;

/** The year of `createdAt` in Vietnam time: 2025-12-31T17:00Z is already 2026. */
export function caseYear(createdAt: Date): number {
  return new Date(createdAt.getTime() + VIETNAM_OFFSET_MS).getUTCFullYear();
}

/** CTXH-2026-000123: the readable case code (uppercase, as stored). */
export function formatCaseCode(year: number, seq: number): string {
  return `CTXH-${year}-${String(seq).padStart(6, '0')}`;
}

/** How a code is looked up: stored codes are uppercase, so the query is too. */
export function normaliseCaseCode(code: string): string {
  return code.trim().toUpperCase();
}

/**
 * What is left of a redacted message's Activity: its type, ids and timestamp (a
 * transcript still shows that a message existed, and when), nothing it said, no names.
 */
export function redactActivity(activity: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['type', 'id', 'timestamp', 'channelId'] as const) {
    if (activity[key] !== undefined) out[key] = activity[key];
  }
  for (const key of ['conversation', 'from'] as const) {
    const account = activity[key];
    if (typeof account === 'object' && account !== null && 'id' in account) {
      out[key] = { id: (account as { id: unknown }).id };
    }
  }
  out.redacted = true;
  return out;
}

/**
 * What a new ticket has not had yet: no counsellor, no answer, no close, no escalation,
 * no reopening, no rating. Both stores start a ticket from it; tests compare against it.
 */
export const FRESH_TICKET_FIELDS = {
  assigneeId: null,
  assignedAt: null,
  firstResponseAt: null,
  lastAssigneeId: null,
  closedAt: null,
  closedBy: null,
  outcome: null,
  closeNote: null,
  escalatedAt: null,
  reopenedAt: null,
  satisfaction: null,
} as const satisfies Partial<Ticket>;

/**
 * How a new outbound message starts its delivery, in both stores: its turn key (only
 * with a replyTo), queued, or sent at once where being stored is being delivered (web
 * chat reads the store).
 */
export function newOutboundDelivery(m: NewOutbound): { replyTo: string | null; replyIndex: number | null; deliveryStatus: 'queued' | 'sent'; sentAt: Date | null } {
  const sent = m.delivery === 'sent';
  return {
    replyTo: m.replyTo ?? null,
    replyIndex: m.replyTo == null ? null : m.replyIndex,
    deliveryStatus: sent ? 'sent' : 'queued',
    sentAt: sent ? m.createdAt : null,
  };
}
