"""Offline first: the site store when it answers, this kiosk's own SQLite when it does not.

Every check-in this kiosk records is also kept in its local store. When the site store cannot be reached,
the kiosk goes on with its own records (and its cached roster): a check-in is then recorded locally as
*unconfirmed*, and the person is told nothing alarming. :meth:`OfflineFirstStore.reconcile` (run by the
background worker) pushes unconfirmed rows to the site store once it is back; a repeat found then is kept,
flagged ``reconciled``, and shown in the attendance export and on the site page, never dropped.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.adapters.roster import Candidate
from kiosk.store.base import SiteStore, StoreUnavailable
from kiosk.store.postgres import PostgresStore
from kiosk.store.records import Attendance, AttendanceStatus, Claim, Clearance, KioskStatus
from kiosk.store.sqlite import SqliteStore

log = logging.getLogger(__name__)

_ROSTER_AAD = b"kiosk roster cache v1"


@dataclass(frozen=True)
class Reconciliation:
    pushed: int = 0  # unconfirmed check-ins that reached the site store
    flagged: int = 0  # of them, repeats of a candidate already present at another kiosk


class RosterCache:
    """The site's roster kept on this kiosk for offline use, encrypted with the outbox key (AES-GCM)."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = Path(path)
        self._aead = AESGCM(key)

    def save(self, candidates: Sequence[Candidate]) -> None:
        rows = [{**{k: getattr(c, k) for k in Candidate.__dataclass_fields__},
                 "date_of_birth": c.date_of_birth.isoformat() if c.date_of_birth else None} for c in candidates]
        nonce = os.urandom(12)
        blob = nonce + self._aead.encrypt(nonce, json.dumps(rows, ensure_ascii=False).encode(), _ROSTER_AAD)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(base64.b64encode(blob))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)

    def load(self) -> tuple[Candidate, ...] | None:
        try:
            blob = base64.b64decode(self.path.read_bytes())
            plain = self._aead.decrypt(blob[:12], blob[12:], _ROSTER_AAD)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, InvalidTag):
            log.warning("the cached roster cannot be read; ignored")
            return None
        rows = json.loads(plain)
        return tuple(Candidate(**{**r, "date_of_birth": date.fromisoformat(r["date_of_birth"])
                                  if r["date_of_birth"] else None}) for r in rows)


class OfflineFirstStore(SiteStore):
    """``remote`` (the site's PostgreSQL) first, ``local`` (this kiosk's SQLite) as record and fallback."""

    kind = "postgres+sqlite"

    def __init__(self, remote: PostgresStore, local: SqliteStore, *, roster_cache: RosterCache | None = None) -> None:
        super().__init__(remote.site, remote.kiosk)
        self.remote, self.local, self.roster_cache = remote, local, roster_cache

    @property
    def offline_since(self):
        return self.remote.offline_since

    # -- exam attendance ------------------------------------------------------------------------------
    def claim_attendance(self, row: Attendance) -> Claim:
        row = replace(row, kiosk=self.kiosk)
        try:
            claim = self.remote.claim_attendance(row)
        except StoreUnavailable:
            claim = self.local.claim_attendance(replace(row, confirmed=False))
            log.warning("exam check-in ref=%s recorded on this kiosk only (site store offline)", row.reference)
            return claim
        if claim.stored.kiosk == self.kiosk:
            self.local.record(claim.stored)
        return claim

    def present(self, session: str, candidate_key: str) -> Attendance | None:
        try:
            return self.remote.present(session, candidate_key)
        except StoreUnavailable:
            return self.local.present(session, candidate_key)

    def attendance(self, session: str) -> list[Attendance]:
        try:
            return self.remote.attendance(session)
        except StoreUnavailable:
            log.warning("site store offline: the attendance holds this kiosk's check-ins only")
            return self.local.attendance(session)

    def unconfirmed(self) -> int:
        return len(self.local.unconfirmed()) + len(self.local.unconfirmed_clearances())

    def reconcile(self) -> Reconciliation:
        """Push this kiosk's unconfirmed check-ins to the site store (stops quietly while it is offline)."""
        pushed = flagged = 0
        try:
            for row in self.local.unconfirmed():
                # a row this kiosk took as present is marked: if it is refused now, the repeat was found here
                found_late = row.status == AttendanceStatus.PRESENT
                claim = self.remote.claim_attendance(replace(row, confirmed=True, reconciled=found_late))
                stored = claim.stored
                if found_late and stored.status == AttendanceStatus.DUPLICATE and not claim.replay:
                    flagged += 1
                    log.warning("exam check-in ref=%s reconciled as a repeat (first ref=%s)", row.reference,
                                stored.first_reference)
                self.local.record(replace(stored, confirmed=True))
                pushed += 1
            for clearance in self.local.unconfirmed_clearances():
                self.remote.add_clearance(clearance)
                self.local.confirm_clearance(clearance.checkin_id)
                pushed += 1
        except StoreUnavailable:
            pass
        return Reconciliation(pushed, flagged)

    # -- exam roster ----------------------------------------------------------------------------------
    def save_roster(self, candidates: Sequence[Candidate]) -> int:
        count = self.remote.save_roster(candidates)
        if self.roster_cache is not None:
            self.roster_cache.save(candidates)
        return count

    def roster(self) -> tuple[Candidate, ...] | None:
        """The site's roster (cached on this kiosk), or the cached copy while the site store is offline."""
        try:
            found = self.remote.roster()
        except StoreUnavailable:
            return self.roster_cache.load() if self.roster_cache is not None else None
        if found is not None and self.roster_cache is not None:
            self.roster_cache.save(found)
        return found

    # -- local queue, airport, kiosks -----------------------------------------------------------------
    def queue_number(self, checkin_id: str, day: str) -> tuple[int, bool]:
        return self.remote.queue_number(checkin_id, day)  # unique per site and day: only the site can number

    def add_clearance(self, clearance: Clearance) -> tuple[Clearance, bool]:
        try:
            stored, again = self.remote.add_clearance(clearance)
        except StoreUnavailable:
            return self.local.add_clearance(clearance, confirmed=False)
        self.local.add_clearance(stored)
        return stored, again

    def heartbeat(self, status: KioskStatus) -> None:
        self.local.heartbeat(status)
        self.remote.heartbeat(status)

    def kiosks(self) -> list[KioskStatus]:
        try:
            return self.remote.kiosks()
        except StoreUnavailable:
            return self.local.kiosks()

    def close(self) -> None:
        self.local.close()
