#!/usr/bin/env bash
# Undoes scripts/install-kiosk.sh: sudo scripts/uninstall-kiosk.sh [--purge]
# Stops and removes the kiosk's services, X session, wrapper and software. The configuration
# (/etc/cccd-kiosk, with the outbox key) and the data (/var/lib/cccd-kiosk: the outbox with any check-in
# not yet delivered, the audit log) are kept unless --purge, which also removes them and the cccd-kiosk user.
# pcscd and the Debian packages stay (other software may use them). DESTDIR=/folder works on a staged copy.
set -euo pipefail

PURGE=0
case "${1:-}" in
  --purge) PURGE=1 ;;
  "") ;;
  *) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
R=${DESTDIR:-}
R=${R%/}
if [ -z "$R" ] && [ "$(id -u)" -ne 0 ]; then
  echo "uninstall-kiosk: run as root (sudo)" >&2; exit 2
fi
UNITS=(cccd-kiosk.service cccd-kiosk-site.service)
say() { echo "uninstall-kiosk: $*"; }

if [ -z "$R" ]; then
  systemctl disable --now --quiet "${UNITS[@]}" 2>/dev/null || true
else
  systemctl --root="$R" disable "${UNITS[@]}" >/dev/null 2>&1 || true
fi
for unit in "${UNITS[@]}"; do rm -f "$R/usr/local/lib/systemd/system/$unit"; done
rm -rf "$R/usr/local/lib/cccd-kiosk" "$R/opt/cccd-kiosk"
rm -f "$R/usr/local/sbin/cccd-kiosk" "$R/etc/X11/xorg.conf.d/10-cccd-kiosk.conf" \
  "$R/usr/local/lib/sysusers.d/cccd-kiosk.conf" "$R/usr/local/lib/tmpfiles.d/cccd-kiosk.conf"
[ -n "$R" ] || systemctl daemon-reload

if ((PURGE)); then
  rm -rf "$R/etc/cccd-kiosk" "$R/var/lib/cccd-kiosk"
  if grep -q '^cccd-kiosk:' "$R/etc/passwd" 2>/dev/null; then
    userdel ${R:+--root "$R"} cccd-kiosk || say "could not remove the user cccd-kiosk"
  fi
  if grep -q '^cccd-kiosk:' "$R/etc/group" 2>/dev/null; then
    groupdel ${R:+--root "$R"} cccd-kiosk || say "could not remove the group cccd-kiosk"
  fi
  say "removed, with the configuration, the data and the user"
else
  say "removed; kept /etc/cccd-kiosk and /var/lib/cccd-kiosk (--purge removes them and the user)"
fi
