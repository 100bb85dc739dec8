"""A throwaway PostgreSQL cluster for the site-store tests: one per test session, Unix socket only.

Each test gets its own site name, so tests share the cluster without seeing each other's rows. Where the
server binaries (Debian's ``postgresql``) are missing, the tests that need them skip and say why.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from kiosk.store.cluster import ClusterUnavailable, TemporaryCluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[TemporaryCluster]:
    try:
        cluster = TemporaryCluster()
    except ClusterUnavailable as exc:
        pytest.skip(f"no PostgreSQL server here: {exc}")
    with cluster:
        yield cluster


@pytest.fixture
def pg_url(pg_cluster: TemporaryCluster) -> str:
    return pg_cluster.url


@pytest.fixture
def site() -> str:
    return f"SITE-{uuid.uuid4().hex[:8]}"
