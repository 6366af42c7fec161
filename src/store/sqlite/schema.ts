/**
 * SQLite schema with its indexes, applied idempotently at open. A data file written by an
 * earlier version is first brought up to it by migrate() in sqlite-store.ts (columns
 * added to existing tables); new tables need no migration step, CREATE … IF NOT EXISTS
 * adds them.
 */
export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS conversations (
  id TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  user_id TEXT NOT NULL,
  chat_id TEXT NOT NULL,
  reference TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'bot',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_inbound_at INTEGER,
  risk_level TEXT CHECK (risk_level IN ('check-in', 'urgent')),
  risk_category TEXT,
  risk_at INTEGER,
  risk_message_id TEXT,
  -- The channel refused for good to reach the citizen (blocked, window closed); cleared when they write.
  undeliverable_reason TEXT,
  undeliverable_at INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS conversations_address ON conversations(channel, chat_id, user_id);
CREATE INDEX IF NOT EXISTS conversations_status ON conversations(status, updated_at);
-- The console's list of recent conversations, newest first (read backwards).
CREATE INDEX IF NOT EXISTS conversations_recent ON conversations(updated_at, id);
-- A citizen's conversations on one channel (data rights: see, erase).
CREATE INDEX IF NOT EXISTS conversations_user ON conversations(channel, user_id, created_at);
-- Check-ins waiting for an answer, for the scheduler that escalates them.
CREATE INDEX IF NOT EXISTS conversations_check_ins ON conversations(risk_at) WHERE risk_level = 'check-in';

CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  conversation_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  channel TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  platform_message_id TEXT,
  text TEXT NOT NULL,
  activity TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  handled_at INTEGER,
  claimed_until INTEGER,
  -- 1 once redact() emptied the text and reduced the activity (erasure, retention).
  redacted INTEGER NOT NULL DEFAULT 0,
  -- Outbound only (NULL on inbound rows): the outbox's state of the message.
  delivery_status TEXT CHECK (delivery_status IN ('queued', 'sending', 'sent', 'failed', 'unconfirmed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  delivery_error TEXT,
  sent_at INTEGER,
  -- The inbound message whose turn wrote it, and its index in that turn: a turn run again stores nothing twice.
  reply_to TEXT,
  reply_index INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS messages_platform_id
  ON messages(channel, direction, platform_message_id) WHERE platform_message_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS messages_position ON messages(conversation_id, position);
-- Inbound messages whose turn has not run yet, oldest first (the recovery after a crash).
-- Only inbound rows: outbound rows are never handled and would fill it (an older file's
-- index over both directions is dropped).
DROP INDEX IF EXISTS messages_unhandled;
CREATE INDEX IF NOT EXISTS messages_inbound_unhandled ON messages(seq) WHERE direction = 'in' AND handled_at IS NULL;
-- Retention sweeps read the oldest messages first.
CREATE INDEX IF NOT EXISTS messages_age ON messages(created_at);
-- A turn run again after a crash writes the same (reply_to, reply_index): the row stored the first time is kept.
CREATE UNIQUE INDEX IF NOT EXISTS messages_reply ON messages(reply_to, reply_index) WHERE reply_to IS NOT NULL;
-- The outbox: messages not yet sent, per conversation in order (the head is the next to send).
CREATE INDEX IF NOT EXISTS messages_outbox
  ON messages(conversation_id, position) WHERE delivery_status IN ('queued', 'sending');

CREATE TABLE IF NOT EXISTS bot_state (
  key TEXT PRIMARY KEY,
  etag TEXT NOT NULL,
  data TEXT NOT NULL
);

-- knowledge_versions (a copy of the folder, synced at every start) was replaced by kb_versions;
-- older files keep the table, unread.

CREATE TABLE IF NOT EXISTS audit_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX IF NOT EXISTS audit_subject ON audit_events(subject, seq);
CREATE INDEX IF NOT EXISTS audit_action ON audit_events(action, seq);

CREATE TABLE IF NOT EXISTS consents (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  -- '' (with conversation_id '') once anonymised: the record stays as a count.
  citizen_key TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  purpose TEXT NOT NULL CHECK (purpose IN ('intake', 'callback', 'guardian')),
  decision TEXT NOT NULL CHECK (decision IN ('granted', 'declined')),
  text_version TEXT NOT NULL,
  at INTEGER NOT NULL,
  withdrawn_at INTEGER
);
CREATE INDEX IF NOT EXISTS consents_citizen ON consents(citizen_key, at);
CREATE INDEX IF NOT EXISTS consents_at ON consents(at);

-- One row per year: the last case number handed out in it (never reused).
CREATE TABLE IF NOT EXISTS case_counters (
  year INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS cases (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  -- Uppercase, CTXH-<year>-<6 digits>.
  code TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL CHECK (status IN ('received', 'in-progress', 'closed')),
  channel TEXT NOT NULL,
  who TEXT NOT NULL,
  group_name TEXT NOT NULL,
  need TEXT NOT NULL,
  province_code TEXT,
  risk_level TEXT,
  risk_category TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  -- Personal fields: NULL (consent_ids '[]') once erased.
  citizen_key TEXT,
  conversation_id TEXT,
  commune_code TEXT,
  age INTEGER,
  phone TEXT,
  description TEXT,
  consent_ids TEXT NOT NULL,
  erased_at INTEGER
);
CREATE INDEX IF NOT EXISTS cases_citizen ON cases(citizen_key, created_at) WHERE citizen_key IS NOT NULL;
-- Retention: cases not yet erased, oldest first.
CREATE INDEX IF NOT EXISTS cases_retention ON cases(created_at) WHERE erased_at IS NULL;

CREATE TABLE IF NOT EXISTS leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  until INTEGER NOT NULL
);

-- Console accounts. username is stored trimmed and lowercased: UNIQUE is then case-insensitive.
CREATE TABLE IF NOT EXISTS staff (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('counsellor', 'supervisor', 'admin')),
  password_hash TEXT NOT NULL,
  -- JSON arrays of team ids and commune codes.
  teams TEXT NOT NULL,
  commune_codes TEXT NOT NULL,
  max_open INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  presence TEXT NOT NULL CHECK (presence IN ('available', 'away', 'offline')),
  presence_at INTEGER NOT NULL,
  last_active_at INTEGER,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER,
  disabled INTEGER NOT NULL DEFAULT 0,
  can_edit_knowledge INTEGER NOT NULL DEFAULT 0
);
-- Idle detection reads the available accounts.
CREATE INDEX IF NOT EXISTS staff_presence ON staff(presence, last_active_at);

-- Console logins, by the SHA-256 of the cookie token (the token itself is never stored).
CREATE TABLE IF NOT EXISTS staff_sessions (
  token_hash TEXT PRIMARY KEY,
  staff_id TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS staff_sessions_staff ON staff_sessions(staff_id);
CREATE INDEX IF NOT EXISTS staff_sessions_expiry ON staff_sessions(expires_at);

-- Handoff tickets: a citizen's request to reach a human, through the queue to its outcome.
CREATE TABLE IF NOT EXISTS tickets (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  conversation_id TEXT NOT NULL,
  -- '' (with close_note NULL) once anonymised by erasure or retention: the ticket stays as a count.
  citizen_key TEXT NOT NULL,
  channel TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('waiting', 'assigned', 'on-hold', 'closed', 'abandoned')),
  priority INTEGER NOT NULL,
  reason TEXT NOT NULL,
  risk_category TEXT,
  message_id TEXT,
  team TEXT NOT NULL,
  province_code TEXT,
  commune_code TEXT,
  case_id TEXT,
  raises INTEGER NOT NULL,
  assignee_id TEXT,
  assigned_at INTEGER,
  first_response_at INTEGER,
  last_assignee_id TEXT,
  closed_at INTEGER,
  closed_by TEXT,
  outcome TEXT,
  close_note TEXT,
  escalated_at INTEGER,
  reopened_at INTEGER,
  satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 3),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
-- At most one open ticket per citizen: the conflict target of open(), the guard of reopen().
CREATE UNIQUE INDEX IF NOT EXISTS tickets_open
  ON tickets(citizen_key) WHERE status IN ('waiting', 'assigned', 'on-hold');
-- The queue: most urgent first, then oldest first.
CREATE INDEX IF NOT EXISTS tickets_queue
  ON tickets(priority, created_at, seq) WHERE status IN ('waiting', 'assigned', 'on-hold');
-- A counsellor's open tickets (caps, least-busy routing, "my chats").
CREATE INDEX IF NOT EXISTS tickets_assignee ON tickets(assignee_id, status) WHERE assignee_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS tickets_conversation ON tickets(conversation_id, status);
-- The reopen window: a citizen's most recently closed ticket.
CREATE INDEX IF NOT EXISTS tickets_closed ON tickets(citizen_key, closed_at) WHERE status = 'closed';
-- The numbers: tickets created since a date.
CREATE INDEX IF NOT EXISTS tickets_created ON tickets(created_at, seq);
-- A citizen's earlier tickets, newest first (the console's history).
CREATE INDEX IF NOT EXISTS tickets_citizen ON tickets(citizen_key, created_at, seq);
-- Retention: closed and abandoned tickets not yet anonymised, by when they closed.
CREATE INDEX IF NOT EXISTS tickets_retention ON tickets(closed_at) WHERE citizen_key <> '';

-- Internal notes of staff on a conversation; never sent to the citizen.
CREATE TABLE IF NOT EXISTS notes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  conversation_id TEXT NOT NULL,
  ticket_id TEXT,
  author_id TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_conversation ON notes(conversation_id, created_at, seq);
-- Retention sweeps delete the oldest notes.
CREATE INDEX IF NOT EXISTS notes_age ON notes(created_at);

-- Platform OAuth tokens (the Zalo OA's), one row per account. Token columns hold ciphertext
-- (AES-256-GCM, encrypted before they reach the store); refresh_fingerprint is a keyed hash
-- of the refresh token, the condition of every write after the first.
CREATE TABLE IF NOT EXISTS channel_tokens (
  key TEXT PRIMARY KEY,
  access_token TEXT,
  access_expires_at INTEGER,
  refresh_token TEXT NOT NULL,
  refresh_fingerprint TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  version INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ok', 'needs-reconnect')),
  status_reason TEXT,
  -- A refresh answer (ciphertext) written before its rotation, and the refresh token it answered.
  pending_answer TEXT,
  pending_for TEXT,
  pending_at INTEGER,
  updated_at INTEGER NOT NULL
);

-- Vectors of the knowledge from an embeddings model (src/kb/semantic.ts), by content key
-- (a hash of the model and the text embedded): each entry is embedded once. float32 bytes.
CREATE TABLE IF NOT EXISTS embeddings (
  key TEXT PRIMARY KEY,
  dims INTEGER NOT NULL,
  vector BLOB NOT NULL,
  created_at INTEGER NOT NULL
);

-- Files citizens sent through the web chat (photos, voice notes): the bytes, and the
-- conversation they go with when it is erased. Never changed, only added and deleted.
CREATE TABLE IF NOT EXISTS media (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  content_type TEXT NOT NULL,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS media_conversation ON media(conversation_id);
-- Retention sweeps delete the oldest files first.
CREATE INDEX IF NOT EXISTS media_age ON media(created_at);

-- Knowledge as staff write and review it: every version kept (entry NULL withdraws an
-- entry); the live base is the approved versions in force (src/kb/versions.ts).
CREATE TABLE IF NOT EXISTS kb_versions (
  entry_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  entry TEXT,
  status TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'rejected')),
  author TEXT NOT NULL,
  note TEXT,
  based_on INTEGER,
  created_at INTEGER NOT NULL,
  reviewer TEXT,
  reviewed_at INTEGER,
  publish_at INTEGER,
  PRIMARY KEY (entry_id, version)
);
CREATE INDEX IF NOT EXISTS kb_versions_status ON kb_versions(status, entry_id);

-- Policy values with dates (amounts many entries share), versioned the same way:
-- entry_id is the value's key, entry the value with its dated amounts as JSON.
CREATE TABLE IF NOT EXISTS policy_versions (
  entry_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  entry TEXT,
  status TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'rejected')),
  author TEXT NOT NULL,
  note TEXT,
  based_on INTEGER,
  created_at INTEGER NOT NULL,
  reviewer TEXT,
  reviewed_at INTEGER,
  publish_at INTEGER,
  PRIMARY KEY (entry_id, version)
);
CREATE INDEX IF NOT EXISTS policy_versions_status ON policy_versions(status, entry_id);

-- The unanswered questions inbox: questions the bot declined or clarified, grouped by
-- similarity, masked before they are stored (src/kb/unanswered.ts). samples and terms are
-- JSON arrays; resolution is JSON ({how, entryId, by, at}) once staff resolved the group.
CREATE TABLE IF NOT EXISTS unanswered_groups (
  id TEXT PRIMARY KEY,
  sample TEXT NOT NULL,
  samples TEXT NOT NULL,
  terms TEXT NOT NULL,
  count INTEGER NOT NULL,
  declined INTEGER NOT NULL DEFAULT 0,
  clarified INTEGER NOT NULL DEFAULT 0,
  unhelpful INTEGER NOT NULL DEFAULT 0,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
  resolution TEXT
);
CREATE INDEX IF NOT EXISTS unanswered_open ON unanswered_groups(status, last_seen);
`;
