"""``kiosk doctor``: typed checks of everything a kiosk needs, each with its fix (see :mod:`.runner`)."""

from kiosk.doctor.media import FrameSize
from kiosk.doctor.result import CheckName, CheckResult, CheckStatus
from kiosk.doctor.runner import DoctorConfig, all_ok, run_checks

__all__ = ["CheckName", "CheckResult", "CheckStatus", "DoctorConfig", "FrameSize", "all_ok", "run_checks"]
