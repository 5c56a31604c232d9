-- Canonical layer: files read, dimensions, the request ledger and usage_events.
-- Forward-only; every statement is safe to run again.

CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per transcript file ever seen. A file that disappears keeps its row (and its events).
CREATE TABLE IF NOT EXISTS source_files (
  id           INTEGER PRIMARY KEY,
  path         TEXT    NOT NULL UNIQUE,
  agent        TEXT    NOT NULL,
  size         INTEGER NOT NULL,
  mtime_ms     INTEGER NOT NULL,
  identity     TEXT    NOT NULL,          -- device:inode, detects a replaced file
  head_hash    TEXT    NOT NULL,          -- hash of the first bytes, detects a rewritten file
  read_offset  INTEGER NOT NULL,          -- byte after the last complete line consumed
  parser_state TEXT,                      -- the normalizer's per-file state, JSON
  missing      INTEGER NOT NULL DEFAULT 0
);

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

-- What has been counted so far for each request (the largest snapshot seen).
-- A later, larger snapshot of the same request adds a growth row to usage_events.
CREATE TABLE IF NOT EXISTS request_ledger (
  key             TEXT    PRIMARY KEY,
  origin_event_id INTEGER NOT NULL,
  sidechain       INTEGER NOT NULL,
  retracted       INTEGER NOT NULL DEFAULT 0,
  input           INTEGER NOT NULL,
  output          INTEGER NOT NULL,
  cache_write_5m  INTEGER NOT NULL,
  cache_write_1h  INTEGER NOT NULL,
  cache_read      INTEGER NOT NULL,
  reasoning       INTEGER NOT NULL
) WITHOUT ROWID;

-- Append-only facts. Every row is additive: summing any subset of columns over any
-- grouping gives the right answer, because growth and retraction are rows of their own.
CREATE TABLE IF NOT EXISTS usage_events (
  id             INTEGER PRIMARY KEY,
  agent          TEXT    NOT NULL,
  session_id     INTEGER NOT NULL,
  project_id     INTEGER NOT NULL,
  model_id       INTEGER NOT NULL,
  speed          TEXT    NOT NULL,
  ts             INTEGER NOT NULL,        -- epoch ms, UTC
  input          INTEGER NOT NULL,        -- non-cached input
  output         INTEGER NOT NULL,
  cache_write_5m INTEGER NOT NULL,
  cache_write_1h INTEGER NOT NULL,
  cache_read     INTEGER NOT NULL,
  reasoning      INTEGER NOT NULL,        -- informational, inside output
  cost_nanos     INTEGER NOT NULL,        -- USD × 1e9, integer so that sums are exact
  message_delta  INTEGER NOT NULL,        -- +1 first sight of a request, 0 growth, -1 retraction
  origin_id      INTEGER,                 -- growth/retraction rows: the request's first event
  flags          INTEGER NOT NULL DEFAULT 0, -- 1: model assumed (not in the transcript)
  file_id        INTEGER NOT NULL,        -- provenance: source_files.id
  file_offset    INTEGER NOT NULL         -- provenance: byte offset of the line
);

CREATE INDEX IF NOT EXISTS usage_events_by_session ON usage_events (session_id);
