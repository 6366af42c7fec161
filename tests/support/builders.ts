/** Test builders for store records: one place to change when a record gains a field. */
import { HandoffEvents } from '../../src/handoff/events.js';
import { Handoff } from '../../src/handoff/service.js';
import { DEFAULT_TEAMS_SPEC, parseTeams, teamFor } from '../../src/handoff/teams.js';
import type { KnowledgeEntry } from '../../src/kb/entry.js';
import { HANDOFF_PRIORITY, type NewCase, type NewTicket, type Store } from '../../src/store/types.js';

export function newCase(over: Partial<NewCase> = {}): NewCase {
  return {
    citizenKey: 'webchat:citizen-1',
    conversationId: 'conv-1',
    channel: 'webchat',
    who: 'self',
    group: 'nguoi-cao-tuoi',
    need: 'cham-soc',
    provinceCode: '48',
    communeCode: '20333',
    age: 82,
    phone: '+84905123456',
    description: 'bà sống một mình',
    riskLevel: null,
    riskCategory: null,
    consentIds: [],
    createdAt: new Date('2026-11-30T03:00:00Z'),
    ...over,
  };
}

/** The handoff service over a real store, with the default teams and no on-call alert. */
export function handoffOver(store: Store, now: () => Date = () => new Date()): Handoff {
  const teams = parseTeams(DEFAULT_TEAMS_SPEC);
  return new Handoff({ store, events: new HandoffEvents(), now, teamFor: (about) => teamFor(about, teams) });
}

/** A normal request of citizen `who` (telegram:<who>, conversation conv-<who>) for team 'chung'. */
export function newTicket(who: string, over: Partial<NewTicket> = {}): NewTicket {
  return {
    conversationId: `conv-${who}`,
    citizenKey: `telegram:${who}`,
    channel: 'telegram',
    priority: HANDOFF_PRIORITY.normal,
    reason: 'citizen-asked',
    riskCategory: null,
    messageId: null,
    team: 'chung',
    provinceCode: null,
    communeCode: null,
    caseId: null,
    createdAt: new Date('2026-11-22T08:00:00Z'),
    ...over,
  };
}

/** A valid knowledge entry about the standard assistance level, with this body. */
export function kbEntry(id: string, body: string): KnowledgeEntry {
  return {
    id,
    topic: 'muc-chuan-tro-giup',
    questions: ['Mức chuẩn trợ giúp xã hội là bao nhiêu?', 'muc chuan bao nhieu'],
    source: 'Nghị định 76/2024/NĐ-CP',
    effective: '2024-07-01',
    reviewed: '2026-11-22',
    body,
    file: `muc-chuan-tro-giup/${id}.md`,
  };
}
