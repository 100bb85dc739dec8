"""Airport security lane: does the scanned boarding pass belong to the verified card holder, today, here?

``lookup(person, {"boarding_pass": text})`` parses the IATA BCBP text (:mod:`kiosk.adapters.bcbp`),
picks the leg departing from this airport, and decides:

- ``cleared`` when the name matches (exactly, or cut to fit the 20-character field), the flight date
  (day of the year in the barcode) is today in the airport's time zone and the leg departs here;
- ``refer`` (staff must look) otherwise, with message keys as reasons, most important first; a swapped
  surname / given-name order is always referred.

``submit`` records the clearance in a small local SQLite file (or an injected store), once per
``checkin_id``, and answers a :class:`Receipt` whose ``display`` carries the decision, flight and seat.
The date is judged at ``checkin.created_at``, not at delivery time, so a delayed delivery gives the same
answer. Log lines carry the check-in reference only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

from kiosk.adapters.base import Adapter, UpstreamRejected, UpstreamUnavailable
from kiosk.adapters.bcbp import BcbpError, BoardingPass, Leg, parse_bcbp
from kiosk.checkin import CheckIn, Decision, DecisionStatus, GateClearance, Person, Receipt
from kiosk.names import NameMatchKind, match_boarding_pass_name, parse_iata_name
from kiosk.store.base import SiteStore, StoreError, StoreUnavailable
from kiosk.store.records import Clearance
from kiosk.store.sqlite import SqliteStore

__all__ = ["AirportAdapter", "Clearance", "ClearanceStore", "SiteClearanceStore", "SqliteClearanceStore"]

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
CONTEXT_KEY = "boarding_pass"

# name-match reason codes (kiosk.names) → what staff are told
_STAFF_NOTES = {
    "given_name_truncated": "name cut to 20 characters in the barcode; the visible part matches",
    "surname_truncated": "surname cut to 20 characters in the barcode; the visible part matches",
    "surname_boundary_differs": "booked with a compound surname; same words in the same order",
    "surname_given_swapped": "surname and given names swapped in the booking: check the passenger's papers",
    "surname_differs": "surname on the boarding pass differs from the card",
    "given_name_differs": "given names on the boarding pass differ from the card",
    "title_glued": "title written without a space",
}


class ClearanceStore:
    """Where clearances are kept; ``add`` returns the stored one and whether it was there already."""

    def add(self, clearance: Clearance) -> tuple[Clearance, bool]:  # pragma: no cover - interface
        raise NotImplementedError


class SiteClearanceStore(ClearanceStore):
    """Clearances in a site store (:mod:`kiosk.store`): this lane's SQLite, or the site's PostgreSQL."""

    def __init__(self, store: SiteStore) -> None:
        self.store = store

    def add(self, clearance: Clearance) -> tuple[Clearance, bool]:
        try:
            return self.store.add_clearance(clearance)
        except (StoreUnavailable, StoreError) as exc:
            raise UpstreamUnavailable("the clearance store failed", step="airport.store") from exc

    def reconcile(self):
        reconcile = getattr(self.store, "reconcile", None)
        return reconcile() if reconcile is not None else None

    def close(self) -> None:
        self.store.close()


class SqliteClearanceStore(SiteClearanceStore):
    """One small SQLite table keyed by ``checkin_id`` (WAL, durable on commit)."""

    def __init__(self, path: str | Path) -> None:
        try:
            super().__init__(SqliteStore(path))
        except StoreUnavailable as exc:
            raise UpstreamUnavailable("the local clearance store cannot be opened", step="airport.store") from exc
        self._db = self.store.connection


def _choose_leg(bp: BoardingPass, airport: str, today_day: int) -> Leg | None:
    here = bp.legs_from(airport)
    if not here:
        return None
    today = [leg for leg in here if leg.flight_day == today_day]
    return (today or here)[0]


def _boarding_pass(text: str | None) -> tuple[BoardingPass | None, Decision | None]:
    """The parsed boarding pass, or the decision to ask for one that can be read."""
    if not text or not text.strip():
        return None, Decision(Decision.REFER, ("airport.boarding_pass_missing",), ("no boarding pass was scanned",))
    try:
        return parse_bcbp(text), None
    except BcbpError as exc:
        return None, Decision(Decision.REFER, (BcbpError.message_key,), (f"boarding pass unreadable: {exc}",))


class AirportAdapter(Adapter):
    """The airport profile. ``airport_code`` is this airport's IATA code (e.g. ``"HAN"``)."""

    name = "airport"

    def __init__(self, airport_code: str, *, store: ClearanceStore | None = None,
                 database: str | Path | None = None, timezone: str = DEFAULT_TIMEZONE,
                 clock: Callable[[], datetime] | None = None) -> None:
        code = airport_code.strip().upper()
        if len(code) != 3 or not code.isalpha():
            raise ValueError("airport_code must be a three-letter IATA code")
        self.airport_code = code
        self.tz = ZoneInfo(timezone)
        self._clock = clock or (lambda: datetime.now(self.tz))
        if store is None:
            store = SqliteClearanceStore(database if database is not None else ":memory:")
        self.store = store

    @classmethod
    def from_config(cls, table: Mapping[str, object], *, base_dir: str | Path = ".",
                    clock: Callable[[], datetime] | None = None, store: SiteStore | None = None) -> AirportAdapter:
        """Build from the profile's ``[airport]`` table (see the module's README section); with a site
        ``store``, clearances are kept there."""
        database = table.get("database")
        if database is not None and str(database) != ":memory:":
            database = Path(base_dir) / str(database)
        return cls(str(table["airport_code"]), database=database,  # type: ignore[arg-type]
                   store=None if store is None else SiteClearanceStore(store),
                   timezone=str(table.get("timezone", DEFAULT_TIMEZONE)), clock=clock)

    def reconcile(self):
        """Push clearances kept while the site store was offline."""
        reconcile = getattr(self.store, "reconcile", None)
        return reconcile() if reconcile is not None else None

    # -- decision -------------------------------------------------------------------------------------

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.tz)
        return moment.astimezone(self.tz)

    requires = (CONTEXT_KEY,)

    def precheck(self, context: Mapping[str, str]) -> Decision:
        """The boarding pass comes first: without a readable one, the card and the face are not asked for."""
        _, problem = _boarding_pass(context.get(CONTEXT_KEY))
        return problem or Decision(Decision.CLEARED)

    def decide(self, person: Person, text: str | None, at: datetime) -> tuple[Decision, Leg | None]:
        """The decision for ``person`` presenting boarding pass ``text`` at moment ``at``."""
        bp, problem = _boarding_pass(text)
        if problem is not None:
            return problem, None

        today = self._local(at).timetuple().tm_yday
        leg = _choose_leg(bp, self.airport_code, today)
        reasons: list[str] = []
        notes: list[str] = []
        details: dict[str, str] = {"legs": str(len(bp.legs))}
        if leg is None:
            reasons.append("airport.wrong_airport")
            leg = bp.legs[0]
            notes.append(f"no leg departs from {self.airport_code}; first leg departs from {leg.from_airport}")
        details.update(flight=leg.flight, seat=leg.seat_display, from_airport=leg.from_airport,
                       to_airport=leg.to_airport, flight_day=str(leg.flight_day or ""))
        if leg.flight_day != today:
            reasons.append("airport.flight_not_today")
            notes.append(f"flight day of year {leg.flight_day or 'blank'}, today is {today}")

        match = match_boarding_pass_name(person.full_name, parse_iata_name(bp.name_field))
        details["name_match"] = match.kind.value
        if match.kind is NameMatchKind.SWAPPED:
            reasons.append("airport.name_order_swapped")
        elif match.kind is NameMatchKind.MISMATCH:
            reasons.append("airport.name_mismatch")
        notes += [_STAFF_NOTES[r] for r in match.reasons if r in _STAFF_NOTES]
        if leg.passenger_status in {"0", "2"}:
            notes.append(f"passenger status {leg.passenger_status}: not checked in with the airline")
        if bp.padded:
            notes.append("the scanner dropped trailing spaces; the text was padded")

        if reasons:
            return Decision(Decision.REFER, tuple(reasons), tuple(notes), MappingProxyType(details)), leg
        return Decision(Decision.CLEARED, ("airport.cleared",), tuple(notes), MappingProxyType(details)), leg

    def lookup(self, person: Person, context: Mapping[str, str]) -> Decision:
        decision, _ = self.decide(person, context.get(CONTEXT_KEY), self._clock())
        return decision

    # -- submission -----------------------------------------------------------------------------------

    def submit(self, checkin: CheckIn) -> Receipt:
        decision, leg = self.decide(checkin.person, checkin.context.get(CONTEXT_KEY), checkin.created_at)
        if leg is None:
            raise UpstreamRejected("no readable boarding pass in the check-in", step="airport.submit",
                                   code="boarding_pass")
        clearance = Clearance(
            checkin_id=checkin.checkin_id,
            reference=f"AP-{checkin.checkin_id[:12].upper()}",
            decision=decision.status,
            flight=leg.flight,
            seat=leg.seat_display,
            flight_day=leg.flight_day,
            recorded_at=self._local(self._clock()).isoformat(timespec="seconds"),
        )
        stored, duplicate = self.store.add(clearance)
        log.info("airport clearance ref=%s decision=%s duplicate=%s", stored.reference, stored.decision, duplicate)
        return Receipt(stored.reference,
                       GateClearance(DecisionStatus(stored.decision), stored.flight, stored.seat or None),
                       duplicate=duplicate)
