-- Quota windows (Codex rate_limits, Claude Code status-line input): the latest reading per
-- window and a compact history (a row only when the used percentage or the window changed).
-- Forward-only; every statement is safe to run again.

CREATE TABLE IF NOT EXISTS limit_latest (
  agent          TEXT    NOT NULL,
  limit_id       TEXT    NOT NULL,
  window_minutes INTEGER NOT NULL,
  used_percent   REAL    NOT NULL,
  resets_at      INTEGER NOT NULL,        -- epoch ms
  observed_at    INTEGER NOT NULL,        -- epoch ms
  source         TEXT    NOT NULL,        -- 'official' | 'estimate'
  plan_type      TEXT,
  PRIMARY KEY (agent, limit_id, window_minutes)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS limit_history (
  agent          TEXT    NOT NULL,
  limit_id       TEXT    NOT NULL,
  window_minutes INTEGER NOT NULL,
  observed_at    INTEGER NOT NULL,
  used_percent   REAL    NOT NULL,
  resets_at      INTEGER NOT NULL,
  PRIMARY KEY (agent, limit_id, window_minutes, observed_at)
) WITHOUT ROWID;
