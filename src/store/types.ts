/**
 * Repository interfaces: everything the assistant keeps. Each has a SQLite
 * implementation (embedded, one machine) and a MongoDB one (province, several app
 * instances); tests/store.contract.test.ts holds both to the same behaviour.
 *
 * Anything that must happen once across instances is a conditional write inside the
 * store (unique index, compare-and-set), never a check in process memory.
 */
import type { Storage } from 'botbuilder';
import type { ChannelTokenRepository } from './channel-token-types.js';
import type { MessageRepository } from './message-types.js';
import type { MediaRepository } from './media-types.js';
import type { EmbeddingRepository } from './embedding-types.js';
import type { KnowledgeVersionRepository, PolicyVersionRepository } from './kb-version-types.js';
import type { UnansweredRepository } from './unanswered-types.js';
import type { NoteRepository, SessionRepository, StaffRepository, TicketRepository } from './handoff-types.js';

export * from './message-types.js';
export * from './channel-token-types.js';
export * from './handoff-types.js';
export * from './media-types.js';
export * from './embedding-types.js';
export * from './kb-version-types.js';
export * from './unanswered-types.js';

export const CHANNELS = ['webchat', 'telegram', 'messenger', 'zalo'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Who the conversation is with, in the platform's own ids. */
export interface ConversationAddress {
  channel: Channel;
  /** The platform's id of the citizen (Telegram user id, PSID, Zalo user id, web user). */
  userId: string;
  /** The platform's id of the chat (Telegram chat id, Direct Line conversation id). */
  chatId: string;
}

/**
 * Who is answering the conversation now: the bot, the queue (a ticket waits), a counsellor,
 * or nobody (closed). A list so that input naming a status (the console's filters) can be checked.
 */
export const CONVERSATION_STATUSES = ['bot', 'queued', 'assigned', 'closed'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

export const RISK_CATEGORIES = ['tu-hai', 'xam-hai-tre-em', 'bao-luc', 'mua-ban-nguoi', 'cap-cuu', 'bo-roi'] as const;
export type RiskCategory = (typeof RISK_CATEGORIES)[number];
/** 'check-in': ambiguous distress, the bot asked; 'urgent': danger now, head of the queue. */
export type RiskLevel = 'check-in' | 'urgent';

/** Why a conversation is at risk: kept on the conversation until a counsellor closes it. */
export interface ConversationRisk {
  level: RiskLevel;
  /** Urgent: the category. Check-in: the category the signs lean to, if any. */
  category: RiskCategory | null;
  /** When this level was reached. */
  at: Date;
  /** The stored inbound message (StoredMessage.id) that raised it; null when raised by a timer. */
  messageId: string | null;
}

export interface Conversation extends ConversationAddress {
  id: string;
  /** botbuilder ConversationReference as JSON, to message the citizen later. */
  reference: Record<string, unknown>;
  status: ConversationStatus;
  createdAt: Date;
  updatedAt: Date;
  /** Last message from the citizen: platform messaging windows count from it. */
  lastInboundAt: Date | null;
  /** Why the conversation is at risk; null for new conversations. */
  risk: ConversationRisk | null;
  /**
   * The channel refused for good to carry messages to this citizen (blocked the bot,
   * closed messaging window, invalid recipient): the outbox stops sending and counsellors
   * see why. Cleared when the citizen writes again.
   */
  undeliverable: { reason: string; at: Date } | null;
}

export interface ConversationRepository {
  /** Finds the conversation at this address or creates it; refreshes the reference. */
  upsert(address: ConversationAddress, reference: Record<string, unknown>, now: Date): Promise<Conversation>;
  get(id: string): Promise<Conversation | null>;
  findByAddress(address: ConversationAddress): Promise<Conversation | null>;
  /** Every conversation of one platform account on one channel (a citizen's data rights). */
  listByUser(channel: Channel, userId: string): Promise<Conversation[]>;
  setStatus(id: string, status: ConversationStatus, now: Date): Promise<void>;
  /** The citizen wrote: lastInboundAt moves, and an `undeliverable` mark is cleared (they can be reached again). */
  touchInbound(id: string, now: Date): Promise<void>;
  /** The outbox met a permanent refusal: marks the conversation until the citizen writes again. */
  markUndeliverable(id: string, reason: string, at: Date): Promise<void>;
  /**
   * Sets the risk only if it is HIGHER than the current one (none < check-in < urgent):
   * a compare-and-set on the current level, so of several instances raising the same
   * conversation at once exactly one gets true for each level change. Returns false and
   * changes nothing when the current level is equal or higher (an urgent risk is never
   * replaced, not even by another urgent category). Also updates updatedAt when it changes.
   */
  raiseRisk(id: string, risk: ConversationRisk, now: Date): Promise<boolean>;
  /**
   * The citizen said they are safe: a 'check-in' risk becomes null. Never clears an
   * 'urgent' one (returns false then).
   */
  clearCheckIn(id: string, now: Date): Promise<boolean>;
  /**
   * Conversations whose risk level is 'check-in', raised at or before `raisedBefore`, and
   * status not 'closed', oldest first. (A scheduler escalates unanswered check-ins with raiseRisk.)
   */
  listCheckInsDue(raisedBefore: Date, limit?: number): Promise<Conversation[]>;
  /**
   * Conversations in these statuses (default: any), most recently updated first, at most
   * `limit` (default 100; negative: no limit). For the console, where supervisors look for
   * conversations the bot is handling that a person should take over (status 'bot').
   */
  listRecent(filter?: {
    statuses?: readonly ConversationStatus[];
    limit?: number;
    /** Only conversations where the citizen has written (not a web chat opened and left after the greeting). */
    citizenWrote?: boolean;
  }): Promise<Conversation[]>;
}

export interface AuditEvent {
  at: Date;
  /** 'system', 'bot', or a staff account id; never a citizen's personal data. */
  actor: string;
  action: string;
  subject: string;
  detail?: Record<string, unknown>;
}

export interface AuditRepository {
  append(event: AuditEvent): Promise<void>;
  list(filter?: { subject?: string; action?: string; limit?: number }): Promise<AuditEvent[]>;
}

/** What a citizen agreed to, separately: intake and support; being called back; a guardian's agreement for a child. */
export const CONSENT_PURPOSES = ['intake', 'callback', 'guardian'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/**
 * The citizen as a data subject: one platform account on one channel ("telegram:123").
 * Data rights ("xem", "xóa thông tin của tôi") act on everything kept under this key.
 */
export const citizenKeyOf = (address: Pick<ConversationAddress, 'channel' | 'userId'>): string => `${address.channel}:${address.userId}`;

export interface NewConsent {
  citizenKey: string;
  conversationId: string;
  channel: Channel;
  purpose: ConsentPurpose;
  decision: 'granted' | 'declined';
  /** Version of the notice the citizen was shown (config CONSENT_TEXT_VERSION). */
  textVersion: string;
  at: Date;
}

export interface ConsentRecord extends NewConsent {
  id: string;
  withdrawnAt: Date | null;
}

export interface ConsentRepository {
  record(consent: NewConsent): Promise<ConsentRecord>;
  /** Every record of a citizen, newest first (withdrawn ones too). */
  listByCitizen(citizenKey: string): Promise<ConsentRecord[]>;
  /**
   * The citizen withdraws: every granted, not yet withdrawn record (of one purpose, or
   * all) gets `withdrawnAt`. Returns how many changed.
   */
  withdraw(citizenKey: string, now: Date, purpose?: ConsentPurpose): Promise<number>;
  /** Erasure: the records stay as counts, with citizenKey and conversationId emptied (''). */
  anonymiseCitizen(citizenKey: string): Promise<number>;
  /** Retention: records made before `cutoff` are anonymised the same way. */
  anonymiseBefore(cutoff: Date): Promise<number>;
}

export type CaseStatus = 'received' | 'in-progress' | 'closed';

/** A finished intake (phiếu tiếp nhận). Personal fields are null once erased. */
export interface NewCase {
  citizenKey: string;
  conversationId: string;
  channel: Channel;
  who: 'self' | 'relative' | 'other';
  group: string;
  need: string;
  provinceCode: string;
  communeCode: string;
  age: number | null;
  /** E.164, only under the call-back consent. */
  phone: string | null;
  description: string | null;
  riskLevel: RiskLevel | null;
  riskCategory: RiskCategory | null;
  /** The consent records it was gathered under. */
  consentIds: string[];
  createdAt: Date;
}

export interface CaseRecord extends Omit<NewCase, 'citizenKey' | 'conversationId' | 'provinceCode' | 'communeCode'> {
  id: string;
  /** Readable, told to the citizen: CTXH-2026-000123 (per-year sequence, never reused). */
  code: string;
  status: CaseStatus;
  updatedAt: Date;
  /** Null once erased or past retention. */
  citizenKey: string | null;
  conversationId: string | null;
  provinceCode: string | null;
  communeCode: string | null;
  erasedAt: Date | null;
}

export interface CaseRepository {
  /** Stores the case under the next code of its year (atomic across instances). */
  create(c: NewCase): Promise<CaseRecord>;
  get(id: string): Promise<CaseRecord | null>;
  /** By code, case-insensitively ("ctxh-2026-000123"). */
  getByCode(code: string): Promise<CaseRecord | null>;
  listByCitizen(citizenKey: string): Promise<CaseRecord[]>;
  setStatus(id: string, status: CaseStatus, now: Date): Promise<boolean>;
  /**
   * Erasure: every case of the citizen keeps its code, group, need, province, status and
   * dates (counts), and loses citizenKey, conversationId, commune, age, phone,
   * description and consentIds; erasedAt is set. Returns how many changed.
   */
  eraseCitizen(citizenKey: string, now: Date): Promise<number>;
  /** Retention: the same erasure for cases created before `cutoff` and not yet erased. */
  eraseBefore(cutoff: Date, now: Date): Promise<number>;
}

/** A short exclusive right to do something once across instances (scheduled purges). */
export interface LeaseRepository {
  /** True when `holder` now holds `name` until `until` (free, expired, or already its own). */
  acquire(name: string, holder: string, now: Date, until: Date): Promise<boolean>;
  release(name: string, holder: string): Promise<void>;
}


export interface Store {
  readonly kind: 'sqlite' | 'mongo';
  conversations: ConversationRepository;
  messages: MessageRepository;
  /** botbuilder Storage with eTag optimistic concurrency, for dialog and turn state. */
  botState: Storage;
  audit: AuditRepository;
  tickets: TicketRepository;
  staff: StaffRepository;
  sessions: SessionRepository;
  notes: NoteRepository;
  consents: ConsentRepository;
  cases: CaseRepository;
  leases: LeaseRepository;
  /** Platform OAuth tokens (Zalo OA), encrypted by the caller. */
  channelTokens: ChannelTokenRepository;
  /** Files citizens sent through the web chat (photos, voice notes). */
  media: MediaRepository;
  /** The live knowledge as staff write, review and schedule it (src/kb/versions.ts decides what is in force). */
  knowledgeVersions: KnowledgeVersionRepository;
  /** Policy values with dates (amounts many entries share), versioned and reviewed like entries. */
  policyVersions: PolicyVersionRepository;
  /** Questions the bot could not answer, grouped and masked, for staff to turn into knowledge. */
  unanswered: UnansweredRepository;
  /** Vectors of the knowledge from an embeddings model, when one is configured (src/kb/semantic.ts). */
  embeddings: EmbeddingRepository;
  /**
   * Resolves once every write made so far is durable: the embedded store commits the
   * writes of one event-loop task together (src/store/sqlite/write-batch.ts); MongoDB has
   * acknowledged each write already. Await it before telling anyone something was kept.
   */
  committed(): Promise<void>;
  close(): Promise<void>;
}

/** Thrown by botState.write when another writer changed the item first. */
export class ETagConflictError extends Error {
  constructor(key: string) {
    super(`Storage: error writing "${key}" due to eTag conflict.`);
    this.name = 'ETagConflictError';
  }
}
