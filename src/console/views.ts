/**
 * What the console shows, shaped from store records: pure functions, so the API stays a
 * thin layer of reads and desk calls. Nothing here hides or adds data a role may not see;
 * the API decides who gets which view.
 */
import { maskPersonalNumbers } from '../flows/intake/phone.js';
import { CLOSE_OUTCOMES } from '../handoff/desk.js';
import type { CaseRecord, ConsentRecord, Conversation, Note, Staff, StoredMessage, Ticket } from '../store/types.js';

export interface TicketRow {
  id: string;
  status: Ticket['status'];
  priority: number;
  urgent: boolean;
  reason: Ticket['reason'];
  riskCategory: Ticket['riskCategory'];
  team: string;
  channel: Ticket['channel'];
  conversationId: string;
  assigneeId: string | null;
  assigneeName: string | null;
  createdAt: Date;
  /** ms since the ticket entered the queue (waiting) or since it was taken (held). */
  waitingMs: number;
  escalated: boolean;
  firstResponseAt: Date | null;
  caseId: string | null;
  communeCode: string | null;
}

export function ticketRow(ticket: Ticket, staffById: ReadonlyMap<string, Staff>, now: Date): TicketRow {
  const since = ticket.status === 'waiting' ? (ticket.reopenedAt ?? ticket.createdAt) : (ticket.assignedAt ?? ticket.createdAt);
  return {
    id: ticket.id,
    status: ticket.status,
    priority: ticket.priority,
    urgent: ticket.priority === 0,
    reason: ticket.reason,
    riskCategory: ticket.riskCategory,
    team: ticket.team,
    channel: ticket.channel,
    conversationId: ticket.conversationId,
    assigneeId: ticket.assigneeId,
    assigneeName: ticket.assigneeId ? (staffById.get(ticket.assigneeId)?.displayName ?? null) : null,
    createdAt: ticket.createdAt,
    waitingMs: Math.max(0, now.getTime() - since.getTime()),
    escalated: ticket.escalatedAt !== null,
    firstResponseAt: ticket.firstResponseAt,
    caseId: ticket.caseId,
    communeCode: ticket.communeCode,
  };
}

/** How much of the citizen's last message a conversation row shows. */
export const LAST_MESSAGE_CHARS = 80;

/**
 * A conversation in the console's list of conversations (supervisors looking for ones the
 * bot is handling that a person should take): its state and a glimpse of the citizen's
 * last message, phone and ID numbers masked, so the list alone gives away no number.
 */
export interface ConversationRow {
  id: string;
  channel: Conversation['channel'];
  status: Conversation['status'];
  risk: Conversation['risk'];
  createdAt: Date;
  updatedAt: Date;
  lastInboundAt: Date | null;
  /** The first LAST_MESSAGE_CHARS characters of the citizen's last message, numbers masked; null when none is left to show. */
  lastMessage: string | null;
  /** The last message was redacted (an intake answer, erasure, retention): it existed, its text is gone. */
  lastMessageRedacted: boolean;
}

/**
 * Masks before it cuts (a number split by the cut would be too short to be recognised
 * and masked), folds whitespace to one line, and counts characters, not UTF-16 units, in
 * NFC so that a letter and its diacritics are never cut apart.
 */
export function lastMessageGlimpse(text: string): string {
  const oneLine = maskPersonalNumbers(text.normalize('NFC')).replace(/\s+/g, ' ').trim();
  return Array.from(oneLine).slice(0, LAST_MESSAGE_CHARS).join('');
}

export function conversationRow(c: Conversation, lastInbound: StoredMessage | null): ConversationRow {
  const redacted = (lastInbound?.activity as { redacted?: unknown } | undefined)?.redacted === true;
  const glimpse = lastInbound && !redacted ? lastMessageGlimpse(lastInbound.text) : '';
  return {
    id: c.id,
    channel: c.channel,
    status: c.status,
    risk: c.risk,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    lastInboundAt: c.lastInboundAt,
    lastMessage: glimpse === '' ? null : glimpse,
    lastMessageRedacted: redacted,
  };
}

