"""The site store and the upstreams are reachable, their TLS verified, with no personal data sent.

An upstream is probed with a TLS handshake against the system's CAs (``SSL_CERT_FILE`` adds a private
CA) and one ``HEAD`` of the configured URL's path, without credentials: any HTTP answer means the service
is there. The site store is probed by :func:`kiosk.store.ping` (it logs in and reads the schema version).
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from kiosk.doctor.result import CheckName, CheckResult, failed, passed, skipped, warned
from kiosk.store import STORE_ENV, ping


def upstream_urls(table: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(where, url) for every ``url`` / ``*_url`` setting in an adapter table, nested tables included."""
    for key, value in table.items():
        where = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from upstream_urls(value, where + ".")
        elif (key == "url" or key.endswith("_url")) and isinstance(value, str) and "://" in value:
            yield where, value


def upstream_checks(adapter: Mapping[str, Any], *, demo: bool = False, timeout_s: float = 5.0) -> list[CheckResult]:
    if demo:
        return [skipped(CheckName.UPSTREAM, "demo: the upstreams are played by local stand-ins")]
    urls = list(upstream_urls(adapter))
    if not urls:
        return [skipped(CheckName.UPSTREAM, f"the {adapter.get('kind', 'local')!r} adapter has no upstream")]
    return [probe_http(where, url, timeout_s) for where, url in urls]


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def probe_http(where: str, url: str, timeout_s: float) -> CheckResult:
    parts = urlsplit(url)
    host, scheme = parts.hostname or "", parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        return failed(CheckName.UPSTREAM, f"{where}: not an http(s) URL", "doctor.upstream_config", setting=where)
    port = parts.port or (443 if scheme == "https" else 80)
    target = f"{scheme}://{host}:{port}"  # never the path's query or any credentials
    facts = {"setting": where, "target": target}
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as raw:
            if scheme == "https":
                context = ssl.create_default_context()
                with context.wrap_socket(raw, server_hostname=host) as tls:
                    status = _head(tls, host, parts.path or "/")
                    version = tls.version()
            else:
                status, version = _head(raw, host, parts.path or "/"), None
    except ssl.SSLCertVerificationError as exc:
        return failed(CheckName.UPSTREAM, f"{where} {target}: certificate not trusted ({exc.verify_message})",
                      "doctor.upstream_tls", **facts)
    except ssl.SSLError as exc:
        return failed(CheckName.UPSTREAM, f"{where} {target}: TLS failed ({exc.reason or exc})",
                      "doctor.upstream_tls", **facts)
    except OSError as exc:
        return failed(CheckName.UPSTREAM, f"{where} {target}: unreachable ({exc.strerror or exc})",
                      "doctor.upstream_unreachable", **facts)
    answer = f"HTTP {status}" if status else "no HTTP answer"
    if version is None:
        if not _loopback(host):
            return warned(CheckName.UPSTREAM, f"{where} {target}: reachable, {answer}, but without TLS",
                          "doctor.upstream_plain_http", **facts)
        return passed(CheckName.UPSTREAM, f"{where} {target}: reachable on this machine, {answer}", **facts)
    return passed(CheckName.UPSTREAM, f"{where} {target}: {version} verified, {answer}", tls=version, **facts)


def _head(sock: socket.socket, host: str, path: str) -> int | None:
    """Send one credential-free HEAD and return the status code of the answer (None if not HTTP)."""
    sock.sendall(f"HEAD {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: cccd-kiosk-doctor\r\n"
                 "Connection: close\r\n\r\n".encode("ascii", "replace"))
    try:
        line = sock.makefile("rb").readline(200).decode("latin-1").split()
    except TimeoutError:
        return None
    return int(line[1]) if len(line) >= 2 and line[0].startswith("HTTP/") and line[1].isdigit() else None


def site_store_check(url: str | None, *, timeout_s: float = 5.0) -> CheckResult:
    if not url:
        return skipped(CheckName.SITE_STORE, f"no site store ({STORE_ENV} unset): this kiosk keeps its "
                       "records to itself")
    if urlsplit(url).scheme not in ("postgresql", "postgres"):
        return failed(CheckName.SITE_STORE, f"{STORE_ENV} is not a postgresql:// URL", "doctor.site_store_config")
    result = ping(url, timeout_s=timeout_s)  # the store's own probe: logs in and checks the schema
    if not result.ok:
        return failed(CheckName.SITE_STORE, f"the site store does not answer: {result.detail}",
                      "doctor.site_store_down")
    return passed(CheckName.SITE_STORE, f"the site store answers ({result.detail})")
