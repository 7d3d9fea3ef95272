"""The cluster tests' Ray cluster: a head and a second node process on loopback
(tests/vcp_testing/ray_cluster.py), started once for the module that asks for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from vcp_testing.ray_cluster import LocalCluster, local_cluster


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[LocalCluster]:
    """Head plus one more node process, one CPU each, on 127.0.0.1."""
    pytest.importorskip("ray", reason="the Ray tests need the extra: pip install '.[ray]'")
    with local_cluster(nodes=2) as cluster:
        yield cluster
