# shellcheck shell=bash
# Shared by deploy/install.sh and deploy/update.sh (sourced, not run).
#
# Every path on the target system goes through "$PREFIX" (empty on a real install; a staging
# root for tests and packaging, like DESTDIR): the unit still names /opt/seroma and
# /var/lib/seroma. Every command that changes the system goes through `run`, so --dry-run
# prints it instead.

# (Used by the scripts that source this file.)
# shellcheck disable=SC2034
APP_DIR=/opt/seroma
STATE_DIR=/var/lib/seroma
CONF_DIR=/etc/seroma
ENV_FILE_PATH=$CONF_DIR/seroma.env
UNIT_DIR=/etc/systemd/system
UNIT_NAME=seroma.service
SERVICE_USER=seroma
DEVICE_GROUPS=(gpio i2c spi video)
MIN_NODE_MAJOR=22
MIN_NODE_MINOR=18

PREFIX=${PREFIX:-}
DRY_RUN=${DRY_RUN:-0}

say() { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# run CMD ARGS...: runs it (or, with --dry-run, prints it).
run() {
  if [ "$DRY_RUN" = 1 ]; then
    printf 'would run:'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

# The checkout this script belongs to (deploy/..).
source_dir() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd
}

require_root() {
  # Writing under a --prefix needs no root (tests, packaging); the real system does.
  if [ -z "$PREFIX" ] && [ "$(id -u)" != 0 ]; then
    die "run as root (sudo $0 $*)"
  fi
}

# node_version_ok: node on PATH is >= 22.18 (Node strips TypeScript types itself from 22.18).
node_version_ok() {
  local v major minor
  v=$(node --version 2>/dev/null) || return 1
  v=${v#v}
  major=${v%%.*}
  minor=${v#*.}
  minor=${minor%%.*}
  [ "$major" -gt "$MIN_NODE_MAJOR" ] || { [ "$major" -eq "$MIN_NODE_MAJOR" ] && [ "$minor" -ge "$MIN_NODE_MINOR" ]; }
}

require_node() {
  command -v node >/dev/null || die "node is not installed: install Node.js 22 LTS (README, 'Install on a Raspberry Pi')"
  command -v npm >/dev/null || die "npm is not installed (it comes with Node.js 22 from NodeSource or nodejs.org)"
  node_version_ok || die "node $(node --version) is too old: Seroma needs Node.js >= $MIN_NODE_MAJOR.$MIN_NODE_MINOR (it runs main.ts directly)"
}

# stage_app SRC DEST: copies the checkout (without what is local to a machine) to DEST and
# installs the production dependencies there (npm ci --omit=dev). DEST is replaced.
stage_app() {
  local src=$1 dest=$2
  if [ ! -f "$src/package.json" ] || [ ! -f "$src/main.ts" ]; then
    die "$src is not a Seroma checkout (no package.json and main.ts)"
  fi
  [ -f "$src/package-lock.json" ] || die "$src has no package-lock.json (npm ci needs it)"
  run rm -rf "$dest"
  run mkdir -p "$dest"
  if [ "$DRY_RUN" = 1 ]; then
    say "would copy $src to $dest (without .git, node_modules, data, .env, test, test-artifacts)"
  else
    tar -C "$src" --exclude=./.git --exclude=./node_modules --exclude=./data --exclude=./.env \
      --exclude=./test --exclude=./test-artifacts --exclude=./.ci --exclude=./bench/results.json \
      -cf - . | tar -C "$dest" --no-same-owner -xf -
  fi
  say "installing production dependencies in $dest (npm ci --omit=dev; native modules are fetched or built)"
  run env -C "$dest" npm ci --omit=dev --no-audit --no-fund
  run chown -R root:root "$dest"
  run chmod -R go-w "$dest"
}

# unit_with_node SRC: the unit, with ExecStart's node the one on PATH when that is not /usr/bin/node.
unit_with_node() {
  local node_path
  node_path=$(command -v node)
  if [ "$node_path" = /usr/bin/node ]; then
    cat "$1"
  else
    sed "s|^ExecStart=/usr/bin/node |ExecStart=$node_path |" "$1"
  fi
}

# unit_state: prints ActiveState, SubState and NRestarts of the unit, one "KEY=VALUE" a line.
unit_state() {
  systemctl show -p ActiveState -p SubState -p NRestarts "$UNIT_NAME" 2>/dev/null || true
}

unit_prop() {
  local state=$1 key=$2
  printf '%s\n' "$state" | sed -n "s/^$key=//p" | head -n 1
}

# wait_ready TIMEOUT SETTLE: waits until systemd says the unit is active (for Type=notify:
# READY=1 was received), then that it stays so for SETTLE seconds without a restart.
# Returns 1 if it fails, stops or restarts meanwhile, or is not ready within TIMEOUT seconds.
wait_ready() {
  local timeout=$1 settle=$2 waited=0 state active sub restarts0 restarts
  restarts0=$(unit_prop "$(unit_state)" NRestarts)
  while :; do
    state=$(unit_state)
    active=$(unit_prop "$state" ActiveState)
    sub=$(unit_prop "$state" SubState)
    restarts=$(unit_prop "$state" NRestarts)
    if [ "${restarts:-0}" != "${restarts0:-0}" ]; then
      say "  $UNIT_NAME restarted (it failed after starting)"
      return 1
    fi
    case $active in
      active)
        if [ "$settle" -le 0 ]; then
          say "  $UNIT_NAME is $active ($sub)"
          return 0
        fi
        settle=$((settle - 1))
        ;;
      failed | inactive | deactivating)
        say "  $UNIT_NAME is $active ($sub)"
        return 1
        ;;
    esac
    if [ "$waited" -ge "$timeout" ]; then
      say "  $UNIT_NAME is still ${active:-unknown} (${sub:-?}) after ${timeout}s"
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
}
