#!/usr/bin/env bash
# The main job: build and package the extension, print the daily report, then install the
# extension into VS Code (when a `code` CLI exists) or open it in code-server.
#   AGENT_LEDGER_SERVE=1  open code-server even without a terminal (npm run demo sets it)
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent package >/dev/null
echo "Packaged dist/agent-ledger.vsix ($(du -k dist/agent-ledger.vsix | cut -f1) KB)"

has_transcripts() {
  local roots="${CLAUDE_CONFIG_DIR:-$HOME/.config/claude,$HOME/.claude}"
  IFS=',' read -ra dirs <<<"$roots"
  for d in "${dirs[@]}"; do [ -n "$(find "${d/#\~/$HOME}/projects" -name '*.jsonl' -print -quit 2>/dev/null)" ] && return 0; done
  [ -n "$(find "${CODEX_HOME:-$HOME/.codex}/sessions" -name '*.jsonl' -print -quit 2>/dev/null)" ]
}

demo_args=()
serve_args=()
if has_transcripts; then
  echo "== Daily report for this machine's transcripts"
  node dist/cli.js daily
else
  demo="$PWD/.cache/demo-corpus"
  rm -rf "$demo"
  node --import tsx scripts/make-demo-corpus.ts "$demo" >/dev/null
  echo "== No transcripts on this machine: daily report for a demo corpus ($demo)"
  demo_args=(--db "$demo/ledger.sqlite" --claude-dir "$demo/claude" --codex-dir "$demo/codex")
  serve_args=("$demo/claude" "$demo/codex")
  node dist/cli.js "${demo_args[@]}" daily
fi

if command -v code >/dev/null 2>&1; then
  code --install-extension dist/agent-ledger.vsix --force
  echo "Installed in VS Code: reload the window, then run 'Agent Ledger: Open Cost Panel'."
elif [ -t 0 ] || [ "${AGENT_LEDGER_SERVE:-}" = 1 ]; then
  eval "$(bash scripts/e2e/setup.sh)"
  node --import tsx scripts/serve-demo.ts dist/agent-ledger.vsix "${serve_args[@]}"
else
  echo "No 'code' command here: 'npm run demo' opens the extension in code-server (a VS Code in the browser)."
fi
