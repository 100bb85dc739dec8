"""The site store's one interface, with two implementations: embedded SQLite (one kiosk, the default) and
PostgreSQL (every kiosk of a site shares it).

Uniqueness is the database's job, never a read-then-write: an exam check-in is inserted with "do nothing
on conflict" against a unique index on (site, session, candidate) for present rows, and only when that
insert was refused is the first check-in read back, to flag the repeat. Every method may raise
:class:`StoreUnavailable` (the store cannot be reached or failed); nothing else escapes.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence

from kiosk.adapters.roster import Candidate
from kiosk.errors import KioskError
from kiosk.store.records import Attendance, Claim, Clearance, KioskStatus


class StoreUnavailable(KioskError):
    """The site store cannot be reached, or failed mid-call; the kiosk goes on with what it has."""

    message_key = "upstream.unavailable"


class StoreError(KioskError):
    """The site store is reachable but unusable (wrong schema version, refused credentials, bad URL)."""

    message_key = "kiosk.error"


class SiteStore(abc.ABC):
    """Where a site keeps what its kiosks share. ``site`` scopes every row; ``kiosk`` names this kiosk."""

    kind: str = "store"

    def __init__(self, site: str, kiosk: str) -> None:
        self.site = site
        self.kiosk = kiosk

    # -- exam attendance ------------------------------------------------------------------------------
    @abc.abstractmethod
    def claim_attendance(self, row: Attendance) -> Claim:
        """Record ``row`` as present once per candidate and session, else as a flagged repeat; a
        ``checkin_id`` stored before is answered as a replay (unchanged)."""

    @abc.abstractmethod
    def present(self, session: str, candidate_key: str) -> Attendance | None:
        """The candidate's present row in ``session``, from any kiosk of the site."""

    @abc.abstractmethod
    def attendance(self, session: str) -> list[Attendance]:
        """Every row of ``session`` (present and repeats), in check-in order."""

    # -- exam roster ----------------------------------------------------------------------------------
    def save_roster(self, candidates: Sequence[Candidate]) -> int:
        """Replace the site's roster; returns how many candidates are stored."""
        raise StoreError(f"the {self.kind} store keeps no roster: set a site store (KIOSK_SITE_STORE)")

    def roster(self) -> tuple[Candidate, ...] | None:
        """The site's imported roster, or None when none was imported."""
        return None

    # -- local queue ----------------------------------------------------------------------------------
    @abc.abstractmethod
    def queue_number(self, checkin_id: str, day: str) -> tuple[int, bool]:
        """(number, new) for ``checkin_id``: the same number again for a replay."""

    # -- airport --------------------------------------------------------------------------------------
    @abc.abstractmethod
    def add_clearance(self, clearance: Clearance) -> tuple[Clearance, bool]:
        """(stored, was there already) for ``clearance``, once per ``checkin_id``."""

    # -- kiosks ---------------------------------------------------------------------------------------
    @abc.abstractmethod
    def heartbeat(self, status: KioskStatus) -> None:
        """Publish this kiosk's status (the store sets ``last_seen``)."""

    @abc.abstractmethod
    def kiosks(self) -> list[KioskStatus]:
        """Every kiosk of the site with its last status, by name."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection (idempotent)."""
