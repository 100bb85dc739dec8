#!/usr/bin/env bash
# Installs this checkout as a kiosk that starts at boot: sudo scripts/install-kiosk.sh PROFILE
#   PROFILE   demo | hospital | airport | exam | a profile TOML file
#   --python PATH   use this Python (with the kiosk installed) instead of building /opt/cccd-kiosk/venv
#   --no-start      install and enable, but start nothing now
# Idempotent: run it again after an update (git pull). What an administrator changed in /etc/cccd-kiosk is
# kept. DESTDIR=/folder stages every file under that folder instead and touches nothing of this machine
# (no packages, no systemctl): CI installs this way. See docs/install.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
PYTHON="" START=1 PROFILE=""
while (($#)); do
  case "$1" in
    --python) [ $# -ge 2 ] || usage; PYTHON=$2; shift 2 ;;
    --no-start) START=0; shift ;;
    -h|--help) usage ;;
    -*) echo "install-kiosk: unknown option $1" >&2; usage ;;
    *) [ -z "$PROFILE" ] || usage; PROFILE=$1; shift ;;
  esac
done
[ -n "$PROFILE" ] || usage
case "$PROFILE" in
  demo|hospital|airport|exam) PROFILE_SRC=$SRC/config/$PROFILE.toml ;;
  *) PROFILE_SRC=$(realpath "$PROFILE") ;;
esac
[ -f "$PROFILE_SRC" ] || { echo "install-kiosk: no profile $PROFILE_SRC" >&2; exit 2; }

