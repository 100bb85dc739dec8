#!/usr/bin/env bash
# Installs everything the kiosk needs on a fresh Debian/Ubuntu machine, idempotently:
# the PC/SC stack (pcscd, the vsmartcard vpcd driver) and a virtual environment in .venv/.
# The README's two commands start with it; safe to run again (it skips what is already there).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
# pcscd + the vpcd driver run the virtual card on the real PC/SC stack; pyscard builds from source
# against libpcsclite with swig and a C compiler.
APT_PACKAGES=(pcscd vsmartcard-vpcd libpcsclite-dev swig pcsc-tools)
# Qt's runtime libraries and a font with every Vietnamese diacritic, for the screens (offscreen in tests)
APT_PACKAGES+=(fonts-dejavu-core libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3 alsa-utils)
# Qt's xcb platform plugin (a real display) loads these at start; without them `kiosk ui` cannot open
APT_PACKAGES+=(libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-randr0 libxcb-shape0 libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1)
# the tests start the real screen on a virtual display and click through it
APT_PACKAGES+=(xvfb xdotool x11-utils)
# the site store: the tests start a throwaway PostgreSQL cluster (initdb in a temporary folder, Unix socket)
APT_PACKAGES+=(postgresql)
# the install tests: systemd-analyze verify, sysusers and tmpfiles into a staged root, and the kiosk's X session
APT_PACKAGES+=(systemd xinit x11-xserver-utils)
command -v gcc >/dev/null || APT_PACKAGES+=(gcc)
"$PYTHON" -c "import ensurepip" 2>/dev/null || APT_PACKAGES+=(python3-venv)
"$PYTHON" -c "import os, sysconfig; assert os.path.exists(sysconfig.get_paths()['include'] + '/Python.h')" \
  2>/dev/null || APT_PACKAGES+=(python3-dev)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.bootstrap-stamp
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ "$0" -nt "$stamp" ] \
   || [ scripts/install-face.sh -nt "$stamp" ]; then
  echo "bootstrap: installing Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test]"
  bash scripts/install-face.sh .venv/bin/python
  touch "$stamp"
fi
