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
  risk_message_id TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS conversations_address ON conversations(channel, chat_id, user_id);
CREATE INDEX IF NOT EXISTS conversations_status ON conversations(status, updated_at);
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
  redacted INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS messages_platform_id
  ON messages(channel, direction, platform_message_id) WHERE platform_message_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS messages_position ON messages(conversation_id, position);
CREATE INDEX IF NOT EXISTS messages_unhandled ON messages(direction, handled_at) WHERE handled_at IS NULL;
-- Retention sweeps read the oldest messages first.
CREATE INDEX IF NOT EXISTS messages_age ON messages(created_at);

CREATE TABLE IF NOT EXISTS bot_state (
  key TEXT PRIMARY KEY,
  etag TEXT NOT NULL,
  data TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS knowledge_versions (
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  hash TEXT NOT NULL,
  data TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  current INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (id, version)
);
CREATE INDEX IF NOT EXISTS knowledge_current ON knowledge_versions(current, id);

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

CREATE TABLE IF NOT EXISTS handoff_requests (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  conversation_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  priority INTEGER NOT NULL,
  reason TEXT NOT NULL,
  risk_category TEXT,
  message_id TEXT,
  raises INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
-- At most one open request per conversation: the conflict target of open().
CREATE UNIQUE INDEX IF NOT EXISTS handoff_requests_open
  ON handoff_requests(conversation_id) WHERE status = 'open';
-- The queue: most urgent first, then oldest first.
CREATE INDEX IF NOT EXISTS handoff_requests_queue
  ON handoff_requests(priority, created_at, seq) WHERE status = 'open';

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
`;
