#!/usr/bin/env bash
# Every test: type checks, the build, engine unit/parity tests, then the real-VS-Code tests
# (code-server + Debian Chromium, installed and cached by scripts/e2e/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== type check"
npx tsc -p . --noEmit
npx tsc -p webview --noEmit

echo "== build"
node esbuild.mjs

echo "== real VS Code set-up (cached)"
bash scripts/e2e/setup.sh

echo "== tests"
node --import tsx --test --test-reporter=spec --test-concurrency=1 \
  test/unit/*.test.ts test/parity/*.test.ts test/e2e/*.e2e.test.ts
