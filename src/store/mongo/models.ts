/**
 * MongoDB collections of the store, with their indexes declared here and created
 * explicitly at open (Model.createIndexes), never by mongoose on its own: jongodb, the
 * in-process server the tests use, has no `create` or `listCollections` command, and in
 * production index builds should be an explicit step too.
 *
 * Free-form JSON (conversation references, activities, bot state, knowledge entries,
 * audit details) is kept as a JSON string: keys with '.' or '$' then cannot break a
 * write, and what comes back is exactly what the SQLite store gives back.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type {
  CaseStatus,
  Channel,
  ConsentPurpose,
  ConversationStatus,
  DeliveryStatus,
  Direction,
  RiskCategory,
  RiskLevel,
} from '../types.js';
import { staffSchema, staffSessionSchema, ticketSchema, noteSchema, channelTokenSchema, type StaffDoc, type StaffSessionDoc, type TicketDoc, type NoteDoc, type ChannelTokenDoc } from './handoff-models.js';
import { schemaOptions } from './schema-options.js';

export * from './handoff-models.js';

/**
 * Named sequences: `messages` and `audit` (ordering), `conversation:<id>` (positions),
 * `case-<year>` (case codes).
 */
export interface CounterDoc {
  _id: string;
  seq: number;
}

export const counterSchema = new Schema<CounterDoc>(
  {
    _id: { type: String, required: true },
    seq: { type: Number, required: true },
  },
  schemaOptions,
);

export interface ConversationDoc {
  id: string;
  channel: Channel;
  userId: string;
  chatId: string;
  /** botbuilder ConversationReference, JSON. */
  reference: string;
  status: ConversationStatus;
  createdAt: Date;
  updatedAt: Date;
  lastInboundAt: Date | null;
  /**
   * The ConversationRisk, flat so that filters and the index name plain fields. Null, or
   * missing on documents stored before risks existed, when there is none.
   */
  riskLevel?: RiskLevel | null;
  riskCategory?: RiskCategory | null;
  riskAt?: Date | null;
  riskMessageId?: string | null;
  /** Conversation.undeliverable, flat; null, or missing on documents stored before it existed, when not set. */
  undeliverableReason?: string | null;
  undeliverableAt?: Date | null;
}

export const conversationSchema = new Schema<ConversationDoc>(
  {
    id: { type: String, required: true },
    channel: { type: String, required: true },
    userId: { type: String, required: true },
    chatId: { type: String, required: true },
    reference: { type: String, required: true },
    status: { type: String, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    lastInboundAt: { type: Date },
    riskLevel: { type: String, enum: ['check-in', 'urgent'] },
    riskCategory: { type: String },
    riskAt: { type: Date },
    riskMessageId: { type: String },
    undeliverableReason: { type: String },
    undeliverableAt: { type: Date },
  },
  schemaOptions,
);
conversationSchema.index({ id: 1 }, { unique: true, name: 'conversations_id' });
conversationSchema.index({ channel: 1, chatId: 1, userId: 1 }, { unique: true, name: 'conversations_address' });
conversationSchema.index({ status: 1, updatedAt: 1 }, { name: 'conversations_status' });
// The console's list of recent conversations, newest first.
conversationSchema.index({ updatedAt: -1, id: -1 }, { name: 'conversations_recent' });
// A citizen's conversations on one channel (data rights: see, erase).
conversationSchema.index({ channel: 1, userId: 1, createdAt: 1 }, { name: 'conversations_user' });
// Check-ins waiting for an answer, oldest first, for the scheduler that escalates them.
conversationSchema.index({ riskLevel: 1, riskAt: 1 }, { name: 'conversations_risk' });

export interface MessageDoc {
  id: string;
  seq: number;
  position: number;
  conversationId: string;
  channel: Channel;
  direction: Direction;
  platformMessageId: string | null;
  text: string;
  /** The Activity, JSON. */
  activity: string;
  createdAt: Date;
  handledAt: Date | null;
  claimedUntil?: Date | null;
  /** True once redact() emptied the text and reduced the activity; missing before. */
  redacted?: boolean;
  /**
   * Outbound only, the Delivery flat: null on inbound messages; missing on outbound ones
   * stored before the outbox existed (they went out inline: read as sent).
   */
  deliveryStatus?: DeliveryStatus | null;
  attempts?: number;
  nextAttemptAt?: Date | null;
  deliveryError?: string | null;
  sentAt?: Date | null;
  /** The inbound message whose turn wrote it and its index in that turn; null outside a turn and on inbound. */
  replyTo?: string | null;
  replyIndex?: number | null;
}

export const messageSchema = new Schema<MessageDoc>(
  {
    id: { type: String, required: true },
    seq: { type: Number, required: true },
    position: { type: Number, required: true },
    conversationId: { type: String, required: true },
    channel: { type: String, required: true },
    direction: { type: String, required: true, enum: ['in', 'out'] },
    platformMessageId: { type: String, default: null },
    // `required` would reject the empty string, which is a valid (if odd) message text.
    text: { type: String },
    activity: { type: String, required: true },
    createdAt: { type: Date, required: true },
    handledAt: { type: Date, default: null },
    claimedUntil: { type: Date, default: null },
    redacted: { type: Boolean },
    deliveryStatus: { type: String, enum: ['queued', 'sending', 'sent', 'failed', 'unconfirmed'], default: null },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, default: null },
    deliveryError: { type: String, default: null },
    sentAt: { type: Date, default: null },
    replyTo: { type: String, default: null },
    replyIndex: { type: Number, default: null },
  },
  schemaOptions,
);
messageSchema.index({ id: 1 }, { unique: true, name: 'messages_id' });
messageSchema.index({ seq: 1 }, { unique: true, name: 'messages_seq' });
// The dedup key of redelivered webhooks; messages without a platform id are not in it.
messageSchema.index(
  { channel: 1, direction: 1, platformMessageId: 1 },
  {
    unique: true,
    name: 'messages_platform_id',
    partialFilterExpression: { platformMessageId: { $type: 'string' } },
  },
);
// Unique: two instances that were handed the same position cannot both insert it.
messageSchema.index({ conversationId: 1, position: 1 }, { unique: true, name: 'messages_position' });
messageSchema.index({ direction: 1, handledAt: 1, seq: 1 }, { name: 'messages_unhandled' });
// Retention sweeps read the oldest messages first.
messageSchema.index({ createdAt: 1, seq: 1 }, { name: 'messages_age' });
// A turn run again after a crash writes the same (replyTo, replyIndex): the second insert is
// refused and the first one's message returned. Messages outside a turn are not in it.
messageSchema.index(
  { replyTo: 1, replyIndex: 1 },
  { unique: true, name: 'messages_reply', partialFilterExpression: { replyTo: { $type: 'string' } } },
);
// The outbox: every queued or sending message (listOutboxDue), and a conversation's ones in
// order (nextOutbound). Not partial: a partial filter on `deliveryStatus: { $in: … }` needs
// MongoDB 6.0 or later; sent and inbound messages sit in it under their own keys, unread.
messageSchema.index({ deliveryStatus: 1, conversationId: 1, position: 1 }, { name: 'messages_outbox' });

