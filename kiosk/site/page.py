"""The site page: every kiosk of the site on one server-rendered HTML page, and their numbers for Prometheus.

``GET /`` lists each kiosk's last heartbeat, reader / camera / upstream status, site-store state, today's
counts by outcome, median step times, outbox backlog and the age of its oldest waiting check-in; ``GET
/metrics`` gives the same per kiosk in Prometheus' text format. Nothing personal is ever in a heartbeat, so
nothing personal can be here. The page refreshes itself every ``REFRESH_S`` seconds; no script, no build.
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from kiosk.errors import KioskError
from kiosk.outcomes import Outcome, Step
from kiosk.store.records import KioskStatus

log = logging.getLogger(__name__)

REFRESH_S = 10
SILENT_AFTER_S = 60.0  # a kiosk not heard of for this long is shown as silent
OUTCOME_NAMES = {Outcome.CHECKED_IN: "checked in", Outcome.QUEUED: "queued", Outcome.REFER: "sent to staff",
                 Outcome.REFUSED: "refused", Outcome.ERROR: "errors", Outcome.CANCELLED: "cancelled"}
OUTCOMES = tuple(OUTCOME_NAMES)

_STYLE = """
body{font-family:"DejaVu Sans",sans-serif;margin:24px;color:#1b1f24;background:#f6f7f9}
h1{font-size:22px;margin:0 0 4px}p.sub{margin:0 0 16px;color:#555}
table{border-collapse:collapse;background:#fff;font-size:13px;box-shadow:0 1px 3px #0002}
th,td{padding:6px 9px;border-bottom:1px solid #e3e5e8;text-align:left;vertical-align:top;white-space:nowrap}
th{background:#24364f;color:#fff;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#11713a;font-weight:600}.warn{color:#9a5b00;font-weight:600}.bad{color:#b3261e;font-weight:600}
.small{color:#555;font-size:12px}td.steps{white-space:normal;min-width:220px;max-width:300px}
"""


def _age_s(last_seen: str, now: datetime) -> float | None:
    try:
        seen = datetime.fromisoformat(last_seen)
    except ValueError:
        return None
    return max(0.0, (now - (seen if seen.tzinfo else seen.replace(tzinfo=UTC))).total_seconds())


def _ago(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"


def _state(text: str, good: Iterable[str] = ("ok", "online")) -> str:
    word = text or "unknown"
    css = "ok" if word in good else "warn" if word in ("unknown", "") else "bad"
    return f'<span class="{css}">{html.escape(word)}</span>'


def _kiosk_row(k: KioskStatus, now: datetime) -> str:
    age = _age_s(k.last_seen, now)
    heard = f'{html.escape(_ago(age))}' + (' <span class="bad">silent</span>' if age is None or age > SILENT_AFTER_S
                                           else "")
    if k.store_offline_since:
        since = datetime.fromisoformat(k.store_offline_since).astimezone().strftime("%H:%M")
        store = f'<span class="bad">offline since {since}</span>'
    else:
        store = '<span class="ok">online</span>'
    if k.unconfirmed:
        store += f'<br><span class="small">{k.unconfirmed} not yet confirmed</span>'
    if k.flagged:
        store += f'<br><span class="bad">{k.flagged} repeat(s) found at reconciliation</span>'
    counts = "<br>".join(f"{int(k.outcomes[o])} {html.escape(OUTCOME_NAMES[o])}" for o in OUTCOMES
                         if k.outcomes.get(o)) or "none yet"
    steps = " · ".join(f"{html.escape(s)} {k.step_medians_s[s]:.2f}" for s in Step if s in k.step_medians_s) or "—"
    oldest = "—" if k.oldest_pending_s is None else _ago(k.oldest_pending_s).replace(" ago", "")
    backlog = str(k.outbox_pending)
    if k.outbox_failed:
        backlog += f' <span class="bad">+{k.outbox_failed} failed</span>'

    return (f"<tr><td><b>{html.escape(k.kiosk)}</b><br><span class='small'>{html.escape(k.profile)}</span></td>"
            f"<td>{heard}</td><td>{html.escape(k.reader or '—')}<br><span class='small'>"
            f"{html.escape(k.camera or '—')}</span></td><td>{_state(k.upstream)}</td><td>{store}</td><td>{counts}</td>"
            f'<td class="small steps">{steps}</td><td class="n">{backlog}</td>'
            f'<td class="n">{html.escape(oldest)}</td></tr>')


def render(site: str, kiosks: list[KioskStatus], *, now: datetime | None = None, store_error: str | None = None) -> str:
    """The whole page for ``site``'s ``kiosks`` (as the site store holds them)."""
    now = now or datetime.now(UTC)
    rows = "".join(_kiosk_row(k, now) for k in kiosks) or \
        '<tr><td colspan="9">No kiosk has reported yet.</td></tr>'
    total = sum(sum(k.outcomes.values()) for k in kiosks)
    problem = f'<p class="bad">The site store cannot be read: {html.escape(store_error)}</p>' if store_error else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="{REFRESH_S}">
<title>Site {html.escape(site)}: kiosks</title><style>{_STYLE}</style></head>
<body><h1>Site {html.escape(site)}</h1>
<p class="sub">{len(kiosks)} kiosk(s), {total} check-in(s) today · {now.astimezone():%Y-%m-%d %H:%M:%S} ·
refreshes every {REFRESH_S} s</p>{problem}
<table><thead><tr><th>Kiosk</th><th>Last heartbeat</th><th>Reader / camera</th><th>Upstream</th>
<th>Site store</th><th>Today</th><th>Median step times today (s)</th><th>Outbox waiting</th><th>Oldest waiting</th></tr>
</thead><tbody>{rows}</tbody></table></body></html>
"""


class SiteCollector(Collector):
    """Per-kiosk gauges from the heartbeats, for Prometheus (labels ``kiosk`` and ``profile``)."""

    def __init__(self, kiosks: Callable[[], list[KioskStatus]]) -> None:
        self._kiosks = kiosks

    def collect(self):
        now = datetime.now(UTC)
        families = {
            "age": GaugeMetricFamily("kiosk_heartbeat_age_seconds", "Seconds since the kiosk's last heartbeat",
                                     labels=["kiosk", "profile"]),
            "today": GaugeMetricFamily("kiosk_checkins_today", "Check-ins today by outcome",
                                       labels=["kiosk", "profile", "outcome"]),
            "pending": GaugeMetricFamily("kiosk_outbox_pending", "Check-ins waiting in the outbox",
                                         labels=["kiosk", "profile"]),
            "oldest": GaugeMetricFamily("kiosk_outbox_oldest_pending_seconds", "Age of the oldest waiting check-in",
                                        labels=["kiosk", "profile"]),
            "offline": GaugeMetricFamily("kiosk_site_store_offline", "1 while the kiosk cannot reach the site store",
                                         labels=["kiosk", "profile"]),
            "flagged": GaugeMetricFamily("kiosk_reconciled_repeats", "Repeats found when offline check-ins "
                                         "reached the site store", labels=["kiosk", "profile"]),
        }
        try:
            kiosks = self._kiosks()
        except KioskError:
            kiosks = []
        for k in kiosks:
            labels = [k.kiosk, k.profile]
            families["age"].add_metric(labels, _age_s(k.last_seen, now) or 0.0)
            for outcome, count in k.outcomes.items():
                families["today"].add_metric([*labels, outcome], count)
            families["pending"].add_metric(labels, k.outbox_pending)
            families["oldest"].add_metric(labels, k.oldest_pending_s or 0.0)
            families["offline"].add_metric(labels, 1.0 if k.store_offline_since else 0.0)
            families["flagged"].add_metric(labels, k.flagged)
        yield from families.values()


class SitePage:
    """The page's HTTP server on ``host:port`` (port 0: any free port), reading ``kiosks()`` per request."""

    def __init__(self, site: str, kiosks: Callable[[], list[KioskStatus]], *, host: str = "127.0.0.1",
                 port: int = 8470) -> None:
        self.site, self._kiosks = site, kiosks
        self.registry = CollectorRegistry()
        self.registry.register(SiteCollector(kiosks))
        page = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                page._answer(self)

            def log_message(self, format: str, *args: object) -> None:
                log.debug("site page: " + format, *args)

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0]
        if path == "/metrics":
            body, kind, status = generate_latest(self.registry), "text/plain; version=0.0.4; charset=utf-8", 200
        elif path in ("/", "/index.html"):
            try:
                kiosks, error = self._kiosks(), None
            except KioskError as exc:
                kiosks, error = [], str(exc)
            body, kind, status = render(self.site, kiosks, store_error=error).encode(), "text/html; charset=utf-8", 200
        else:
            body, kind, status = b"not found\n", "text/plain; charset=utf-8", 404
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Cache-Control", "no-store")
        handler.end_headers()
        handler.wfile.write(body)

    def start(self) -> SitePage:
        self._thread = threading.Thread(target=self.server.serve_forever, name="kiosk-site-page", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> SitePage:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
