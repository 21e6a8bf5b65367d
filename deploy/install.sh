#!/usr/bin/env bash
# Installs Seroma as a systemd service from the checkout this script is in:
#   - the seroma system user (home /var/lib/seroma, no login) in the gpio, i2c, spi, video groups
#   - the code in /opt/seroma (root-owned, read-only for the service) + npm ci --omit=dev
#   - /etc/seroma/seroma.env from .env.example (0600 root:seroma; an existing one is kept)
#   - I2C and SPI on (raspi-config, or the config.txt lines); the DHT22 overlay line printed
#   - /etc/systemd/system/seroma.service, enabled (started once a token is configured)
#   - npm run doctor, where the project has it
# Running it again brings an installation up to date and changes nothing else (use
# deploy/update.sh on a running room: it backs up and rolls back).
#
# Usage: sudo deploy/install.sh [--dry-run] [--prefix DIR]
#   --dry-run     print what would be done, change nothing
#   --prefix DIR  install under DIR instead of / (tests, packaging); no root needed
set -euo pipefail

# shellcheck source=deploy/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

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
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
  shift
done

require_root "$@"
require_node
SRC=$(source_dir)
note=""
[ "$DRY_RUN" = 1 ] && note=" (dry run: nothing is changed)"
say "Installing Seroma from $SRC${PREFIX:+ under $PREFIX}$note"

# --- the service user and its groups ---------------------------------------------------
for group in "$SERVICE_USER" "${DEVICE_GROUPS[@]}"; do
  if ! getent group "$group" >/dev/null; then
    run groupadd --system "$group"
  fi
done
groups_csv=$(
  IFS=,
  echo "${DEVICE_GROUPS[*]}"
)
if getent passwd "$SERVICE_USER" >/dev/null; then
  run usermod --append --groups "$groups_csv" "$SERVICE_USER"
else
  run useradd --system --gid "$SERVICE_USER" --groups "$groups_csv" --home-dir "$STATE_DIR" \
    --no-create-home --shell /usr/sbin/nologin --comment "Seroma server-room console" "$SERVICE_USER"
fi
run mkdir -p "$PREFIX$STATE_DIR"
run chown "$SERVICE_USER:$SERVICE_USER" "$PREFIX$STATE_DIR"
run chmod 0750 "$PREFIX$STATE_DIR"

# --- the code --------------------------------------------------------------------------
run mkdir -p "$PREFIX$(dirname "$APP_DIR")"
stage_app "$SRC" "$PREFIX$APP_DIR.new"
if [ -d "$PREFIX$APP_DIR" ]; then
  run rm -rf "$PREFIX$APP_DIR.old"
  run mv "$PREFIX$APP_DIR" "$PREFIX$APP_DIR.old"
fi
run mv "$PREFIX$APP_DIR.new" "$PREFIX$APP_DIR"
run rm -rf "$PREFIX$APP_DIR.old"

# --- settings: never overwritten -------------------------------------------------------
env_file=$PREFIX$ENV_FILE_PATH
run mkdir -p "$PREFIX$CONF_DIR"
run chmod 0755 "$PREFIX$CONF_DIR"
if [ -e "$env_file" ]; then
  say "keeping $ENV_FILE_PATH (it exists)"
else
  # DATA_DIR is the unit's state directory, whatever .env.example says.
  if [ "$DRY_RUN" = 1 ]; then
    say "would create $ENV_FILE_PATH from .env.example (mode 0600, DATA_DIR=$STATE_DIR)"
  else
    (
      umask 077
      sed "s|^DATA_DIR=.*|DATA_DIR=$STATE_DIR|" "$SRC/.env.example" >"$env_file.tmp"
      mv "$env_file.tmp" "$env_file"
    )
  fi
  run chmod 0600 "$env_file"
  run chown "root:$SERVICE_USER" "$env_file"
  say "created $ENV_FILE_PATH: put TELEGRAM_BOT_TOKEN, ADMIN_IDS and STAFF_CHAT_ID in it"
