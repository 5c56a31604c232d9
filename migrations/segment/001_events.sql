-- One month segment: the usage events whose time falls in that month (UTC), and a copy of
-- the dimension rows they use. Append-only facts: a request's snapshot is a +1 row; when a
-- later copy replaces it, a −1 row withdraws it (same time and dimensions) and a +1 row
-- adds the new one, so any sum over any grouping is right.

CREATE TABLE IF NOT EXISTS segment_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS usage_events (
  id             INTEGER PRIMARY KEY,     -- ledger-wide, increasing in the order rows were written
  req            INTEGER NOT NULL,        -- 64-bit hash of the request key
  grp            INTEGER,                 -- 64-bit hash of the alias group, when the record has one
  ts             INTEGER NOT NULL,        -- epoch ms, UTC
  session_id     INTEGER NOT NULL,
  project_id     INTEGER NOT NULL,
  model_id       INTEGER NOT NULL,
  attrs          INTEGER NOT NULL,        -- bit 0 fast; bit 1 alias primary; bits 8+ record flags
  message_delta  INTEGER NOT NULL,        -- +1 a snapshot counted, −1 a snapshot withdrawn
  input          INTEGER NOT NULL,        -- token counts, signed like message_delta
  output         INTEGER NOT NULL,
  cache_write_5m INTEGER NOT NULL,
  cache_write_1h INTEGER NOT NULL,
  cache_read     INTEGER NOT NULL,
  reasoning      INTEGER NOT NULL,        -- informational, inside output
  cost_nanos     INTEGER NOT NULL,        -- USD × 1e9 from the price table, signed
  reported_nanos INTEGER                  -- the agent's own cost, when it recorded one, signed
);

-- kind: 'project' | 'model' | 'session'; value: the path, name or session key; agent: sessions only.
CREATE TABLE IF NOT EXISTS segment_dims (
  kind  TEXT    NOT NULL,
  id    INTEGER NOT NULL,
  value TEXT    NOT NULL,
  agent TEXT,
  PRIMARY KEY (kind, id)
) WITHOUT ROWID;
