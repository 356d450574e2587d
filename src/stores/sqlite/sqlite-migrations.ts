/**
 * Ordered schema migrations; `PRAGMA user_version` records how many have run. Append new entries,
 * never edit old ones.
 */
export const sqliteMigrations: readonly string[] = [
  `
  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    customer_id TEXT,
    external_ref TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_sequence INTEGER NOT NULL DEFAULT 0,
    metadata TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX conversations_updated_at ON conversations (updated_at DESC);
  CREATE INDEX conversations_customer ON conversations (customer_id);

  CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    sequence INTEGER NOT NULL,
    role TEXT NOT NULL,
    channel TEXT NOT NULL,
    text TEXT NOT NULL,
    input_kind TEXT,
    interrupted INTEGER NOT NULL DEFAULT 0,
    tool_calls TEXT NOT NULL DEFAULT '[]',
    tool_results TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}',
    UNIQUE (conversation_id, sequence)
  );

  CREATE TABLE call_sessions (
    call_sid TEXT PRIMARY KEY,
    session_id TEXT,
    conversation_id TEXT NOT NULL,
    from_address TEXT,
    to_address TEXT,
    direction TEXT,
    status TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    duration_seconds INTEGER,
    handoff_data TEXT,
    error_code TEXT,
    error_message TEXT
  );
  CREATE INDEX call_sessions_conversation ON call_sessions (conversation_id);
  `,
  `
  CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    conversation_id TEXT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    last_error_code TEXT,
    sender TEXT,
    provider_message_id TEXT,
    provider_status TEXT,
    claimed_by TEXT,
    claim_expires_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
  CREATE INDEX outbox_provider_id ON outbox (provider_message_id);
  CREATE INDEX outbox_conversation ON outbox (conversation_id);

  CREATE TABLE inbound_events (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (provider, event_id)
  );

  CREATE TABLE opt_outs (
    address TEXT NOT NULL,
    channel TEXT NOT NULL,
    opted_out INTEGER NOT NULL,
    reason TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (address, channel)
  );

  CREATE TABLE email_threads (
    message_id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL
  );

  CREATE TABLE pending_turns (
    message_id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
  `
  CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    name TEXT,
    language TEXT,
    preferences TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE customer_identifiers (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (kind, value)
  );
  CREATE INDEX customer_identifiers_customer ON customer_identifiers (customer_id);

  CREATE TABLE verifications (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    conversation_id TEXT,
    attempts INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX verifications_customer ON verifications (customer_id);

  CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX audit_log_customer ON audit_log (customer_id, at);
  `,
  // Appending a message is one INSERT … SELECT; the conversation's sequence and clock follow it.
  `
  CREATE TRIGGER messages_advance_conversation AFTER INSERT ON messages
  BEGIN
    UPDATE conversations
    SET last_sequence = MAX(last_sequence, NEW.sequence), updated_at = MAX(updated_at, NEW.created_at)
    WHERE id = NEW.conversation_id;
  END;
  `,
  // The inbox: an accepted webhook keeps its fields until handled; the partial index lists those.
  `
  ALTER TABLE inbound_events ADD COLUMN payload TEXT;
  CREATE INDEX inbound_events_unhandled ON inbound_events (provider, received_at) WHERE payload IS NOT NULL;
  `,
  // Two lookups that scanned their table. Not on updated_at: every message append moves it.
  `
  CREATE INDEX conversations_external_ref ON conversations (external_ref);
  CREATE INDEX verifications_address ON verifications (kind, value);
  `,
  // Which process handles an inbox event or a pending turn, until when (several may share a store).
  `
  ALTER TABLE inbound_events ADD COLUMN claimed_by TEXT;
  ALTER TABLE inbound_events ADD COLUMN claimed_until INTEGER;
  ALTER TABLE pending_turns ADD COLUMN claimed_by TEXT;
  ALTER TABLE pending_turns ADD COLUMN claimed_until INTEGER;
  `,
  // Inbox events whose handling keeps failing: how many rounds failed, and the last error.
  `
  ALTER TABLE inbound_events ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE inbound_events ADD COLUMN last_error TEXT;
  `,
  // Retention: finished outbound messages, oldest first.
  `
  CREATE INDEX outbox_finished ON outbox (updated_at) WHERE status NOT IN ('pending', 'sending');
  `,
  // Erasing a conversation forgets the email Message-IDs that thread into it.
  `
  CREATE INDEX email_threads_conversation ON email_threads (conversation_id);
  `,
];