fi

# --- I2C and SPI -----------------------------------------------------------------------
config_txt=""
for candidate in /boot/firmware/config.txt /boot/config.txt; do
  if [ -f "$PREFIX$candidate" ]; then
    config_txt=$candidate
    break
  fi
done
if command -v raspi-config >/dev/null; then
  # 0 means "enable" for raspi-config's nonint functions.
  run raspi-config nonint do_i2c 0
  run raspi-config nonint do_spi 0
elif [ -n "$config_txt" ]; then
  for line in dtparam=i2c_arm=on dtparam=spi=on; do
    if ! grep -qx "$line" "$PREFIX$config_txt"; then
      if [ "$DRY_RUN" = 1 ]; then
        say "would add $line to $config_txt"
      else
        printf '%s\n' "$line" >>"$PREFIX$config_txt"
      fi
      say "added $line to $config_txt (reboot to apply)"
    fi
  done
else
  warn "neither raspi-config nor a config.txt: turn on I2C and SPI yourself (dtparam=i2c_arm=on, dtparam=spi=on)"
fi
dht_pin=""
if [ -f "$env_file" ]; then
  dht_pin=$(sed -n 's/^DHT_PIN=\([0-9][0-9]*\).*/\1/p' "$env_file" | tail -n 1)
fi
dht_pin=${dht_pin:-4}
say ""
say "For the DHT22 through the kernel's driver (every Pi; the one to use on a Pi 5 and Trixie),"
say "add this line to ${config_txt:-/boot/firmware/config.txt} and reboot:"
say ""
say "    dtoverlay=dht11,gpiopin=$dht_pin"
say ""

# --- the unit --------------------------------------------------------------------------
unit=$PREFIX$UNIT_DIR/$UNIT_NAME
run mkdir -p "$PREFIX$UNIT_DIR"
if [ "$DRY_RUN" = 1 ]; then
  say "would write $UNIT_DIR/$UNIT_NAME (ExecStart=$(command -v node) $APP_DIR/main.ts)"
else
  unit_with_node "$SRC/deploy/$UNIT_NAME" >"$unit.tmp"
  chmod 0644 "$unit.tmp"
  mv "$unit.tmp" "$unit"
fi
run systemctl daemon-reload
run systemctl enable "$UNIT_NAME"
if grep -Eq '^TELEGRAM_BOT_TOKEN=.+' "$env_file" 2>/dev/null; then
  run systemctl restart "$UNIT_NAME"
  say "$UNIT_NAME (re)started: journalctl -u seroma -f"
else
  say "not started yet: set TELEGRAM_BOT_TOKEN in $ENV_FILE_PATH, then: sudo systemctl start seroma"
fi

# --- doctor ----------------------------------------------------------------------------
if grep -q '"doctor"[[:space:]]*:' "$PREFIX$APP_DIR/package.json" 2>/dev/null ||
  { [ "$DRY_RUN" = 1 ] && grep -q '"doctor"[[:space:]]*:' "$SRC/package.json"; }; then
  say "checking the Pi: npm run doctor (as $SERVICE_USER, with the service's settings)"
  # The settings file is root's: it reaches the doctor on stdin, as ENV_FILE=/dev/stdin.
  if [ "$DRY_RUN" = 1 ]; then
    run runuser -u "$SERVICE_USER" -- env -C "$APP_DIR" ENV_FILE=/dev/stdin DATA_DIR="$STATE_DIR" npm run --silent doctor
  else
    run runuser -u "$SERVICE_USER" -- env -C "$PREFIX$APP_DIR" ENV_FILE=/dev/stdin DATA_DIR="$STATE_DIR" \
      npm run --silent doctor <"$env_file" || warn "npm run doctor found problems (above)"
  fi
fi
say "Seroma is installed in $APP_DIR."
