"""The machine under the kiosk: trust anchors and their expiry, the clock, and room for the outbox."""

from __future__ import annotations

import ctypes
import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from kiosk.doctor.result import CheckName, CheckResult, failed, passed, warned
from kiosk.errors import KioskError
from nfc.errors import NfcError
from nfc.trust.store import TrustStore

EXPIRY_WARN_DAYS = 90  # a new CSCA takes weeks to obtain and roll out to every kiosk
DISK_FAIL_BYTES = 100 * 2**20
DISK_WARN_BYTES = 1024 * 2**20
MAX_CLOCK_ERROR_US = 16_000_000  # what systemd-timedated calls synchronized (the kernel's largest maxerror)


def trust_check(store: TrustStore | Callable[[], TrustStore], *, now: dt.datetime | None = None) -> CheckResult:
    """The CSCAs loaded and the days until the earliest one still valid expires."""
    try:
        store = store() if callable(store) else store
    except (KioskError, NfcError, OSError, ValueError) as exc:
        return failed(CheckName.TRUST, f"the trust anchors cannot be loaded: {exc}", "doctor.trust_missing")
    now = now or dt.datetime.now(dt.UTC)
    anchors = store.anchors
    if not anchors:
        return failed(CheckName.TRUST, "no CSCA is loaded: Passive Authentication cannot succeed",
                      "doctor.trust_missing", anchors=0)
    valid = [a for a in anchors if a.not_before <= now <= a.not_after]
    if not valid:
        return failed(CheckName.TRUST, f"all {len(anchors)} CSCAs are outside their validity now",
                      "doctor.trust_expired", anchors=len(anchors))
    earliest = min(a.not_after for a in valid)
    days = (earliest - now).days
    detail = f"{len(valid)} CSCA valid now; the earliest expires in {days} days ({earliest.date().isoformat()})"
    facts = {"anchors": len(anchors), "valid": len(valid), "days_to_expiry": days,
             "earliest_expiry": earliest.date().isoformat()}
    if days < EXPIRY_WARN_DAYS:
        return warned(CheckName.TRUST, detail, "doctor.trust_expiring", **facts)
    return passed(CheckName.TRUST, detail, **facts)


class _Timex(ctypes.Structure):
    """``struct timex`` of adjtimex(2) on Linux (the fields up to ``tai``, then the kernel's padding)."""

    _fields_ = [("modes", ctypes.c_uint), ("offset", ctypes.c_long), ("freq", ctypes.c_long),
                ("maxerror", ctypes.c_long), ("esterror", ctypes.c_long), ("status", ctypes.c_int),
                ("constant", ctypes.c_long), ("precision", ctypes.c_long), ("tolerance", ctypes.c_long),
                ("tv_sec", ctypes.c_long), ("tv_usec", ctypes.c_long), ("tick", ctypes.c_long),
                ("ppsfreq", ctypes.c_long), ("jitter", ctypes.c_long), ("shift", ctypes.c_int),
                ("stabil", ctypes.c_long), ("jitcnt", ctypes.c_long), ("calcnt", ctypes.c_long),
                ("errcnt", ctypes.c_long), ("stbcnt", ctypes.c_long), ("tai", ctypes.c_int),
                ("padding", ctypes.c_int * 11)]


def kernel_clock_error_us() -> int | None:
    """The kernel's estimate of the clock's maximum error (µs), None where adjtimex is not available.

    An NTP client (systemd-timesyncd, chrony) brings it down while it disciplines the clock; it grows
    (and saturates at 16 s) when nothing does."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        timex = _Timex()
        if libc.adjtimex(ctypes.byref(timex)) < 0:
            return None
    except (OSError, AttributeError):
        return None
    return int(timex.maxerror)


def clock_check(error_us: Callable[[], int | None] = kernel_clock_error_us) -> CheckResult:
    error = error_us()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    if error is None:
        return warned(CheckName.CLOCK, f"cannot ask the kernel whether the clock is synchronized (now {now})",
                      "doctor.clock_unsynced")
    if error >= MAX_CLOCK_ERROR_US:
        return failed(CheckName.CLOCK, f"the clock is not synchronized by NTP (now {now} UTC)",
                      "doctor.clock_unsynced", max_error_s=error / 1e6)
    return passed(CheckName.CLOCK, f"the clock is synchronized (maximum error {error / 1e3:.0f} ms)",
                  max_error_s=error / 1e6)


def disk_check(data_dir: Path) -> CheckResult:
    """Free space and write access where the outbox lives (its nearest existing folder, before first run)."""
    existing = data_dir
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    usage = shutil.disk_usage(existing)
    facts = {"path": str(data_dir), "free_bytes": usage.free}
    free = f"{usage.free / 2**20:,.0f} MiB free"
    if not os.access(existing, os.W_OK):
        return failed(CheckName.DISK, f"{existing} is not writable by this user ({free})", "doctor.disk_not_writable",
                      **facts)
    if usage.free < DISK_FAIL_BYTES:
        return failed(CheckName.DISK, f"{free} for the outbox in {data_dir}", "doctor.disk_full", **facts)
    if usage.free < DISK_WARN_BYTES:
        return warned(CheckName.DISK, f"only {free} for the outbox in {data_dir}", "doctor.disk_low", **facts)
    return passed(CheckName.DISK, f"{free} for the outbox in {data_dir}", **facts)
