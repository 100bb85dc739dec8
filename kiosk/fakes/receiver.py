"""A check-in receiver that records everything it is sent, to prove exactly-once delivery.

It honours ``Idempotency-Key`` like a well-behaved upstream (a replay gets the first answer back). Its
``mode`` takes it away and brings it back: "down" answers 503, "drop" closes connections unanswered.
"""

from __future__ import annotations

from kiosk.fakes import LocalServer, Recorded, Response

_FOREVER = 10**9


class Receiver(LocalServer):
    def __init__(self) -> None:
        super().__init__()
        self.keys: list[str] = []  # every key received, replays included
        self.accepted: dict[str, dict] = {}  # key -> first body
        self._mode = "up"

    @property
    def checkins_url(self) -> str:
        return f"{self.url}/checkins"

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, value: str) -> None:
        self.clear_faults()
        if value == "drop":
            self.drop_next(_FOREVER)
        elif value == "down":
            self.fail_next(_FOREVER, status=503)
        elif value != "up":
            raise ValueError(f"unknown receiver mode {value!r}")
        self._mode = value

    def handle(self, request: Recorded) -> Response:
        key = request.headers.get("idempotency-key", "")
        self.keys.append(key)
        duplicate = key in self.accepted
        if not duplicate:
            self.accepted[key] = request.json()
        number = list(self.accepted).index(key) + 1
        return Response.json(200, {"reference": f"R{number:05d}", "display": {"queue_number": str(number)},
                                   "duplicate": duplicate})
