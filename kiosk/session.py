"""One person's check-in, start to finish, as a state machine independent of any screen.

idle → precheck (what the destination needs first) → card → consent → key → chip → trust → face →
liveness (when asked) → destination → result → idle

Each step emits :class:`SessionEvent` objects to a listener (the UI, the CLI) and one audit line, and
its duration is recorded. Everything the session touches is injected: the card, the key source, the
camera, the matcher, the adapter, the outbox, the clock. Whatever happens, ``run`` returns a
:class:`SessionResult` and the kiosk is ready for the next person; a run that is not a plain check-in
carries the one :class:`~kiosk.outcomes.Failure` the session built for it. Personal data lives only in
the :class:`_Run` of one run; nothing of it is logged, and the portrait and the face encodings are
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

import numpy as np

from biometrics.capture import LiveCapture
from biometrics.decision import FaceDecision
from biometrics.errors import BiometricsError
from biometrics.frames import Frame
from biometrics.liveness import LivenessChecker, Prompt
from biometrics.matcher import Matcher, Verdict
from biometrics.portrait import decode_portrait
from kiosk.adapters.base import Adapter, UpstreamError, UpstreamUnavailable
from kiosk.audit import AuditLog
from kiosk.checkin import CheckIn, Decision, Evidence, Person, Receipt
from kiosk.errors import KeyEntryCancelled, KioskError
from kiosk.failures import biometric_failure, nfc_failure
from kiosk.key_source import KeyInput, KeySource
from kiosk.keys import QrData
from kiosk.outbox import DeliveryResult, DeliveryState, Outbox
from kiosk.outcomes import EventState, Failure, FailureKind, Outcome, Step
from kiosk.policy import ChipPolicy, evaluate
from nfc.access import AccessKey
from nfc.document import CardData, read_document
from nfc.errors import NfcError
from nfc.reader import ChipSession
from nfc.transport import Connection
from nfc.trust import CheckResult
from nfc.trust.store import TrustStore

log = logging.getLogger(__name__)

_NO_DATA: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class SessionEvent:
    ref: str
    step: Step
    state: EventState
    message_key: str | None = None
    elapsed_s: float = 0.0
    data: Mapping[str, Any] = field(default_factory=lambda: _NO_DATA)


@dataclass(frozen=True)
class SessionResult:
    """How one run ended. ``message_key`` is what the person reads: the destination's own words on
    success, the failure's otherwise. ``failure`` is None only for a plain check-in (or one queued)."""

    ref: str
    outcome: Outcome
    message_key: str
    timings: tuple[tuple[Step, float], ...]
    decision: Decision | None = None
    receipt: Receipt | None = None
    checkin_id: str | None = None
    warnings: tuple[str, ...] = ()
    failure: Failure | None = None
    evidence: Evidence | None = None  # how the person was verified (statuses and a distance, nothing personal)
    face_review: FaceReview | None = None  # a face referred to staff: what they compare (in memory only)

    @property
    def total_s(self) -> float:
        return sum(s for _, s in self.timings)

    @property
    def failed_step(self) -> Step | None:
        return None if self.failure is None else self.failure.step

    @property
    def detail(self) -> str | None:
        """For staff: step, status word, check names; never personal data."""
        return None if self.failure is None else self.failure.detail

    @property
    def params(self) -> Mapping[str, str]:
        return _NO_DATA if self.failure is None else self.failure.params


@dataclass(frozen=True, eq=False)
class FaceReview:
    """For a face the matcher could not decide: the chip portrait and the best live frame, to be shown side by
    side on the operator panel for a person's decision. Held in memory by the result only; never stored,
    logged or sent, and gone when the screen moves on to the next person."""

    portrait: np.ndarray = field(repr=False)
    live: np.ndarray = field(repr=False)
    distance: float


class _Stop(Exception):
    """Ends a run early with an outcome and its failure."""

    def __init__(self, outcome: Outcome, failure: Failure) -> None:
        super().__init__(failure.detail or failure.message_key)
        self.outcome, self.failure = outcome, failure