/** botbuilder Storage item; `_id` is the storage key, any string. */
export interface BotStateDoc {
  _id: string;
  etag: string;
  /** The item without its eTag, JSON. */
  data: string;
}

export const botStateSchema = new Schema<BotStateDoc>(
  {
    _id: { type: String, required: true },
    etag: { type: String, required: true },
    data: { type: String, required: true },
  },
  schemaOptions,
);

export interface AuditEventDoc {
  seq: number;
  at: Date;
  actor: string;
  action: string;
  subject: string;
  /** JSON, or null when the event has no detail. */
  detail: string | null;
}

export const auditEventSchema = new Schema<AuditEventDoc>(
  {
    seq: { type: Number, required: true },
    at: { type: Date, required: true },
    actor: { type: String, required: true },
    action: { type: String, required: true },
    subject: { type: String, required: true },
    detail: { type: String, default: null },
  },
  schemaOptions,
);
auditEventSchema.index({ seq: 1 }, { unique: true, name: 'audit_seq' });
auditEventSchema.index({ subject: 1, seq: 1 }, { name: 'audit_subject' });
auditEventSchema.index({ action: 1, seq: 1 }, { name: 'audit_action' });

export interface ConsentDoc {
  id: string;
  /** '' (with conversationId '') once anonymised: the record stays as a count. */
  citizenKey: string;
  conversationId: string;
  channel: Channel;
  purpose: ConsentPurpose;
  decision: 'granted' | 'declined';
  textVersion: string;
  at: Date;
  withdrawnAt: Date | null;
}

export const consentSchema = new Schema<ConsentDoc>(
  {
    id: { type: String, required: true },
    // Not `required`: mongoose would refuse the '' of an anonymised record.
    citizenKey: { type: String },
    conversationId: { type: String },
    channel: { type: String, required: true },
    purpose: { type: String, required: true, enum: ['intake', 'callback', 'guardian'] },
    decision: { type: String, required: true, enum: ['granted', 'declined'] },
    textVersion: { type: String, required: true },
    at: { type: Date, required: true },
    withdrawnAt: { type: Date, default: null },
  },
  schemaOptions,
);
consentSchema.index({ id: 1 }, { unique: true, name: 'consents_id' });
consentSchema.index({ citizenKey: 1, at: -1 }, { name: 'consents_citizen' });
consentSchema.index({ at: 1 }, { name: 'consents_at' });

