#!/usr/bin/env bash
# Refreshes the README's screenshots (docs/screenshots/) with the real-VS-Code UI test.
# `npm test` writes the same screenshots to the ignored test-results/screenshots/ instead.
set -euo pipefail
cd "$(dirname "$0")/.."
node esbuild.mjs
bash scripts/e2e/setup.sh >/dev/null
AGENT_LEDGER_SCREENSHOTS=docs/screenshots node --import tsx --test --test-reporter=spec \
  --test-name-pattern='packaged extension' test/e2e/vscode.e2e.test.ts
git status --short docs/screenshots
