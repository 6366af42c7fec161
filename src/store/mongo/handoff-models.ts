/**
 * MongoDB documents of the human side: staff accounts, console sessions, tickets, notes,
 * and channel tokens, with their indexes (created at open by createAllIndexes in
 * models.ts, like every other collection's).
 */
import { Schema } from 'mongoose';
import type { Channel, Presence, RiskCategory, StaffRole, TicketReason, TicketStatus } from '../types.js';
import { schemaOptions } from './schema-options.js';

/** A console account. */
export interface StaffDoc {
  id: string;
  /** Trimmed and lowercased: the unique index is then case-insensitive. */
  username: string;
  displayName: string;
  role: StaffRole;
  passwordHash: string;
  teams: string[];
  communeCodes: string[];
  maxOpen: number;
  createdAt: Date;
  presence: Presence;
  presenceAt: Date;
  lastActiveAt: Date | null;
  failedLogins: number;
  lockedUntil: Date | null;
  disabled: boolean;
  /** Absent on accounts from before knowledge editing: false. */
  canEditKnowledge?: boolean;
}

export const staffSchema = new Schema<StaffDoc>(
  {
    id: { type: String, required: true },
    username: { type: String, required: true },
    displayName: { type: String, required: true },
    role: { type: String, required: true, enum: ['counsellor', 'supervisor', 'admin'] },
    passwordHash: { type: String, required: true },
    teams: { type: [String], default: [] },
    communeCodes: { type: [String], default: [] },
    maxOpen: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    presence: { type: String, required: true, enum: ['available', 'away', 'offline'] },
    presenceAt: { type: Date, required: true },
    lastActiveAt: { type: Date, default: null },
    failedLogins: { type: Number, required: true },
    lockedUntil: { type: Date, default: null },
    disabled: { type: Boolean, required: true },
    canEditKnowledge: { type: Boolean, default: false },
  },
  schemaOptions,
);
staffSchema.index({ id: 1 }, { unique: true, name: 'staff_id' });
// Two instances creating the same username: the second insert is refused (duplicate key).
staffSchema.index({ username: 1 }, { unique: true, name: 'staff_username' });
// Idle detection reads the available accounts.
staffSchema.index({ presence: 1, lastActiveAt: 1 }, { name: 'staff_presence' });

/** A console login; `_id` is the SHA-256 of the cookie token. */
export interface StaffSessionDoc {
  _id: string;
  staffId: string;
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
}