R=${DESTDIR:-}
R=${R%/}
if [ -z "$R" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install-kiosk: run as root (sudo), or set DESTDIR to stage the files into a folder" >&2; exit 2
fi
CONF=/etc/cccd-kiosk
DATA=/var/lib/cccd-kiosk
OPT=/opt/cccd-kiosk
LIB=/usr/local/lib/cccd-kiosk
UNITS=/usr/local/lib/systemd/system
DOCS=$OPT/docs
say() { echo "install-kiosk: $*"; }

# -- 1. Debian packages: the PC/SC stack, a bare X server with xinit, Qt's runtime libraries, a Vietnamese font
APT_PACKAGES=(pcscd libpcsclite1 pcsc-tools xserver-xorg-core xserver-xorg-input-libinput xinit x11-xserver-utils
  fonts-dejavu-core alsa-utils python3-venv util-linux
  libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-randr0 libxcb-shape0 libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1)
if [ -z "$R" ]; then
  missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    say "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# -- 2. The software: a virtual environment in /opt/cccd-kiosk/venv with this checkout (not editable)
if [ -z "$PYTHON" ]; then
  [ -z "$R" ] || { echo "install-kiosk: with DESTDIR, name the Python to use with --python" >&2; exit 2; }
  PYTHON=$OPT/venv/bin/python
  [ -x "$PYTHON" ] || python3 -m venv "$OPT/venv"
  say "installing the kiosk into $OPT/venv"
  "$PYTHON" -m pip install -q --upgrade pip
  "$PYTHON" -m pip install -q "$SRC"                                   # dependencies
  "$PYTHON" -m pip install -q --no-deps --force-reinstall "$SRC"       # this checkout, even at the same version
  bash "$SRC/scripts/install-face.sh" "$PYTHON"
fi
[ -x "$PYTHON" ] || { echo "install-kiosk: $PYTHON is not executable" >&2; exit 2; }

# -- 3. Files: units, the X session, the admin wrapper, the X server's flags, user and folders
fill() {  # fill SRC DEST MODE: copy with the install's paths filled in
  install -D -m "$3" /dev/null "$R$2"
  sed -e "s|@PYTHON@|$PYTHON|g" -e "s|@LIBDIR@|$LIB|g" -e "s|@CONFDIR@|$CONF|g" -e "s|@DOCDIR@|$DOCS|g" \
    "$SRC/deploy/$1" > "$R$2"
}
fill systemd/cccd-kiosk.service "$UNITS/cccd-kiosk.service" 0644
fill systemd/cccd-kiosk-site.service "$UNITS/cccd-kiosk-site.service" 0644
fill kiosk-session "$LIB/kiosk-session" 0755
fill x-server "$LIB/x-server" 0755
fill cccd-kiosk /usr/local/sbin/cccd-kiosk 0755
fill xorg/10-cccd-kiosk.conf /etc/X11/xorg.conf.d/10-cccd-kiosk.conf 0644
fill sysusers.conf /usr/local/lib/sysusers.d/cccd-kiosk.conf 0644
fill tmpfiles.conf /usr/local/lib/tmpfiles.d/cccd-kiosk.conf 0644
install -D -m 0644 "$SRC/docs/install.md" "$R$DOCS/install.md"

mkdir -p "$R/etc"
systemd-sysusers ${R:+--root="$R"} "$R/usr/local/lib/sysusers.d/cccd-kiosk.conf"
systemd-tmpfiles ${R:+--root="$R"} --create "$R/usr/local/lib/tmpfiles.d/cccd-kiosk.conf"

# -- 4. Configuration, kept when already there
if [ -e "$R$CONF/profile.toml" ]; then
  say "keeping $CONF/profile.toml (remove it to install config/${PROFILE_SRC##*/} again)"
else
  install -m 0644 "$PROFILE_SRC" "$R$CONF/profile.toml"
fi
install -m 0644 "$SRC/config/csca/README.md" "$R$CONF/csca/README.md"
demo=0 camera=0
[ "$(basename "$PROFILE_SRC")" = demo.toml ] && demo=1 camera=""
if [ ! -e "$R$CONF/kiosk.env" ]; then
  cat > "$R$CONF/kiosk.env" <<EOF
# This kiosk's settings, read by cccd-kiosk.service and by 'sudo cccd-kiosk doctor'.
# After a change: sudo systemctl restart cccd-kiosk. Secrets go into secrets.env (root only), not here.
KIOSK_PROFILE=$CONF/profile.toml
KIOSK_DATA_DIR=$DATA
# 1: the built-in virtual card and the demo face, no hardware needed
KIOSK_DEMO=$demo
# a PC/SC reader name (or its beginning); empty: the kiosk chooses the contactless reader
KIOSK_READER=
# the camera: an index (0 is the first), a video file or an image folder; empty: the demo face
KIOSK_CAMERA=$camera
KIOSK_LANG=vi
# normal, left, right or inverted (a portrait screen)
KIOSK_ROTATE=
# X server options, e.g. -nocursor for a touch screen
KIOSK_X_ARGS=
# the site page (cccd-kiosk-site.service, where a site store is configured): 0.0.0.0 to serve the network
KIOSK_SITE_HOST=127.0.0.1
KIOSK_SITE_PORT=8470
EOF
fi
chmod 0644 "$R$CONF/kiosk.env"
if [ ! -e "$R$CONF/secrets.env" ]; then
  pin=""
  [ "$demo" = 1 ] || pin=$(printf '%06d' $(( $(od -An -N4 -tu4 /dev/urandom) % 1000000 )))
  ( umask 077
    cat > "$R$CONF/secrets.env" <<EOF
# Secrets of this kiosk (root only, mode 0600): systemd reads them before the kiosk drops to its user.
# The operator panel's PIN (the demo's is 1234 when empty)
KIOSK_OPERATOR_PIN=$pin
# The site store shared by the site's kiosks (enables the site page), e.g.
# postgresql://kiosk@db.example/site?sslmode=verify-full
KIOSK_SITE_STORE=
# hospital profile: the BHYT gateway's password and the staff member on whose behalf lookups are made
BHYT_PASSWORD=
BHYT_STAFF_NAME=
BHYT_STAFF_CCCD=
EOF
  )
fi
chmod 0600 "$R$CONF/secrets.env"
[ -n "$R" ] || chown root:root "$R$CONF/secrets.env"

# The outbox key, out of the data folder: root only, given to the screen as a systemd credential. A key an
# earlier install left in the data folder moves here, so the check-ins it protects can still be read.
key=$R$CONF/outbox.key
if [ ! -s "$key" ]; then
  name=$("$PYTHON" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["profile"]["name"])' \
    "$R$CONF/profile.toml")
  old=$R$DATA/$name/outbox.key
  ( umask 077
    if [ -s "$old" ]; then
      cp "$old" "$key.new" && sync "$key.new" && mv "$key.new" "$key" && rm -f "$old"
      say "moved the outbox key from $DATA/$name/ to $CONF/outbox.key"
    else
      head -c 32 /dev/urandom | base64 > "$key.new" && sync "$key.new" && mv "$key.new" "$key"
      say "made the outbox key $CONF/outbox.key: keep a copy where the site keeps its keys"
    fi )
fi
chmod 0600 "$key"
[ -n "$R" ] || chown root:root "$key"

# -- 5. Services: pcscd, the screen, and the site page where a site store is configured
# a site store named in secrets.env (KIOSK_SITE_STORE) or in the profile ([site] store)
site_store=$(sed -n 's/^KIOSK_SITE_STORE=//p' "$R$CONF/secrets.env" | tail -n 1)
[ -n "$site_store" ] || site_store=$("$PYTHON" -c \
  'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb")).get("site", {}).get("store", ""))' \
  "$R$CONF/profile.toml")
if [ -n "$R" ]; then
  systemctl --root="$R" enable cccd-kiosk.service >/dev/null 2>&1
  if [ -n "$site_store" ]; then systemctl --root="$R" enable cccd-kiosk-site.service >/dev/null 2>&1
  else systemctl --root="$R" disable cccd-kiosk-site.service >/dev/null 2>&1 || true; fi
  say "staged into $R (pcscd, daemon-reload and start are left to the machine)"
  exit 0
fi
systemctl daemon-reload
systemctl enable --quiet pcscd.socket
systemctl enable --quiet cccd-kiosk.service
if [ -n "$site_store" ]; then systemctl enable --quiet cccd-kiosk-site.service
else systemctl disable --quiet cccd-kiosk-site.service 2>/dev/null || true; fi
if systemctl list-unit-files display-manager.service >/dev/null 2>&1 \
   && systemctl is-enabled --quiet display-manager.service 2>/dev/null; then
  say "warning: a display manager is enabled; it competes for the screen (systemctl disable display-manager)"
fi
systemd-analyze verify "$UNITS/cccd-kiosk.service" "$UNITS/cccd-kiosk-site.service" \
  || say "warning: systemd-analyze verify reported the problems above"
if ((START)); then
  systemctl start pcscd.socket
  systemctl restart cccd-kiosk.service
  [ -z "$site_store" ] || systemctl restart cccd-kiosk-site.service
fi
say "installed; check it with: sudo cccd-kiosk doctor"
