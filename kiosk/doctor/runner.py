"""Every check, in the order a person would look: reader chain, camera and screen, models and trust,
network, clock and disk. The CLI and the operator panel call :func:`run_checks`; blocking (card, camera,
network, a Qt child process), so the panel runs it off the UI thread."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kiosk.doctor.card import reader_checks
from kiosk.doctor.media import FrameSize, camera_check, display_checks, face_models_check
from kiosk.doctor.network import site_store_check, upstream_checks
from kiosk.doctor.result import CheckName, CheckResult, CheckStatus
from kiosk.doctor.system import clock_check, disk_check, trust_check
from kiosk.settings import Profile
from kiosk.store import site_store_url


@dataclass(frozen=True)
class DoctorConfig:
    """What the kiosk is configured to use, as the screen would (``--reader``, ``--camera``, ``--demo``)."""

    profile: Profile
    reader: str | None = None
    camera: str | None = None
    demo: bool = False
    frame_size: FrameSize = field(default_factory=FrameSize)
    timeout_s: float = 5.0
    only: frozenset[CheckName] | None = None  # None: every check


def _trust(config: DoctorConfig):
    """The trust store the check-in would use: the profile's CSCAs, plus the virtual card's in the demo."""
    from kiosk.assembly import Hardware, trust_store
    from kiosk.cards import PcscCards

    if config.demo:
        from kiosk.simulator import VirtualCards

        return trust_store(config.profile, Hardware(cards=VirtualCards()))
    return trust_store(config.profile, Hardware(cards=PcscCards(config.reader, pattern=config.profile.reader_pattern)))


_GROUPS: tuple[tuple[frozenset[CheckName], Callable[[DoctorConfig], list[CheckResult]]], ...] = (
    (frozenset({CheckName.PCSCD, CheckName.READER, CheckName.EXTENDED_APDU, CheckName.CARD}),
     lambda c: reader_checks(c.reader, pattern=c.profile.reader_pattern, demo=c.demo)),
    (frozenset({CheckName.CAMERA}), lambda c: [camera_check(c.camera, c.frame_size, demo=c.demo)]),
    (frozenset({CheckName.DISPLAY, CheckName.FONT}), lambda c: display_checks()),
    (frozenset({CheckName.FACE_MODELS}), lambda c: [face_models_check(c.profile.face.enabled)]),
    (frozenset({CheckName.TRUST}), lambda c: [trust_check(lambda: _trust(c))]),
    (frozenset({CheckName.SITE_STORE}),
     lambda c: [site_store_check(site_store_url(c.profile), timeout_s=c.timeout_s)]),
    (frozenset({CheckName.UPSTREAM}), lambda c: upstream_checks(c.profile.adapter, demo=c.demo, timeout_s=c.timeout_s)),
    (frozenset({CheckName.CLOCK}), lambda c: [clock_check()]),
    (frozenset({CheckName.DISK}), lambda c: [disk_check(c.profile.data_dir)]),
)


def run_checks(config: DoctorConfig) -> list[CheckResult]:
    """Every check (or ``config.only``), each result typed; never raises for what it finds."""
    results: list[CheckResult] = []
    for names, run in _GROUPS:
        if config.only is None or names & config.only:
            results.extend(r for r in run(config) if config.only is None or r.name in config.only)
    return results


def all_ok(results: Iterable[CheckResult]) -> bool:
    """True when nothing failed (warnings and skips do not fail a kiosk)."""
    return all(r.status is not CheckStatus.FAIL for r in results)
