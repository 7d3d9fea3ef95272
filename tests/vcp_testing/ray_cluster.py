"""A Ray cluster on this machine for tests: a head and more node processes, one CPU each, on
127.0.0.1 only (no dashboard, no usage reports), each node with its own model cache and home, so
that nothing of the developer's is read and "downloaded once per node" can be counted."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_DISABLE_DOCKER_CPU_WARNING": "1"}


@dataclass(frozen=True)
class LocalCluster:
    """A running test cluster: its address (``127.0.0.1:PORT``), each node's model cache, and
    Ray's handle on it (``cluster``: ``remove_node`` stops a node's processes)."""

    address: str
    caches: tuple[Path, ...]
    cluster: Any

    def remove_a_worker_node(self) -> None:
        """Stop the processes of a node that is not the head: it leaves the cluster."""
        self.cluster.remove_node(next(iter(self.cluster.worker_nodes)))


def _node_env(folder: Path) -> dict[str, str]:
    for name in ("cache", "home", "hf-home"):
        (folder / name).mkdir(parents=True)
    return {
        "VCP_MODELS__CACHE_DIR": str(folder / "cache"),
        "HOME": str(folder / "home"),
        "HF_HOME": str(folder / "hf-home"),
        "XDG_CACHE_HOME": str(folder / "home" / ".cache"),
    }


@contextlib.contextmanager
def local_cluster(nodes: int = 2) -> Iterator[LocalCluster]:
    """``nodes`` node processes (the first is the head), stopped and removed on exit."""
    from ray.cluster_utils import Cluster

    saved = {k: os.environ.get(k) for k in _RAY_ENV}
    os.environ.update(_RAY_ENV)
    # A short folder of its own: Ray's socket paths must stay under 108 characters.
    root = Path(tempfile.mkdtemp(prefix="vcp-ray-", dir="/tmp"))
    common = {"num_cpus": 1, "node_ip_address": "127.0.0.1", "temp_dir": str(root / "ray")}
    head = {**common, "include_dashboard": False, "env_vars": _node_env(root / "n1")}
    cluster = Cluster(initialize_head=True, head_node_args=head)
    try:
        for n in range(2, nodes + 1):
            cluster.add_node(**common, env_vars=_node_env(root / f"n{n}"))
        caches = tuple(root / f"n{n}" / "cache" for n in range(1, nodes + 1))
        yield LocalCluster(cluster.address, caches, cluster)
    finally:
        cluster.shutdown()
        shutil.rmtree(root, ignore_errors=True)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
