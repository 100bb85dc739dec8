"""One person's check-in, start to finish, as a state machine independent of any screen.

idle → card → key → chip → trust → face (after consent) → liveness (when asked) → destination → result → idle

Each step emits :class:`SessionEvent` objects to a listener (the UI, the CLI) and one audit line, and
its duration is recorded. Everything the session touches is injected: the card, the key source, the
camera, the matcher, the adapter, the outbox, the clock. Whatever happens, ``run`` returns a
:class:`SessionResult` and the kiosk is ready for the next person. Personal data lives only in the
local variables of one run; nothing of it is logged, and the portrait and the face encodings are
dropped when ``run`` returns.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from biometrics.errors import BiometricsError, NoUsableFace
from biometrics.frames import Frame
from biometrics.liveness import LivenessChecker
from biometrics.matcher import Matcher, Verdict
from biometrics.portrait import decode_portrait
from kiosk.adapters.base import Adapter, UpstreamError, UpstreamUnavailable
from kiosk.audit import AuditLog
from kiosk.checkin import CheckIn, Decision, Evidence, Person, Receipt
from kiosk.errors import KioskError
from kiosk.keys import QrData
from kiosk.outbox import DELIVERED, PENDING, Outbox
from kiosk.policy import ChipPolicy, evaluate
from nfc.access import AccessKey
from nfc.document import CardData, read_document
from nfc.errors import AccessDeniedError, NfcError, TransportError
from nfc.reader import ChipSession
from nfc.transport import Connection
from nfc.trust import CheckResult
from nfc.trust.csca import TrustStore

log = logging.getLogger(__name__)

STEPS = ("card", "key", "chip", "trust", "face", "liveness", "destination", "result")
CHECKED_IN, REFER, QUEUED, REFUSED, ERROR, CANCELLED = (
    "checked_in", "refer", "queued", "refused", "error", "cancelled")


@dataclass(frozen=True)
class SessionEvent:
    ref: str
    step: str
    state: str  # "started" | "done" | "failed"
    message_key: str | None = None
    elapsed_s: float = 0.0
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class SessionResult:
    ref: str
    outcome: str
    message_key: str
    timings: tuple[tuple[str, float], ...]
    decision: Decision | None = None
    receipt: Receipt | None = None
    checkin_id: str | None = None
    warnings: tuple[str, ...] = ()
    failed_step: str | None = None
    detail: str | None = None  # for staff: step, status word, check names; never personal data
    evidence: Evidence | None = None  # how the person was verified (statuses and a distance, nothing personal)

    @property
    def total_s(self) -> float:
        return sum(s for _, s in self.timings)


@dataclass(frozen=True)
class KeyInput:
    """The access key and, when it came from the card's QR code, what the QR code says (to cross-check)."""

    key: AccessKey
    qr: QrData | None = None


class _Stop(Exception):
    """Ends a run early with an outcome (refused, error, cancelled)."""

    def __init__(self, outcome: str, message_key: str, detail: str | None = None) -> None:
        super().__init__(detail or message_key)
        self.outcome, self.message_key, self.detail = outcome, message_key, detail


@dataclass
class SessionConfig:
    profile: str
    site: str
    policy: ChipPolicy
    face: bool = True
    face_timeout_s: float = 10.0
    max_frames: int = 8
    retries: int = 2


