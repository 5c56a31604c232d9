-- Marts: rollups derived from usage events. Every measure is additive (events are signed
-- snapshots: +1 counted, −1 withdrawn), so folding batches one by one equals folding them at once.

CREATE TABLE IF NOT EXISTS mart_watermark (
  mart          TEXT    PRIMARY KEY,
  last_event_id INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS daily_mart (
  day TEXT NOT NULL, project_id INTEGER NOT NULL, agent TEXT NOT NULL,
  model_id INTEGER NOT NULL, speed TEXT NOT NULL,
  input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
  cache_write_5m_tokens INTEGER NOT NULL, cache_write_1h_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
  cost_nanos INTEGER NOT NULL, messages INTEGER NOT NULL, reported_nanos INTEGER NOT NULL, sessions INTEGER NOT NULL,
  first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL,
  PRIMARY KEY (day, project_id, agent, model_id, speed)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS provider_day_mart (
  day TEXT NOT NULL, agent TEXT NOT NULL,
  input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
  cache_write_5m_tokens INTEGER NOT NULL, cache_write_1h_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
  cost_nanos INTEGER NOT NULL, messages INTEGER NOT NULL, reported_nanos INTEGER NOT NULL, sessions INTEGER NOT NULL,
  first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL,
  PRIMARY KEY (day, agent)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS model_day_mart (
  day TEXT NOT NULL, model_id INTEGER NOT NULL, speed TEXT NOT NULL,
  input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
  cache_write_5m_tokens INTEGER NOT NULL, cache_write_1h_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
  cost_nanos INTEGER NOT NULL, messages INTEGER NOT NULL, reported_nanos INTEGER NOT NULL, sessions INTEGER NOT NULL,
  first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL,
  PRIMARY KEY (day, model_id, speed)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS session_mart (
  session_id INTEGER PRIMARY KEY, agent TEXT NOT NULL, project_id INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
  cache_write_5m_tokens INTEGER NOT NULL, cache_write_1h_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
  cost_nanos INTEGER NOT NULL, messages INTEGER NOT NULL, reported_nanos INTEGER NOT NULL,
  first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL,
  primary_model_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS session_mart_by_last ON session_mart (last_ts);
CREATE INDEX IF NOT EXISTS session_mart_by_project ON session_mart (project_id);

-- Cost and tokens per session and model: picks each session's primary (costliest) model.
CREATE TABLE IF NOT EXISTS session_model_mart (
  session_id INTEGER NOT NULL, model_id INTEGER NOT NULL,
  cost_nanos INTEGER NOT NULL, tokens INTEGER NOT NULL,
  PRIMARY KEY (session_id, model_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS project_mart (
  project_id INTEGER PRIMARY KEY,
  input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
  cache_write_5m_tokens INTEGER NOT NULL, cache_write_1h_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
  cost_nanos INTEGER NOT NULL, messages INTEGER NOT NULL, reported_nanos INTEGER NOT NULL, sessions INTEGER NOT NULL,
  first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL,
  primary_model_id INTEGER NOT NULL
);

-- How many counted requests each session has under each additive mart key: distinct session
-- counts stay exact under incremental refresh (sessions with a positive count, never a sum of
-- per-batch counts), also when a request's snapshot moves to another day.
CREATE TABLE IF NOT EXISTS daily_mart_sessions (
  day TEXT NOT NULL, project_id INTEGER NOT NULL, agent TEXT NOT NULL, model_id INTEGER NOT NULL,
  speed TEXT NOT NULL, session_id INTEGER NOT NULL, messages INTEGER NOT NULL,
  PRIMARY KEY (day, project_id, agent, model_id, speed, session_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS provider_day_mart_sessions (
  day TEXT NOT NULL, agent TEXT NOT NULL, session_id INTEGER NOT NULL, messages INTEGER NOT NULL,
  PRIMARY KEY (day, agent, session_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS model_day_mart_sessions (
  day TEXT NOT NULL, model_id INTEGER NOT NULL, speed TEXT NOT NULL, session_id INTEGER NOT NULL, messages INTEGER NOT NULL,
  PRIMARY KEY (day, model_id, speed, session_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS project_mart_sessions (
  project_id INTEGER NOT NULL, session_id INTEGER NOT NULL, messages INTEGER NOT NULL,
  PRIMARY KEY (project_id, session_id)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS daily_mart_by_project ON daily_mart (project_id);
