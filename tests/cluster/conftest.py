"""A Ray cluster on this machine for the cluster tests: a head and a second node process, each
with one CPU, listening on 127.0.0.1 only (no dashboard, no usage reports), each node with its
own model cache, so that "downloaded once per node" can be counted at the mirror."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

_RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_DISABLE_DOCKER_CPU_WARNING": "1"}


@dataclass(frozen=True)
class LocalCluster:
    """The test cluster: its address (``127.0.0.1:PORT``) and each node's model cache."""

    address: str
    caches: tuple[Path, ...]


def _node_env(folder: Path) -> dict[str, str]:
    """A node's own cache and home, so nothing of the developer's is read or written."""
    for name in ("cache", "home", "hf-home"):
        (folder / name).mkdir(parents=True)
    return {
        "VCP_MODELS__CACHE_DIR": str(folder / "cache"),
        "HOME": str(folder / "home"),
        "HF_HOME": str(folder / "hf-home"),
        "XDG_CACHE_HOME": str(folder / "home" / ".cache"),
    }


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[LocalCluster]:
    """Head plus one more node process on loopback; stopped after the module's tests."""
    pytest.importorskip("ray", reason="the Ray tests need the extra: pip install '.[ray]'")
    from ray.cluster_utils import Cluster

    saved = {k: os.environ.get(k) for k in _RAY_ENV}
    os.environ.update(_RAY_ENV)
    # A short folder of its own: Ray's socket paths must stay under 108 characters.
    root = Path(tempfile.mkdtemp(prefix="vcp-ray-", dir="/tmp"))
    common = {"num_cpus": 1, "node_ip_address": "127.0.0.1", "temp_dir": str(root / "ray")}
    cluster = Cluster(
        initialize_head=True,
        head_node_args={**common, "include_dashboard": False, "env_vars": _node_env(root / "n1")},
    )
    try:
        cluster.add_node(**common, env_vars=_node_env(root / "n2"))
        yield LocalCluster(cluster.address, (root / "n1" / "cache", root / "n2" / "cache"))
    finally:
        cluster.shutdown()
        shutil.rmtree(root, ignore_errors=True)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
