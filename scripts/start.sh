#!/usr/bin/env bash
# The main job: build and package the extension, print the daily report, then install the
# extension into VS Code when a `code` command exists, or say how to open the demo. It never
# installs system packages.
#   --demo (npm run demo)  open the extension in code-server (a VS Code in the browser),
#                          installing Node 24 and code-server into a cache first
set -euo pipefail
cd "$(dirname "$0")/.."

demo=false
[ "${1:-}" = --demo ] || [ "${AGENT_LEDGER_SERVE:-}" = 1 ] && demo=true
cache="${AGENT_LEDGER_CACHE:-$HOME/.cache/agent-ledger-e2e}"

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent package >/dev/null
echo "Packaged dist/agent-ledger.vsix ($(du -k dist/agent-ledger.vsix | cut -f1) KB)"

has_transcripts() {
  local roots="${CLAUDE_CONFIG_DIR:-$HOME/.config/claude,$HOME/.claude}"
  IFS=',' read -ra dirs <<<"$roots"
  for d in "${dirs[@]}"; do [ -n "$(find "${d/#\~/$HOME}/projects" -name '*.jsonl' -print -quit 2>/dev/null)" ] && return 0; done
  [ -n "$(find "${CODEX_HOME:-$HOME/.codex}/sessions" -name '*.jsonl' -print -quit 2>/dev/null)" ]
}

serve_args=()
if has_transcripts; then
  echo "== Daily report for this machine's transcripts"
  node dist/cli.js daily
else
  demo_dir="$PWD/.cache/demo-corpus"
  rm -rf "$demo_dir"
  node --import tsx scripts/make-demo-corpus.ts "$demo_dir" >/dev/null
  echo "== No transcripts on this machine: daily report for a demo corpus ($demo_dir)"
  serve_args=("$demo_dir/claude" "$demo_dir/codex")
  node dist/cli.js --db "$demo_dir/ledger.sqlite" --claude-dir "$demo_dir/claude" --codex-dir "$demo_dir/codex" daily
fi

if $demo; then
  echo "== Opening the demo in code-server; the first time, this installs Node 24 and code-server into $cache (about 700 MB, 2-4 minutes)"
  eval "$(bash scripts/e2e/setup.sh --demo)"
  node --import tsx scripts/serve-demo.ts dist/agent-ledger.vsix "${serve_args[@]}"
elif command -v code >/dev/null 2>&1; then
  code --install-extension dist/agent-ledger.vsix --force
  echo "Installed in VS Code: reload the window, then run 'Agent Ledger: Open Cost Panel'."
else
  cat <<EOT
No 'code' command here, so the extension was not installed. Either:
  - install it in VS Code yourself: Extensions view > ... > Install from VSIX > dist/agent-ledger.vsix
  - or run 'npm run demo' to open it in code-server, a VS Code in the browser. The first time, that
    installs Node 24 and code-server 4.139.1 into $cache (about 700 MB, 2-4 minutes, no root
    needed), and asks before installing Debian's libkrb5-dev if it is missing (code-server's build needs it).
EOT
fi