/** Outcome codes as the console shows them: the close outcomes, and the one of an abandoned ticket. */
export const OUTCOME_LABELS: Readonly<Record<string, string>> = {
  ...CLOSE_OUTCOMES,
  abandoned: 'Người dân rời đi trước khi có người nhận',
};

/**
 * One of the citizen's other tickets, as the conversation view lists them: what came of
 * it (status, outcome), when, who handled it and the citizen's rating, so a counsellor
 * knows the story before answering. The close note is not in it: it is read on the
 * ticket itself.
 */
export interface HistoryRow {
  id: string;
  status: Ticket['status'];
  reason: Ticket['reason'];
  riskCategory: Ticket['riskCategory'];
  team: string;
  channel: Ticket['channel'];
  conversationId: string;
  caseId: string | null;
  createdAt: Date;
  closedAt: Date | null;
  outcome: string | null;
  outcomeLabel: string | null;
  /** The counsellor holding it, or the last one who did; null when nobody took it. */
  handledById: string | null;
  handledByName: string | null;
  /** 1 (bad) to 3 (good); null when not rated. */
  satisfaction: number | null;
}

export function historyRow(ticket: Ticket, staffById: ReadonlyMap<string, Staff>): HistoryRow {
  const handledById = ticket.assigneeId ?? ticket.lastAssigneeId;
  return {
    id: ticket.id,
    status: ticket.status,
    reason: ticket.reason,
    riskCategory: ticket.riskCategory,
    team: ticket.team,
    channel: ticket.channel,
    conversationId: ticket.conversationId,
    caseId: ticket.caseId,
    createdAt: ticket.createdAt,
    closedAt: ticket.closedAt,
    outcome: ticket.outcome,
    outcomeLabel: ticket.outcome === null ? null : (OUTCOME_LABELS[ticket.outcome] ?? ticket.outcome),
    handledById,
    handledByName: handledById ? (staffById.get(handledById)?.displayName ?? 'Tư vấn viên') : null,
    satisfaction: ticket.satisfaction,
  };
}

export interface TranscriptLine {
  id: string;
  conversationId: string;
  at: Date;
  /** citizen, bot, counsellor (a person's message to the citizen) or note (internal). */
  kind: 'citizen' | 'bot' | 'counsellor' | 'note';
  /** The counsellor's or note author's name. */
  author: string | null;
  text: string;
  /** Quick replies the citizen was offered. */
  choices: string[];
  redacted: boolean;
  /** An outbound message not (yet) delivered: queued, sending, failed (with why) or unconfirmed; null once sent, and for inbound. */
  delivery: { status: string; error: string | null } | null;
  /** What a citizen sent besides text (photo, voice, sticker, file, location), with a link where the platform gives one. */
  attachments: Array<{ kind: string; url: string | null; name: string | null }>;
}

/**
 * Attachments of a stored message, reduced to what the console shows. A platform link
 * (https) is given as it is; a platform reference (telegram-file:…) becomes the console's
 * own media route, which fetches it through the server.
 */
function attachmentsOf(m: StoredMessage): TranscriptLine['attachments'] {
  const list = (m.activity as { attachments?: Array<{ contentType?: unknown; contentUrl?: unknown; name?: unknown }> }).attachments ?? [];
  return list.map((a, i) => {
    const url = typeof a.contentUrl === 'string' ? a.contentUrl : '';
    return {
      kind: typeof a.contentType === 'string' ? a.contentType : 'file',
      url: /^https?:\/\//.test(url) ? url : /^[a-z-]+:/.test(url) ? `/console/api/conversations/${m.conversationId}/media/${m.id}/${i}` : null,
      name: typeof a.name === 'string' ? a.name : null,
    };
  });
}

const staffIdOf = (m: StoredMessage): string | null => {
  const from = (m.activity as { from?: { id?: unknown } }).from;
  const id = typeof from?.id === 'string' ? from.id : '';
  return id.startsWith('staff:') ? id.slice('staff:'.length) : null;
};

