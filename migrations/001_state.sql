-- The ledger's small state: what was read from which file, dimensions, marts. Usage events
-- live in month segment files (migrations/segment/). Forward-only; safe to run again.

CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per source file ever seen. A file that disappears keeps its row; its events stay.
CREATE TABLE IF NOT EXISTS source_files (
  id           INTEGER PRIMARY KEY,
  path         TEXT    NOT NULL UNIQUE,
  agent        TEXT    NOT NULL,
  size         INTEGER NOT NULL,
  mtime_ms     INTEGER NOT NULL,
  identity     TEXT    NOT NULL,          -- device:inode, detects a replaced file
  head_hash    TEXT    NOT NULL,          -- hash of bytes already read, detects a rewritten file
  read_offset  INTEGER NOT NULL,          -- byte after the last record consumed
  parser_state TEXT,                      -- the normalizer's per-file state, JSON
  missing      INTEGER NOT NULL DEFAULT 0
);

-- Dimensions: integer ids used by events and marts. Every month segment keeps a copy of the
-- rows its events use, so that the state can be rebuilt from the segments.
CREATE TABLE IF NOT EXISTS dim_project (
  id   INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE
);

CREATE TABLE IF NOT EXISTS dim_model (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE IF NOT EXISTS dim_session (
  id          INTEGER PRIMARY KEY,
  agent       TEXT NOT NULL,
  session_key TEXT NOT NULL,
  UNIQUE (agent, session_key)
);
