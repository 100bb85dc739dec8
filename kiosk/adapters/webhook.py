"""A generic receiver: POST each check-in as JSON with an ``Idempotency-Key`` header.

For places whose system takes a plain HTTP hook, and for the demo profile's local receiver. The
receiver must answer 2xx with ``{"reference": …, "display": {…}}`` and treat a repeated key as the same
request (answering as before); 4xx other than 408/409/429 is a final refusal, the rest is retried.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping

from kiosk.adapters.base import Adapter, UpstreamRejected, UpstreamUnavailable, parse_retry_after
from kiosk.checkin import CheckIn, Decision, Person, Receipt, checkin_to_dict, display_from_dict

log = logging.getLogger(__name__)
_RETRYABLE_4XX = {408, 409, 425, 429}


class WebhookAdapter(Adapter):
    name = "webhook"

    def __init__(self, url: str, *, timeout_s: float = 5.0, token: str | None = None) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.token = token

    def lookup(self, person: Person, context: Mapping[str, str]) -> Decision:
        return Decision(Decision.CLEARED)  # the receiver decides nothing before submission

    def submit(self, checkin: CheckIn) -> Receipt:
        body = json.dumps(checkin_to_dict(checkin), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": checkin.checkin_id}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                answer = json.loads(response.read() or b"{}")
                status = response.status
        except urllib.error.HTTPError as exc:
            if 400 <= exc.code < 500 and exc.code not in _RETRYABLE_4XX:
                raise UpstreamRejected(f"receiver refused the check-in: HTTP {exc.code}", step="submit",
                                       code=str(exc.code)) from exc
            raise UpstreamUnavailable(f"receiver answered HTTP {exc.code}", step="submit", code=str(exc.code),
                                      retry_after_s=parse_retry_after(exc.headers.get("Retry-After"))) from exc
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise UpstreamUnavailable(f"receiver unreachable: {exc}", step="submit") from exc
        log.info("webhook: %s accepted with HTTP %d", checkin.checkin_id, status)
        display = answer.get("display")
        return Receipt(str(answer.get("reference", checkin.checkin_id)),
                       display_from_dict(display) if isinstance(display, dict) else None,
                       duplicate=bool(answer.get("duplicate", False)))