/** Every message of the citizen's conversations and the staff notes, in time order. */
export function transcript(messages: readonly StoredMessage[], notes: readonly Note[], staffById: ReadonlyMap<string, Staff>): TranscriptLine[] {
  const lines: TranscriptLine[] = messages.map((m) => {
    const staffId = m.direction === 'out' ? staffIdOf(m) : null;
    const activity = m.activity as { redacted?: boolean; suggestedActions?: { actions?: Array<{ title?: string }> } };
    return {
      id: m.id,
      conversationId: m.conversationId,
      at: m.createdAt,
      kind: m.direction === 'in' ? 'citizen' : staffId ? 'counsellor' : 'bot',
      author: staffId ? (staffById.get(staffId)?.displayName ?? 'Tư vấn viên') : null,
      text: m.text,
      choices: (activity.suggestedActions?.actions ?? []).map((a) => String(a.title ?? '')).filter(Boolean),
      redacted: activity.redacted === true,
      delivery: m.delivery && m.delivery.status !== 'sent' ? { status: m.delivery.status, error: m.delivery.error } : null,
      attachments: attachmentsOf(m),
    };
  });
  for (const n of notes) {
    lines.push({ id: n.id, conversationId: n.conversationId, at: n.createdAt, kind: 'note', author: staffById.get(n.authorId)?.displayName ?? null, text: n.text, choices: [], redacted: false, delivery: null, attachments: [] });
  }
  return lines.sort((a, b) => a.at.getTime() - b.at.getTime());
}

export interface ConversationDetail {
  ticket: TicketRow | null;
  /** `undeliverable`: the channel refused for good to reach this citizen (blocked, window closed); shown so nobody writes into the void. */
  conversation: Pick<Conversation, 'id' | 'channel' | 'status' | 'risk' | 'createdAt' | 'lastInboundAt' | 'undeliverable'>;
  transcript: TranscriptLine[];
  cases: Array<Pick<CaseRecord, 'id' | 'code' | 'status' | 'who' | 'group' | 'need' | 'age' | 'phone' | 'description' | 'provinceCode' | 'communeCode' | 'riskLevel' | 'riskCategory' | 'createdAt'>>;
  consents: Array<Pick<ConsentRecord, 'purpose' | 'decision' | 'at' | 'withdrawnAt' | 'textVersion'>>;
  /** The citizen's other tickets (not the one shown), newest first. */
  history: HistoryRow[];
}

export function conversationDetail(input: {
  ticket: Ticket | null;
  conversation: Conversation;
  messages: readonly StoredMessage[];
  notes: readonly Note[];
  cases: readonly CaseRecord[];
  consents: readonly ConsentRecord[];
  history: readonly Ticket[];
  staffById: ReadonlyMap<string, Staff>;
  now: Date;
}): ConversationDetail {
  const { conversation: c, staffById, now } = input;
  return {
    ticket: input.ticket ? ticketRow(input.ticket, staffById, now) : null,
    conversation: { id: c.id, channel: c.channel, status: c.status, risk: c.risk, createdAt: c.createdAt, lastInboundAt: c.lastInboundAt, undeliverable: c.undeliverable },
    transcript: transcript(input.messages, input.notes, staffById),
    cases: input.cases
      .filter((k) => !k.erasedAt)
      .map((k) => ({
        id: k.id, code: k.code, status: k.status, who: k.who, group: k.group, need: k.need, age: k.age, phone: k.phone,
        description: k.description, provinceCode: k.provinceCode, communeCode: k.communeCode, riskLevel: k.riskLevel,
        riskCategory: k.riskCategory, createdAt: k.createdAt,
      })),
    consents: input.consents.map((k) => ({ purpose: k.purpose, decision: k.decision, at: k.at, withdrawnAt: k.withdrawnAt, textVersion: k.textVersion })),
    history: input.history.map((t) => historyRow(t, staffById)),
  };
}
