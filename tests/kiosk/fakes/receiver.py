"""A check-in receiver on 127.0.0.1 that records everything it is sent, to prove exactly-once delivery.

It honours ``Idempotency-Key`` like a well-behaved upstream (a replay gets the first answer back), and
can be told to be down (503) or to drop the connection, so tests can take it away and bring it back.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[str] = []  # every key received, replays included
        self.accepted: dict[str, dict] = {}  # key -> first body
        self.mode = "up"  # "up" | "down" (503) | "drop" (close without answer)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                key = self.headers.get("Idempotency-Key", "")
                if receiver.mode == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if receiver.mode == "down":
                    self._answer(503, {"error": "unavailable"})
                    return
                with receiver.lock:
                    receiver.requests.append(key)
                    duplicate = key in receiver.accepted
                    if not duplicate:
                        receiver.accepted[key] = json.loads(body)
                    number = list(receiver.accepted).index(key) + 1
                self._answer(200, {"reference": f"R{number:05d}", "display": {"queue_number": str(number)},
                                   "duplicate": duplicate})

            def _answer(self, status: int, document: dict) -> None:
                data = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/checkins"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