def _stop(outcome: Outcome, kind: FailureKind, message_key: str, step: Step, detail: str | None = None,
          **extra: Any) -> _Stop:
    return _Stop(outcome, Failure(kind, message_key, step, detail, **extra))


@dataclass
class SessionConfig:
    profile: str
    site: str
    policy: ChipPolicy
    face: bool = True
    face_timeout_s: float = 10.0
    max_frames: int = 8
    retries: int = 2


@dataclass
class _Run:
    """What one run knows. Personal data (card data, QR, face verdict) lives here and nowhere else."""

    ref: str
    context: dict[str, str]
    timings: list[tuple[Step, float]] = field(default_factory=list)
    step: Step | None = None
    qr: QrData | None = None
    checks: dict[str, CheckResult] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    face: Verdict | None = None
    liveness: str = "not_checked"
    decision: Decision | None = None
    evidence: Evidence | None = None
    capture: LiveCapture | None = None  # the camera's frames ranked and encoded while the chip is read
    review: FaceReview | None = None

    def forget(self) -> None:
        if self.capture is not None:
            self.capture.stop()
        self.context.clear()
        self.qr = self.face = self.decision = self.capture = self.review = None


class CheckInSession:
    """Runs check-ins one after another with the same hardware, adapter and outbox."""

    def __init__(self, config: SessionConfig, *, open_card: Callable[[], Connection],
                 keys: KeySource, camera: Callable[[], Iterable[Frame]] | None,
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

    @property
    def face_check(self) -> bool:
        return self.config.face and self._matcher is not None

    @property
    def steps(self) -> tuple[Step, ...]:
        """The steps a run of this session takes, in order: the one list the screen and the CLI show."""
        steps = [Step.PRECHECK] if self._adapter.requires else []
        steps += [Step.CARD, Step.CONSENT] if self.face_check else [Step.CARD]
        steps += [Step.KEY, Step.CHIP, Step.TRUST]
        if self.face_check:
            steps += [Step.FACE, Step.LIVENESS] if self._liveness is not None else [Step.FACE]
        return (*steps, Step.DESTINATION, Step.RESULT)

    @property
    def requires(self) -> tuple[str, ...]:
        """What the person must give besides the card, before it (e.g. ``boarding_pass``)."""
        return self._adapter.requires

    def cancel(self) -> None:
        """Stop the running check-in at the next step boundary (or the next camera frame)."""
        self._cancel.set()

    # -- the run -------------------------------------------------------------------------------------
    def run(self, context: Mapping[str, str] | None = None) -> SessionResult:
        """One check-in. Never raises: every failure becomes a result and the kiosk is ready again."""
        self._cancel.clear()
        run = _Run(uuid.uuid4().hex[:12], dict(context or {}))
        try:
            return self._run(run)
        except _Stop as stop:
            failure = stop.failure
            self._audit.record(run.ref, failure.step, stop.outcome, detail=failure.detail or failure.message_key,
                               profile=self.config.profile)
            return SessionResult(run.ref, stop.outcome, failure.message_key, tuple(run.timings),
                                 decision=run.decision, failure=failure, face_review=run.review)
        except Exception:  # the outermost guard: log for staff, return to idle
            log.exception("check-in %s failed unexpectedly in step %s", run.ref, run.step)
            step = run.step or Step.CARD
            self._audit.record(run.ref, step, Outcome.ERROR, detail="unexpected error", profile=self.config.profile)
            failure = Failure(FailureKind.RETRY, "kiosk.error", step, "unexpected error (see the kiosk's log)")
            return SessionResult(run.ref, Outcome.ERROR, failure.message_key, tuple(run.timings), failure=failure)
        finally:
            run.forget()  # drop the card data, the portrait and the face encodings now

    def _run(self, run: _Run) -> SessionResult:
        if self._adapter.requires:
            self._step(run, Step.PRECHECK, lambda: self._precheck(run))
        connection = self._step(run, Step.CARD, self._card)
        try:
            if self.face_check:
                self._step(run, Step.CONSENT, self._ask_consent)
            data = self._read_with_retries(run, connection)
            self._step(run, Step.TRUST, lambda: self._trust(run, data))
        except BaseException:
            if run.capture is not None:
                run.capture.stop()  # the card was removed or refused: the camera stops at once
            raise
        finally:
            connection.close()
        if self.face_check:
            run.face = self._step(run, Step.FACE, lambda: self._face(run, data))
            if self._liveness is not None:
                run.liveness = self._step(run, Step.LIVENESS, lambda: self._live(run))
        person = _person(data)
        run.decision = self._step(run, Step.DESTINATION, lambda: self._lookup(run, person))
        checkin_id, delivery = self._step(run, Step.RESULT, lambda: self._store(run, data, person))
        outcome, key, failure = _ending(run.decision, delivery)
        self._audit.record(run.ref, "checkin", outcome, detail=f"checkin {checkin_id}", profile=self.config.profile)
        return SessionResult(run.ref, outcome, key, tuple(run.timings), run.decision, delivery.receipt, checkin_id,
                             run.warnings, failure, run.evidence)

    def _step(self, run: _Run, step: Step, action: Callable[[], Any]) -> Any:
        run.step = step
        if self._cancel.is_set():
            raise _stop(Outcome.CANCELLED, FailureKind.CANCELLED, "session.cancelled", step,
                        "cancelled by the person or staff")
        self._emit(run, step, EventState.STARTED)
        start = self._clock()
        try:
            result = action()
        except _Stop as stop:
            elapsed = self._clock() - start
            run.timings.append((step, elapsed))
            self._emit(run, step, EventState.FAILED, stop.failure.message_key, elapsed)
            raise
        elapsed = self._clock() - start
        run.timings.append((step, elapsed))
        self._audit.record(run.ref, step, "ok", seconds=elapsed, profile=self.config.profile)
        self._emit(run, step, EventState.DONE, None, elapsed)
        return result

    def _emit(self, run: _Run, step: Step, state: EventState, key: str | None = None, elapsed: float = 0.0,
              **data: Any) -> None:
        self._listener(SessionEvent(run.ref, step, state, key, elapsed, MappingProxyType(data)))

    # -- steps ---------------------------------------------------------------------------------------
    def _precheck(self, run: _Run) -> None:
        decision = self._adapter.precheck(run.context)
        if not decision.cleared:
            raise _stop(Outcome.REFUSED, FailureKind.RETRY, (decision.reasons or ("upstream.rejected",))[0],
                        Step.PRECHECK, "; ".join(decision.staff_notes) or None, params=decision.params)

    def _card(self) -> Connection:
        try:
            return self._open_card()
        except NfcError as exc:
            raise _Stop(*nfc_failure(exc, Step.CARD)) from exc

    def _ask_consent(self) -> None:
        # Decree 13/2023: the face is sensitive personal data; the person agrees before the camera starts
        if not self._consent():
            raise _stop(Outcome.REFUSED, FailureKind.DECLINED, "face.consent_declined", Step.CONSENT,
                        "the person declined the camera step")

    def _read_with_retries(self, run: _Run, connection: Connection) -> CardData:
        for attempt in range(self.config.retries + 1):
            key_input = self._step(run, Step.KEY, lambda attempt=attempt: self._key(attempt))
            run.qr = key_input.qr
            self._start_capture(run)  # the key is known, so the camera is free of the QR code
            try:
                return self._step(run, Step.CHIP, lambda key=key_input.key: self._read(connection, key))
            except _Stop as stop:
                if stop.failure.kind is not FailureKind.NEW_KEY or attempt == self.config.retries:
                    raise
                self._audit.record(run.ref, Step.CHIP, "key_refused", detail=stop.failure.detail,
                                   profile=self.config.profile)
        raise AssertionError("unreachable")

    def _key(self, attempt: int) -> KeyInput:
        try:
            return self._keys(attempt)
        except KeyEntryCancelled as exc:
            raise _stop(Outcome.REFUSED, FailureKind.CANCELLED, exc.message_key, Step.KEY, str(exc)) from exc
        except (NfcError, KioskError) as exc:
            raise _stop(Outcome.REFUSED, FailureKind.RETRY, exc.message_key, Step.KEY, str(exc)) from exc

    def _read(self, connection: Connection, key: AccessKey) -> CardData:
        try:
            return read_document(ChipSession(connection), key, trust=self._trust_store)
        except NfcError as exc:
            raise _Stop(*nfc_failure(exc, Step.CHIP)) from exc

    def _trust(self, run: _Run, data: CardData) -> None:
        checks = {
            "passive_authentication": data.passive_authentication,
            "active_authentication": data.active_authentication,
            "chip_authentication": data.chip_authentication,
        }
        run.checks = checks
        verdict = evaluate(self.config.policy, checks)
        run.warnings = verdict.warnings
        if not verdict.allowed:
            detail = "; ".join(f"{name}: {checks[name].status} ({checks[name].detail})" for name in verdict.failed)
            raise _stop(Outcome.REFUSED, FailureKind.STAFF, "trust.refused", Step.TRUST, detail)
        if run.qr is not None and not _qr_matches_chip(run.qr, data):
            raise _stop(Outcome.REFUSED, FailureKind.STAFF, "trust.qr_mismatch", Step.TRUST,
                        "the QR code does not match the chip (ID, name or birth date)")

    def _start_capture(self, run: _Run) -> None:
        """Rank, detect and encode the camera's frames on another thread while the chip is read (after
        consent, which the card step asked for)."""
        if run.capture is None and self.face_check:
            run.capture = self._matcher.capture()
            run.capture.start(self._frames(), max_frames=self.config.max_frames)

    def _face(self, run: _Run, data: CardData) -> Verdict:
        if data.portrait is None:
            raise _stop(Outcome.REFUSED, FailureKind.FACE_REFUSED, "face.portrait_undecodable", Step.FACE,
                        "the chip has no portrait (DG2)")
        self._start_capture(run)
        capture = run.capture
        try:
            portrait = decode_portrait(data.portrait.image)
            template = self._matcher.enroll(portrait)  # with the live side ready, all that is left
            if capture.has_sample:
                capture.stop()  # the frames taken during the read will do; else look until a face comes
            capture.wait()
            if not capture.has_sample:  # no face while the chip was read (or the key took long): look now
                capture.consume(self._frames(), max_frames=self.config.max_frames,
                                window_s=self._matcher.config.window_s)
            verdict = self._matcher.conclude(template, capture, self._frames())
        except BiometricsError as exc:
            raise _Stop(*biometric_failure(exc, Step.FACE)) from exc
        finally:
            capture.stop()
        if verdict.decision is FaceDecision.REFER:  # unsure after every round: a person compares the faces
            run.review = FaceReview(portrait.rgb, capture.sample().best_frame, verdict.distance)
            raise _stop(Outcome.REFUSED, FailureKind.STAFF, "face.refer", Step.FACE,
                        f"distance {verdict.distance:.3f} in the refer band ({verdict.threshold:.3f}, "
                        f"{verdict.refer_threshold:.3f}]")
        if not verdict.match:
            raise _stop(Outcome.REFUSED, FailureKind.STAFF, "face.no_match", Step.FACE,
                        f"distance {verdict.distance:.3f} above {verdict.refer_threshold:.3f}")
        return verdict

    def _live(self, run: _Run) -> str:
        plan = self._liveness.new_plan()  # random turns at random times, each shown as its time comes

        def prompt(index: int, p: Prompt) -> None:
            self._emit(run, Step.LIVENESS, EventState.CHALLENGE, p.challenge.message_key,
                       challenge=p.challenge.value, prompt=index)

        try:
            result = self._liveness.check(self._frames(), plan, on_prompt=prompt)
        except BiometricsError as exc:
            raise _Stop(*biometric_failure(exc, Step.LIVENESS)) from exc
        if not result.passed:
            raise _stop(Outcome.REFUSED, FailureKind.FACE_REFUSED, "face.liveness_failed", Step.LIVENESS,
                        f"liveness {plan.describe()}: {result.reason}")
        return "passed"

    def _frames(self) -> Iterator[Frame]:
        """Camera frames until the face step's time from now is up, or until cancelled."""
        deadline = self._clock() + self.config.face_timeout_s
        for frame in self._camera():
            if self._cancel.is_set() or self._clock() > deadline:
                return
            yield frame

    def _lookup(self, run: _Run, person: Person) -> Decision:
        try:
            decision = self._adapter.lookup(person, run.context)
        except UpstreamUnavailable as exc:
            # the place's system is down: record the check-in anyway and let staff confirm by hand
            return Decision(Decision.REFER, (exc.message_key,), (f"lookup unavailable: {exc}",))
        except UpstreamError as exc:
            raise _stop(Outcome.ERROR, FailureKind.STAFF, exc.message_key, Step.DESTINATION, f"lookup: {exc}",
                        reason=exc.code, params=exc.params) from exc
        if decision.status == Decision.REFUSED:
            raise _stop(Outcome.REFUSED, FailureKind.STAFF, (decision.reasons or ("upstream.rejected",))[0],
                        Step.DESTINATION, "; ".join(decision.staff_notes) or None, params=decision.params)
        return decision

    def _store(self, run: _Run, data: CardData, person: Person) -> tuple[str, DeliveryResult]:
        """Store the check-in durably, then deliver it; (check-in id, how the delivery went)."""
        decision, checks, verdict = run.decision, run.checks, run.face
        run.evidence = Evidence(
            access=data.access,
            passive_authentication=checks["passive_authentication"].status,
            active_authentication=checks["active_authentication"].status,
            chip_authentication=checks["chip_authentication"].status,
            face_match=None if verdict is None else verdict.match,
            face_distance=None if verdict is None else round(verdict.distance, 4),
            face_threshold=None if verdict is None else verdict.threshold,
            liveness=run.liveness,
        )
        # the lookup's details (e.g. the BHYT result) travel with the check-in, encrypted in the outbox
        context = {**run.context, **decision.details, "decision": decision.status}
        checkin = CheckIn(self.config.profile, self.config.site, person, run.evidence, self._now(),
                          context=MappingProxyType(context))
        self._outbox.enqueue(checkin)  # durable before anything is sent
        return checkin.checkin_id, self._outbox.deliver(checkin, self._adapter)


def _ending(decision: Decision, delivery: DeliveryResult) -> tuple[Outcome, str, Failure | None]:
    """(outcome, the person's message, the failure) of a stored check-in, in the destination's own words."""
    notes = "; ".join(decision.staff_notes) or None
    if delivery.state == DeliveryState.PENDING:
        return Outcome.QUEUED, "upstream.unavailable", None
    if delivery.state == DeliveryState.DELIVERED and decision.cleared:
        return Outcome.CHECKED_IN, (decision.reasons or ("result.checked_in",))[0], None
    if not decision.cleared:  # the destination said why before the submission: those words, whatever followed
        key = (decision.reasons or ("result.refer",))[0]
        return Outcome.REFER, key, Failure(FailureKind.STAFF, key, Step.DESTINATION, notes, None, decision.params)
    # cleared, then refused at submission (e.g. another kiosk recorded the candidate meanwhile)
    key = delivery.message_key or "upstream.rejected"
    return Outcome.REFER, key, Failure(FailureKind.STAFF, key, Step.RESULT, delivery.error, delivery.code,
                                       delivery.params)


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
