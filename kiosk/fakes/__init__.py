"""Local stand-ins for the upstream systems (BHYT gateway, hospital registration, a recording receiver),
served over real HTTP on 127.0.0.1 (ephemeral port), for tests, benchmarks and the demo profiles.

:class:`LocalServer` is the common part: a :class:`http.server.ThreadingHTTPServer` in a daemon thread, every
request recorded (:class:`Recorded`), and faults injected on demand: answer slowly, fail the next *n*
requests with a status, drop the next *n* connections without an answer, or handle the next *n* requests and
then drop the answer (the upstream did the work but the client never heard: the case idempotency keys exist
for). Subclasses implement :meth:`LocalServer.handle`.

Use as a context manager::

    with FakeBhytGateway(...) as gateway:
        client = BhytClient(BhytConfig(gateway.url, ...), ...)
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STOP_TIMEOUT = 5.0  # seconds to wait for the serving thread at stop


@dataclass(frozen=True)
class Recorded:
    """One request as the server received it."""

    method: str
    path: str  # without the query string
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    at: float  # time.monotonic() when it arrived

    def json(self) -> object:
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: object, content_type: str = "application/json",
             headers: Mapping[str, str] | None = None) -> Response:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return cls(status, body, {"Content-Type": f"{content_type}; charset=utf-8", **(headers or {})})


@dataclass
class _Fault:
    kind: str  # "fail" / "drop" / "lose"
    remaining: int
    status: int = 500
    path: str = ""  # only requests whose path starts with this


class LocalServer:
    """Base of the fake upstreams. Thread-safe; :meth:`handle` runs under :attr:`lock`."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.requests: list[Recorded] = []
        self.delay = 0.0  # seconds before every answer (``slow``)
        self.delay_path = ""
        self._faults: list[_Fault] = []
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------------------------- life

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the server is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> str:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                owner._serve(self)

            do_GET = do_PUT = do_DELETE = do_POST  # noqa: N815

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=type(self).__name__, daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT)

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------------------------- faults

    def slow(self, seconds: float, path: str = "") -> None:
        """Wait ``seconds`` before answering each request (whose path starts with ``path``); 0 turns it off."""
        self.delay, self.delay_path = seconds, path

    def fail_next(self, count: int = 1, status: int = 500, path: str = "") -> None:
        """Answer the next ``count`` requests with ``status`` and do nothing else."""
        with self.lock:
            self._faults.append(_Fault("fail", count, status, path))

    def drop_next(self, count: int = 1, path: str = "") -> None:
        """Close the next ``count`` connections without answering and without handling the request."""
        with self.lock:
            self._faults.append(_Fault("drop", count, path=path))

    def lose_next(self, count: int = 1, path: str = "") -> None:
        """Handle the next ``count`` requests (state changes happen) but drop the answer."""
        with self.lock:
            self._faults.append(_Fault("lose", count, path=path))

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()
            self.delay = 0.0

    def requests_to(self, path: str) -> list[Recorded]:
        with self.lock:
            return [request for request in self.requests if request.path == path]

    # ------------------------------------------------------------------------------------- serving

    def handle(self, request: Recorded) -> Response:
        raise NotImplementedError

    def _take_fault(self, path: str) -> _Fault | None:
        with self.lock:
            for fault in self._faults:
                if fault.remaining > 0 and path.startswith(fault.path):
                    fault.remaining -= 1
                    return fault
            return None

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        split = urllib.parse.urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        request = Recorded(handler.command, split.path, dict(urllib.parse.parse_qsl(split.query)),
                           {key.lower(): value for key, value in handler.headers.items()}, body, time.monotonic())
        with self.lock:
            self.requests.append(request)
        if self.delay and split.path.startswith(self.delay_path):
            self._stopping.wait(self.delay)
        fault = self._take_fault(split.path)
        if fault is not None and fault.kind == "drop":
            _drop(handler)
            return
        if fault is not None and fault.kind == "fail":
            response = Response.json(fault.status, {"error": "injected failure", "status": fault.status})
        else:
            with self.lock:
                response = self.handle(request)
            if fault is not None and fault.kind == "lose":
                _drop(handler)
                return
        handler.send_response(response.status)
        for name, value in response.headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(response.body)))
        handler.end_headers()
        handler.wfile.write(response.body)


def _drop(handler: BaseHTTPRequestHandler) -> None:
    handler.close_connection = True
    with contextlib.suppress(OSError):
        handler.connection.shutdown(socket.SHUT_RDWR)


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released): connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
