"""``kiosk doctor``'s site store check against a real (throwaway) PostgreSQL: the store's own ping."""

from __future__ import annotations

from kiosk.doctor.network import site_store_check
from kiosk.doctor.result import CheckStatus


def test_doctor_finds_the_site_store_answering(pg_url: str) -> None:
    result = site_store_check(pg_url, timeout_s=5.0)
    assert result.status is CheckStatus.PASS, result.detail
    assert "schema version" in result.detail