/** A case; the personal fields are null (consentIds empty) once erased. */
export interface CaseDoc {
  id: string;
  /** Uppercase, CTXH-<year>-<6 digits>. */
  code: string;
  status: CaseStatus;
  channel: Channel;
  who: 'self' | 'relative' | 'other';
  group: string;
  need: string;
  provinceCode: string | null;
  riskLevel: RiskLevel | null;
  riskCategory: RiskCategory | null;
  createdAt: Date;
  updatedAt: Date;
  citizenKey: string | null;
  conversationId: string | null;
  communeCode: string | null;
  age: number | null;
  phone: string | null;
  description: string | null;
  consentIds: string[];
  erasedAt: Date | null;
}

export const caseSchema = new Schema<CaseDoc>(
  {
    id: { type: String, required: true },
    code: { type: String, required: true },
    status: { type: String, required: true, enum: ['received', 'in-progress', 'closed'] },
    channel: { type: String, required: true },
    who: { type: String, required: true, enum: ['self', 'relative', 'other'] },
    group: { type: String, required: true },
    need: { type: String, required: true },
    provinceCode: { type: String, default: null },
    riskLevel: { type: String, default: null },
    riskCategory: { type: String, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    citizenKey: { type: String, default: null },
    conversationId: { type: String, default: null },
    communeCode: { type: String, default: null },
    age: { type: Number, default: null },
    phone: { type: String, default: null },
    description: { type: String, default: null },
    consentIds: { type: [String], default: [] },
    erasedAt: { type: Date, default: null },
  },
  schemaOptions,
);
caseSchema.index({ id: 1 }, { unique: true, name: 'cases_id' });
// Two instances handed the same number cannot both insert it.
caseSchema.index({ code: 1 }, { unique: true, name: 'cases_code' });
caseSchema.index({ citizenKey: 1, createdAt: 1 }, { name: 'cases_citizen' });
// Retention: cases not yet erased, oldest first.
caseSchema.index({ erasedAt: 1, createdAt: 1 }, { name: 'cases_retention' });

/** A lease; `_id` is its name, so there is one document per name. */
export interface LeaseDoc {
  _id: string;
  holder: string;
  until: Date;
}

export const leaseSchema = new Schema<LeaseDoc>(
  {
    _id: { type: String, required: true },
    holder: { type: String, required: true },
    until: { type: Date, required: true },
  },
  schemaOptions,
);

export interface MongoModels {
  counters: Model<CounterDoc>;
  conversations: Model<ConversationDoc>;
  messages: Model<MessageDoc>;
  botState: Model<BotStateDoc>;
  audit: Model<AuditEventDoc>;
  consents: Model<ConsentDoc>;
  cases: Model<CaseDoc>;
  leases: Model<LeaseDoc>;
  staff: Model<StaffDoc>;
  sessions: Model<StaffSessionDoc>;
  tickets: Model<TicketDoc>;
  notes: Model<NoteDoc>;
  channelTokens: Model<ChannelTokenDoc>;
}

/** Registers the models on a dedicated connection (never mongoose's global one). */
export function defineModels(conn: Connection): MongoModels {
  return {
    counters: conn.model<CounterDoc>('Counter', counterSchema, 'counters'),
    conversations: conn.model<ConversationDoc>('Conversation', conversationSchema, 'conversations'),
    messages: conn.model<MessageDoc>('Message', messageSchema, 'messages'),
    botState: conn.model<BotStateDoc>('BotState', botStateSchema, 'bot_state'),
    audit: conn.model<AuditEventDoc>('AuditEvent', auditEventSchema, 'audit_events'),
    consents: conn.model<ConsentDoc>('Consent', consentSchema, 'consents'),
    cases: conn.model<CaseDoc>('Case', caseSchema, 'cases'),
    leases: conn.model<LeaseDoc>('Lease', leaseSchema, 'leases'),
    staff: conn.model<StaffDoc>('Staff', staffSchema, 'staff'),
    sessions: conn.model<StaffSessionDoc>('StaffSession', staffSessionSchema, 'staff_sessions'),
    tickets: conn.model<TicketDoc>('Ticket', ticketSchema, 'tickets'),
    notes: conn.model<NoteDoc>('Note', noteSchema, 'notes'),
    channelTokens: conn.model<ChannelTokenDoc>('ChannelToken', channelTokenSchema, 'channel_tokens'),
  };
}

/** Creates every declared index; idempotent, so it runs at each open. */
export async function createAllIndexes(models: MongoModels): Promise<void> {
  // One at a time: jongodb is not safe under concurrent commands.
  for (const model of Object.values(models) as Model<unknown>[]) {
    await model.createIndexes();
  }
}