export const staffSessionSchema = new Schema<StaffSessionDoc>(
  {
    _id: { type: String, required: true },
    staffId: { type: String, required: true },
    csrfToken: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  schemaOptions,
);
staffSessionSchema.index({ staffId: 1 }, { name: 'staff_sessions_staff' });
// MongoDB deletes expired sessions on its own (within a minute or so); get() never returns
// one in the meantime, it filters on expiresAt.
staffSessionSchema.index({ expiresAt: 1 }, { name: 'staff_sessions_expiry', expireAfterSeconds: 0 });

/** A handoff ticket. */
export interface TicketDoc {
  id: string;
  conversationId: string;
  /** '' (with closeNote null) once anonymised by erasure or retention: the ticket stays as a count. */
  citizenKey: string;
  channel: Channel;
  status: TicketStatus;
  /**
   * True while waiting, assigned or on hold, kept in step with `status` by every write: the
   * partial unique index below names it, since a partial filter on `status: { $in: … }`
   * needs MongoDB 6.0 or later.
   */
  open: boolean;
  priority: number;
  reason: TicketReason;
  riskCategory: RiskCategory | null;
  messageId: string | null;
  team: string;
  provinceCode: string | null;
  communeCode: string | null;
  caseId: string | null;
  raises: number;
  assigneeId: string | null;
  assignedAt: Date | null;
  firstResponseAt: Date | null;
  lastAssigneeId: string | null;
  closedAt: Date | null;
  closedBy: string | null;
  outcome: string | null;
  closeNote: string | null;
  escalatedAt: Date | null;
  reopenedAt: Date | null;
  satisfaction: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export const ticketSchema = new Schema<TicketDoc>(
  {
    id: { type: String, required: true },
    conversationId: { type: String, required: true },
    // Not `required`: mongoose would refuse the '' of an anonymised ticket.
    citizenKey: { type: String },
    channel: { type: String, required: true },
    status: { type: String, required: true, enum: ['waiting', 'assigned', 'on-hold', 'closed', 'abandoned'] },
    open: { type: Boolean, required: true },
    priority: { type: Number, required: true },
    reason: { type: String, required: true },
    riskCategory: { type: String, default: null },
    messageId: { type: String, default: null },
    team: { type: String, required: true },
    provinceCode: { type: String, default: null },
    communeCode: { type: String, default: null },
    caseId: { type: String, default: null },
    raises: { type: Number, required: true },
    assigneeId: { type: String, default: null },
    assignedAt: { type: Date, default: null },
    firstResponseAt: { type: Date, default: null },
    lastAssigneeId: { type: String, default: null },
    closedAt: { type: Date, default: null },
    closedBy: { type: String, default: null },
    outcome: { type: String, default: null },
    closeNote: { type: String, default: null },
    escalatedAt: { type: Date, default: null },
    reopenedAt: { type: Date, default: null },
    satisfaction: { type: Number, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  schemaOptions,
);
ticketSchema.index({ id: 1 }, { unique: true, name: 'tickets_id' });
// At most one open ticket per citizen: two instances opening a citizen's first ticket at once
// both insert and this index refuses the second; a reopen while another is open is refused too.
ticketSchema.index(
  { citizenKey: 1 },
  { unique: true, name: 'tickets_open', partialFilterExpression: { open: true } },
);
// The queue: open tickets, most urgent first, then oldest first.
ticketSchema.index({ open: 1, priority: 1, createdAt: 1 }, { name: 'tickets_queue' });
// A counsellor's open tickets (caps, least-busy routing, "my chats").
ticketSchema.index({ assigneeId: 1, status: 1 }, { name: 'tickets_assignee' });
ticketSchema.index({ conversationId: 1, open: 1 }, { name: 'tickets_conversation' });
// The reopen window: a citizen's most recently closed ticket.
ticketSchema.index({ citizenKey: 1, status: 1, closedAt: -1 }, { name: 'tickets_closed' });
// The numbers: tickets created since a date.
ticketSchema.index({ createdAt: 1 }, { name: 'tickets_created' });
// A citizen's earlier tickets, newest first (the console's history).
ticketSchema.index({ citizenKey: 1, createdAt: -1 }, { name: 'tickets_citizen' });
// Retention: closed and abandoned tickets by when they closed.
ticketSchema.index({ status: 1, closedAt: 1 }, { name: 'tickets_retention' });

/** An internal note of staff on a conversation. */
export interface NoteDoc {
  id: string;
  conversationId: string;
  ticketId: string | null;
  authorId: string;
  text: string;
  createdAt: Date;
}

export const noteSchema = new Schema<NoteDoc>(
  {
    id: { type: String, required: true },
    conversationId: { type: String, required: true },
    ticketId: { type: String, default: null },
    authorId: { type: String, required: true },
    // `required` would reject an empty note; what to accept is the console's decision.
    text: { type: String },
    createdAt: { type: Date, required: true },
  },
  schemaOptions,
);
noteSchema.index({ id: 1 }, { unique: true, name: 'notes_id' });
noteSchema.index({ conversationId: 1, createdAt: 1 }, { name: 'notes_conversation' });
// Retention sweeps delete the oldest notes.
noteSchema.index({ createdAt: 1 }, { name: 'notes_age' });

/**
 * One platform account's OAuth tokens; `_id` is the key ('zalo:<app id>'). Token fields
 * hold ciphertext (encrypted before they reach the store); every write after the seed is
 * conditional on `refreshFingerprint`.
 */
export interface ChannelTokenDoc {
  _id: string;
  accessToken: string | null;
  accessExpiresAt: Date | null;
  refreshToken: string;
  refreshFingerprint: string;
  issuedAt: Date;
  version: number;
  status: 'ok' | 'needs-reconnect';
  statusReason: string | null;
  pendingAnswer: string | null;
  pendingFor: string | null;
  pendingAt: Date | null;
  updatedAt: Date;
}

export const channelTokenSchema = new Schema<ChannelTokenDoc>(
  {
    _id: { type: String, required: true },
    accessToken: { type: String, default: null },
    accessExpiresAt: { type: Date, default: null },
    refreshToken: { type: String, required: true },
    refreshFingerprint: { type: String, required: true },
    issuedAt: { type: Date, required: true },
    version: { type: Number, required: true },
    status: { type: String, required: true },
    statusReason: { type: String, default: null },
    pendingAnswer: { type: String, default: null },
    pendingFor: { type: String, default: null },
    pendingAt: { type: Date, default: null },
    updatedAt: { type: Date, required: true },
  },
  schemaOptions,
);