class CheckInSession:
    """Runs check-ins one after another with the same hardware, adapter and outbox."""

    def __init__(self, config: SessionConfig, *, open_card: Callable[[], Connection],
                 keys: Callable[[int], KeyInput], camera: Callable[[], Iterable[Frame]] | None,
                 matcher: Matcher | None, adapter: Adapter, outbox: Outbox, audit: AuditLog,
                 trust: TrustStore | None = None,
                 consent: Callable[[], bool] = lambda: True,
                 liveness: LivenessChecker | None = None,
                 listener: Callable[[SessionEvent], None] = lambda event: None,
                 clock: Callable[[], float] = time.perf_counter,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.config = config
        self._open_card, self._keys, self._camera = open_card, keys, camera
        self._matcher, self._adapter, self._outbox, self._audit = matcher, adapter, outbox, audit
        self._trust_store, self._consent, self._liveness = trust, consent, liveness
        self._listener, self._clock, self._now = listener, clock, now
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Stop the running check-in at the next step boundary (or the next camera frame)."""
        self._cancel.set()

    def housekeeping(self, retention_s: float | None = None) -> int:
        """Between two people: deliver the check-ins whose retry is due (an upstream back after an outage),
        and purge delivered rows older than ``retention_s``. Never raises for upstream failures; returns
        how many were delivered now."""
        delivered = sum(1 for r in self._outbox.deliver_due(lambda profile: self._adapter) if r.state == DELIVERED)
        if retention_s is not None:
            self._outbox.purge(retention_s)
        return delivered

    # -- the run -------------------------------------------------------------------------------------
    def run(self, context: Mapping[str, str] | None = None) -> SessionResult:
        """One check-in. Never raises: every failure becomes a result and the kiosk is ready again."""
        self._cancel.clear()
        ref = uuid.uuid4().hex[:12]
        timings: list[tuple[str, float]] = []
        state: dict[str, Any] = {"ref": ref, "timings": timings, "context": dict(context or {})}
        try:
            return self._run(state)
        except _Stop as stop:
            failed = state.get("step")
            self._audit.record(ref, failed or "session", stop.outcome, detail=stop.detail or stop.message_key,
                               profile=self.config.profile)
            return SessionResult(ref, stop.outcome, stop.message_key, tuple(timings), failed_step=failed,
                                 detail=stop.detail, decision=state.get("decision"))
        except Exception:  # the outermost guard: log for staff, return to idle
            log.exception("check-in %s failed unexpectedly in step %s", ref, state.get("step"))
            self._audit.record(ref, state.get("step") or "session", ERROR, detail="unexpected error",
                               profile=self.config.profile)
            return SessionResult(ref, ERROR, "kiosk.error", tuple(timings), failed_step=state.get("step"))
        finally:
            state.clear()  # drop the card data, the portrait and the face encodings now

    def _run(self, state: dict[str, Any]) -> SessionResult:
        connection = self._step(state, "card", self._card)
        try:
            data = self._read_with_retries(state, connection)
            self._step(state, "trust", lambda: self._trust(state, data))
        finally:
            connection.close()
        if self.config.face and self._matcher is not None:
            state["face"] = self._step(state, "face", lambda: self._face(data))
            if self._liveness is not None:
                state["liveness"] = self._step(state, "liveness", lambda: self._live(state))
        person = _person(data)
        decision = self._step(state, "destination", lambda: self._lookup(state, person))
        state["decision"] = decision
        outcome, key, checkin_id, receipt = self._step(state, "result",
                                                      lambda: self._result(state, data, person, decision))
        return SessionResult(state["ref"], outcome, key, tuple(state["timings"]), decision, receipt, checkin_id,
                             tuple(state.get("warnings", ())), evidence=state["evidence"])

    def _step(self, state: dict[str, Any], name: str, action: Callable[[], Any]) -> Any:
        state["step"] = name
        if self._cancel.is_set():
            raise _Stop(CANCELLED, "session.cancelled", "cancelled by the person or staff")
        self._emit(state, name, "started")
        start = self._clock()
        try:
            result = action()
        except _Stop as stop:
            elapsed = self._clock() - start
            state["timings"].append((name, elapsed))
            self._emit(state, name, "failed", stop.message_key, elapsed)
            raise
        elapsed = self._clock() - start
        state["timings"].append((name, elapsed))
        self._audit.record(state["ref"], name, "ok", seconds=elapsed, profile=self.config.profile)
        self._emit(state, name, "done", None, elapsed)
        return result

    def _emit(self, state: dict[str, Any], step: str, status: str, key: str | None = None, elapsed: float = 0.0,
              **data: Any) -> None:
        self._listener(SessionEvent(state["ref"], step, status, key, elapsed, MappingProxyType(data)))

    # -- steps ---------------------------------------------------------------------------------------
    def _card(self) -> Connection:
        try:
            return self._open_card()
        except NfcError as exc:
            raise _Stop(ERROR, exc.message_key, f"{exc.step}: {exc}") from exc

    def _read_with_retries(self, state: dict[str, Any], connection: Connection) -> CardData:
        for attempt in range(self.config.retries + 1):
            key_input = self._step(state, "key", lambda attempt=attempt: self._key(attempt))
            state["qr"] = key_input.qr
            try:
                return self._step(state, "chip", lambda key=key_input.key: self._read(connection, key))
            except _Stop as stop:
                if stop.message_key != "chip.access_denied" or attempt == self.config.retries:
                    raise
                self._audit.record(state["ref"], "chip", "key_refused", detail=stop.detail,
                                   profile=self.config.profile)
        raise AssertionError("unreachable")

    def _key(self, attempt: int) -> KeyInput:
        try:
            return self._keys(attempt)
        except (NfcError, KioskError) as exc:
            raise _Stop(REFUSED, exc.message_key, str(exc)) from exc

    def _read(self, connection: Connection, key: AccessKey) -> CardData:
        try:
            return read_document(ChipSession(connection), key, trust=self._trust_store)
        except AccessDeniedError as exc:
            raise _Stop(REFUSED, exc.message_key, f"{exc.step}: {exc}") from exc
        except TransportError as exc:
            raise _Stop(ERROR, exc.message_key, f"{exc.step}: {exc}") from exc
        except NfcError as exc:
            raise _Stop(ERROR, exc.message_key, f"{exc.step}: {exc}") from exc

    def _trust(self, state: dict[str, Any], data: CardData) -> None:
        checks = {
            "passive_authentication": data.passive_authentication,
            "active_authentication": data.active_authentication,
            "chip_authentication": data.chip_authentication,
        }
        state["checks"] = checks
        verdict = evaluate(self.config.policy, checks)
        state["warnings"] = verdict.warnings
        if not verdict.allowed:
            detail = "; ".join(f"{name}: {checks[name].status} ({checks[name].detail})" for name in verdict.failed)
            raise _Stop(REFUSED, "trust.refused", detail)
        qr = state.get("qr")
        if qr is not None and not _qr_matches_chip(qr, data):
            raise _Stop(REFUSED, "trust.qr_mismatch", "the QR code does not match the chip (ID, name or birth date)")

    def _face(self, data: CardData) -> Verdict:
        # Decree 13/2023: the face is sensitive personal data; the person agrees before the camera starts
        if not self._consent():
            raise _Stop(REFUSED, "face.consent_declined", "the person declined the camera step")
        if data.portrait is None:
            raise _Stop(REFUSED, "face.portrait_undecodable", "the chip has no portrait (DG2)")
        try:
            portrait = decode_portrait(data.portrait.image)
            verdict = self._matcher.decide(portrait, self._frames())
        except NoUsableFace as exc:
            raise _Stop(REFUSED, exc.message_key, f"{exc.where}: {exc.reason}") from exc
        except BiometricsError as exc:
            raise _Stop(ERROR, exc.message_key, str(exc)) from exc
        if not verdict.match:
            raise _Stop(REFUSED, "face.no_match",
                        f"distance {verdict.distance:.3f} above threshold {verdict.threshold:.3f}")
        return verdict

    def _live(self, state: dict[str, Any]) -> str:
        challenge = self._liveness.new_challenge()
        self._emit(state, "liveness", "challenge", challenge.message_key, challenge=challenge.value)
        try:
            result = self._liveness.check(self._frames(), challenge)
        except BiometricsError as exc:
            raise _Stop(ERROR, exc.message_key, str(exc)) from exc
        if not result.passed:
            raise _Stop(REFUSED, "face.liveness_failed", f"liveness {challenge.value}: {result.reason}")
        return "passed"

    def _frames(self) -> Iterator[Frame]:
        """Camera frames until the face step's deadline, or until cancelled."""
        deadline = self._clock() + self.config.face_timeout_s
        for frame in self._camera():
            if self._cancel.is_set() or self._clock() > deadline:
                return
            yield frame

    def _lookup(self, state: dict[str, Any], person: Person) -> Decision:
        try:
            decision = self._adapter.lookup(person, state["context"])
        except UpstreamUnavailable as exc:
            # the place's system is down: record the check-in anyway and let staff confirm by hand
            return Decision(Decision.REFER, (exc.message_key,), (f"lookup unavailable: {exc}",))
        except UpstreamError as exc:
            raise _Stop(ERROR, exc.message_key, f"lookup: {exc}") from exc
        if decision.status == Decision.REFUSED:
            raise _Stop(REFUSED, decision.reasons[0] if decision.reasons else "upstream.rejected",
                        "; ".join(decision.staff_notes) or None)
        return decision

    def _result(self, state: dict[str, Any], data: CardData, person: Person,
                decision: Decision) -> tuple[str, str, str, Receipt | None]:
        """Store the check-in durably, then deliver it; (outcome, message key, check-in id, receipt)."""
        checks: dict[str, CheckResult] = state["checks"]
        verdict: Verdict | None = state.get("face")
        evidence = Evidence(
            access=data.access,
            passive_authentication=checks["passive_authentication"].status,
            active_authentication=checks["active_authentication"].status,
            chip_authentication=checks["chip_authentication"].status,
            face_match=None if verdict is None else verdict.match,
            face_distance=None if verdict is None else round(verdict.distance, 4),
            face_threshold=None if verdict is None else verdict.threshold,
            liveness=state.get("liveness", "not_checked"),
        )
        state["evidence"] = evidence
        # the lookup's details (e.g. the BHYT result) travel with the check-in, encrypted in the outbox
        context = {**state["context"], **decision.details, "decision": decision.status}
        checkin = CheckIn(self.config.profile, self.config.site, person, evidence, self._now(),
                          context=MappingProxyType(context))
        self._outbox.enqueue(checkin)  # durable before anything is sent
        delivery = self._outbox.deliver(checkin, self._adapter)
        if delivery.state == DELIVERED:
            outcome = CHECKED_IN if decision.cleared else REFER
            key = "result.checked_in" if decision.cleared else (decision.reasons or ("result.refer",))[0]
        elif delivery.state == PENDING:
            outcome, key = QUEUED, "upstream.unavailable"
        else:
            outcome, key = REFER, "upstream.rejected"
        self._audit.record(state["ref"], "checkin", outcome, detail=f"checkin {checkin.checkin_id}",
                           profile=self.config.profile)
        return outcome, key, checkin.checkin_id, delivery.receipt


def _person(data: CardData) -> Person:
    citizen, mrz = data.citizen, data.mrz
    id_number = (citizen.id_number if citizen and citizen.id_number else mrz.national_id_number) or mrz.document_number
    name = (citizen.full_name if citizen and citizen.full_name
            else f"{mrz.primary_identifier} {mrz.secondary_identifier}")
    born = citizen.date_of_birth if citizen and citizen.date_of_birth else mrz.date_of_birth
    return Person(id_number, name.strip(), born, mrz.sex or (citizen.sex_code if citizen else None),
                  birth_year_only=bool(citizen and citizen.date_of_birth is None and citizen.date_of_birth_text))


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _qr_matches_chip(qr: QrData, data: CardData) -> bool:
    person = _person(data)
    if qr.id_number != person.id_number:
        return False
    if qr.full_name and _fold(qr.full_name) != _fold(person.full_name):
        return False
    return not (qr.date_of_birth and person.date_of_birth and qr.date_of_birth != person.date_of_birth)
