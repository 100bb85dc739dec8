"""Upstream URLs from a profile: https only, unless the profile says ``allow_insecure_http = true``.

The BHYT gateway's login carries the MD5 of the facility's password and every lookup the token, the
hospital and webhook receive names and ID numbers: over plain http all of it travels in clear. Plain http
is for the local stand-ins of tests and demos (on 127.0.0.1); a profile that allows it is logged with a
warning each time an adapter is built from it.
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

ALLOW_INSECURE_HTTP = "allow_insecure_http"


def allows_insecure_http(table: Mapping[str, Any]) -> bool:
    """The ``[adapter]`` table's ``allow_insecure_http`` (a TOML boolean; anything else is refused)."""
    value = table.get(ALLOW_INSECURE_HTTP, False)
    if not isinstance(value, bool):
        raise ValueError(f"{ALLOW_INSECURE_HTTP} must be true or false")
    return value


def upstream_url(value: object, what: str, *, allow_insecure_http: bool) -> str:
    """``value`` as an absolute https URL without a trailing slash (http only when allowed, with a warning)."""
    url = str(value).strip().rstrip("/")
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
    except ValueError as exc:  # a bad port, brackets
        raise ValueError(f"{what} is not a URL: {exc}") from exc
    if parts.scheme not in ("https", "http") or not host:
        raise ValueError(f"{what} must be an https:// URL with a host")
    if parts.scheme == "http":
        if not allow_insecure_http:
            raise ValueError(f"{what} must use https://: over http:// passwords, tokens and personal data "
                             f"travel in clear (a test profile may set {ALLOW_INSECURE_HTTP} = true)")
        log.warning("%s uses plain http to %s (%s = true): for tests and local stand-ins only", what, host,
                    ALLOW_INSECURE_HTTP)
    return url
