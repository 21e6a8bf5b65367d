#!/usr/bin/env bash
# Updates an installed Seroma (deploy/install.sh) to the checkout this script is in, and
# rolls back if the new version does not start:
#   1. stages the new version in /opt/seroma.new (npm ci --omit=dev) while the old one runs;
#   2. stops the service, backs up the database files (DATA_DIR's *.db with their -wal/-shm,
#      copied while stopped: a consistent copy) to /var/lib/seroma/update-backup/, and keeps
#      the current code as /opt/seroma.prev;
#   3. puts the new version in place (and the new unit), starts the service, and waits until
#      systemd reports it active (Type=notify: the console sent READY=1) and it stays so;
#   4. if it fails, restarts, or is not ready in time: stops it, keeps the failed version as
#      /opt/seroma.failed, puts back /opt/seroma.prev and the database backup (a migration the
#      new version made is undone), starts the old version, and exits 1.
# Running it again with the same checkout updates again (same steps).
#
# Usage: sudo deploy/update.sh [--dry-run] [--prefix DIR] [--timeout SECONDS] [--settle SECONDS]
#   --dry-run          print what would be done, change nothing
#   --prefix DIR       work under DIR instead of / (tests); no root needed
#   --timeout SECONDS  how long to wait for READY (default 120)
#   --settle SECONDS   how long it must then stay active without a restart (default 15)
set -euo pipefail

# shellcheck source=deploy/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TIMEOUT=120
SETTLE=15
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case $1 in
    --dry-run) DRY_RUN=1 ;;
    --prefix)
      [ $# -ge 2 ] || die "--prefix needs a directory"
      PREFIX=${2%/}
      shift
      ;;
    --prefix=*) PREFIX=${1#--prefix=} PREFIX=${PREFIX%/} ;;
    --timeout)
      [ $# -ge 2 ] || die "--timeout needs seconds"
      TIMEOUT=$2
      shift
      ;;
    --settle)
      [ $# -ge 2 ] || die "--settle needs seconds"
      SETTLE=$2
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
  shift
done
case $TIMEOUT$SETTLE in *[!0-9]*) die "--timeout and --settle take whole seconds" ;; esac

require_root "$@"
require_node
SRC=$(source_dir)
app=$PREFIX$APP_DIR
state=$PREFIX$STATE_DIR
backup=$state/update-backup
[ -d "$app" ] || die "$APP_DIR is not there: install first (deploy/install.sh)"
note=""
[ "$DRY_RUN" = 1 ] && note=" (dry run: nothing is changed)"
say "Updating Seroma in $APP_DIR from $SRC${PREFIX:+ under $PREFIX}$note"

# The database files of DATA_DIR (the main database, the AWS reading buffer), with their WAL.
db_files() {
  local f
  for f in "$1"/*.db "$1"/*.db-wal "$1"/*.db-shm; do
    [ -e "$f" ] && printf '%s\n' "$f"
  done
  return 0
}

# 1. The new version, ready to swap in.
stage_app "$SRC" "$app.new"

# 2. Stop, back up the database and the current code.
say "stopping $UNIT_NAME"
run systemctl stop "$UNIT_NAME"
run rm -rf "$backup"
run mkdir -p "$backup"
while IFS= read -r f; do
  run cp -p "$f" "$backup/"
done < <(db_files "$state")
say "database backed up to $STATE_DIR/update-backup/"
run rm -rf "$app.prev"
run mv "$app" "$app.prev"

# 3. The new version.
run mv "$app.new" "$app"
if [ "$DRY_RUN" = 1 ]; then
  say "would write $UNIT_DIR/$UNIT_NAME from the new version"
else
  mkdir -p "$PREFIX$UNIT_DIR"
  unit_with_node "$app/deploy/$UNIT_NAME" >"$PREFIX$UNIT_DIR/$UNIT_NAME.tmp"
  chmod 0644 "$PREFIX$UNIT_DIR/$UNIT_NAME.tmp"
  mv "$PREFIX$UNIT_DIR/$UNIT_NAME.tmp" "$PREFIX$UNIT_DIR/$UNIT_NAME"
fi
run systemctl daemon-reload
run systemctl reset-failed "$UNIT_NAME"
say "starting the new version; waiting for it to be ready (up to ${TIMEOUT}s, then ${SETTLE}s more)"
run systemctl start "$UNIT_NAME" || true
if [ "$DRY_RUN" = 1 ] || wait_ready "$TIMEOUT" "$SETTLE"; then
  say "Seroma is updated and running. The previous version is kept in $APP_DIR.prev,"
  say "the database as it was before in $STATE_DIR/update-backup/."
  exit 0
fi

# 4. Roll back.
say "the new version did not start: rolling back (its log: journalctl -u seroma -n 100)"
run systemctl stop "$UNIT_NAME"
run rm -rf "$app.failed"
run mv "$app" "$app.failed"
run mv "$app.prev" "$app"
while IFS= read -r f; do
  run rm -f "$f"
done < <(db_files "$state")
while IFS= read -r f; do
  run cp -p "$f" "$state/"
done < <(db_files "$backup")
if [ -f "$app/deploy/$UNIT_NAME" ]; then
  unit_with_node "$app/deploy/$UNIT_NAME" >"$PREFIX$UNIT_DIR/$UNIT_NAME.tmp"
  chmod 0644 "$PREFIX$UNIT_DIR/$UNIT_NAME.tmp"
  mv "$PREFIX$UNIT_DIR/$UNIT_NAME.tmp" "$PREFIX$UNIT_DIR/$UNIT_NAME"
fi
run systemctl daemon-reload
run systemctl reset-failed "$UNIT_NAME"
run systemctl start "$UNIT_NAME" || true
if wait_ready "$TIMEOUT" 0; then
  say "rolled back: the previous version runs again on the database as it was before the update."
else
  say "rolled back, but the previous version does not start either: journalctl -u seroma -n 100"
fi
say "The failed version is kept in $APP_DIR.failed."
exit 1
