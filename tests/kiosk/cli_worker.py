"""Runs many ``python -m kiosk`` command lines in one process, for tests/kiosk/test_cli_hostile.py.

``python cli_worker.py CASES.json RESULTS.json``: CASES is a list of argv lists. Each runs through
``kiosk.cli.main`` with stdout and stderr captured (and logging bound to that stderr); RESULTS gets, per
case, the exit status, stdout, stderr, and ``escaped``: the type of anything that got past ``main`` (which
must never happen). A case that runs longer than ``CASE_TIMEOUT_S`` is stopped and marked ``timeout``.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import signal
import sys

CASE_TIMEOUT_S = 120


class CaseTimeout(BaseException):
    """Raised by the alarm; a BaseException so that no guard inside ``main`` swallows it."""


def _alarm(signum, frame):
    raise CaseTimeout


def run_case(argv: list[str]) -> dict:
    from kiosk.cli import main

    out, err = io.StringIO(), io.StringIO()
    result: dict = {"argv": argv, "status": None, "escaped": None}
    logging.root.handlers.clear()  # main's basicConfig binds a handler to this case's stderr
    signal.alarm(CASE_TIMEOUT_S)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            result["status"] = main(argv)
    except CaseTimeout:
        result["escaped"] = "timeout"
    except BaseException as exc:  # noqa: BLE001 - recording what escaped is the point
        result["escaped"] = type(exc).__name__
    finally:
        signal.alarm(0)
    result["stdout"], result["stderr"] = out.getvalue()[-4000:], err.getvalue()[-4000:]
    return result


def main() -> None:
    signal.signal(signal.SIGALRM, _alarm)
    with open(sys.argv[1], encoding="utf-8") as handle:
        cases = json.load(handle)
    results = [run_case(argv) for argv in cases]
    with open(sys.argv[2], "w", encoding="utf-8") as handle:
        json.dump(results, handle, ensure_ascii=False)


if __name__ == "__main__":
    main()
