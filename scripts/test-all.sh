#!/usr/bin/env bash
# Every test: type checks, the build, engine unit/parity tests, then the real-VS-Code tests
# (code-server + Debian Chromium, installed and cached by scripts/e2e/setup.sh).
# Ends with the test runner's summary (# pass N, # fail 0) and fails when a test changed the
# working tree (tests write only to ignored folders such as test-results/).
set -euo pipefail
cd "$(dirname "$0")/.."

tree_state() { git status --porcelain --untracked-files=all 2>/dev/null || true; }
before=$(tree_state)

echo "== type check"
npx tsc -p . --noEmit
npx tsc -p webview --noEmit

echo "== build"
node esbuild.mjs

echo "== real VS Code set-up (cached)"
bash scripts/e2e/setup.sh >/dev/null

echo "== tests"
mkdir -p test-results
tap=test-results/tests.tap
status=0
node --import tsx --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" \
  test/unit/*.test.ts test/parity/*.test.ts test/e2e/*.e2e.test.ts || status=$?

echo "== summary"
summary=$(grep -E '^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ' "$tap" || true)
after=$(tree_state)
if [ "$after" != "$before" ]; then
  echo "the tests changed the working tree:"
  diff <(echo "$before") <(echo "$after") | grep '^[<>]' || true
  status=1
fi
grep -qE '^# pass [1-9]' <<<"$summary" || { echo "no test passed"; status=1; }
grep -qE '^# fail 0$' <<<"$summary" || status=1
echo "$summary"
exit "$status"
