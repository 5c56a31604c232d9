#!/usr/bin/env bash
# Writes test/fixtures/opencode-wal/{opencode.db,opencode.db-wal}: an OpenCode-shaped database in
# WAL mode whose committed rows are still in the -wal (copied while SQLite holds the file open, so
# no checkpoint ran). Needs the sqlite3 CLI (Debian: apt-get install sqlite3); the tests only read
# the committed output. Run from the repository root: bash scripts/make-wal-fixture.sh
set -euo pipefail
out=test/fixtures/opencode-wal
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sqlite3 "$work/opencode.db" <<SQL
PRAGMA journal_mode=WAL;
PRAGMA wal_autocheckpoint=0;
CREATE TABLE session (id TEXT PRIMARY KEY, directory TEXT NOT NULL, time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL);
CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL, data TEXT NOT NULL);
INSERT INTO session VALUES ('ses_wal', '/work/wal-project', 1764590400000, 1764590400000);
INSERT INTO message VALUES ('msg_wal_1', 'ses_wal', 1764590400000, 1764590401000,
  '{"role":"assistant","modelID":"claude-sonnet-4-5","providerID":"anthropic","time":{"created":1764590400000,"completed":1764590401000},"cost":0.01,"tokens":{"total":1750,"input":1000,"output":500,"reasoning":0,"cache":{"read":200,"write":50}}}');
INSERT INTO message VALUES ('msg_wal_2', 'ses_wal', 1764590460000, 1764590461000,
  '{"role":"assistant","modelID":"gpt-5","providerID":"openai","time":{"created":1764590460000,"completed":1764590461000},"tokens":{"total":2700,"input":2000,"output":300,"reasoning":100,"cache":{"read":300,"write":0}}}');
.shell cp "$work/opencode.db" "$work/opencode.db-wal" "$out/"
SQL
echo "wrote $out/opencode.db ($(stat -c %s "$out/opencode.db") B) and $out/opencode.db-wal ($(stat -c %s "$out/opencode.db-wal") B)"
