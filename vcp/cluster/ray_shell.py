"""The Ray shell: connect, place one ``NodeAnalyzer`` actor on each node, call it per film.

The only module of vcp that imports ``ray`` (the ``vcp[ray]`` extra); ``runner`` imports it once
``require_ray`` has said Ray is there. Blocking Ray calls (``ray.init``, ``ray.nodes``) run in
worker threads; a film's call is awaited through its ObjectRef's future.

Retries are Ray's: each actor restarts when its worker process dies (``max_restarts=-1``) and Ray
runs the interrupted call again, up to ``retries`` more times (``max_task_retries``). An actor
whose node is gone cannot restart (it is pinned to its node): its calls fail with ``NodeLost``
and the runner hands the film to another node.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ray
from ray import ObjectRef
from ray.actor import ActorHandle
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from vcp.cluster.node import FilmOutcome, NodeAnalyzer, NodeStats
from vcp.cluster.target import ClusterTarget
from vcp.errors import ClusterError

if TYPE_CHECKING:
    from vcp.config.settings import Settings

__all__ = ["Node", "NodeLost", "connect", "disconnect", "start_nodes"]

log = logging.getLogger(__name__)
_NODE_OMP = "VCP_NODE_OMP_NUM_THREADS"  # the node's own OMP_NUM_THREADS, "" when unset


class _RayNode(NodeAnalyzer):
    """A NodeAnalyzer that computes as ``vcp analyze`` on its machine would.

    Ray sets ``OMP_NUM_THREADS=1`` in an actor's worker when the node's environment does not set
    it. OpenBLAS (numpy) then computes whisper's features on one thread, its sums round
    differently, and a word's time can move by 40 ms against a run on the same machine. The
    actor starts with the node's own value in ``_NODE_OMP`` (Ray expands ``${OMP_NUM_THREADS}``
    on the node) and puts it back before numpy is loaded.
    """

    def __init__(self, settings: Settings, *, offline: bool | None = None) -> None:
        own = os.environ.pop(_NODE_OMP, None)
        if own:
            os.environ["OMP_NUM_THREADS"] = own
        elif own is not None:
            os.environ.pop("OMP_NUM_THREADS", None)
        super().__init__(settings, offline=offline)


_REMOTE_NODE = ray.remote(_RayNode)


class NodeLost(Exception):
    """The node holding an actor went away (not the film's fault)."""


@dataclass(frozen=True)
class Node:
    """One node's actor, named for the user: ``host (node id's first 8 digits)``."""

    name: str
    node_id: str
    actor: ActorHandle[_RayNode]

    async def analyze(self, film: Path, previous: str | None = None) -> FilmOutcome:
        """``film`` on this node (``previous``: its report, when some detectors' inference is
        current). A worker death is retried by Ray; when its tries are spent, a ClusterError;
        when the node is gone, NodeLost."""
        ref: ObjectRef[FilmOutcome] = self.actor.analyze.remote(film, previous)
        try:
            outcome: FilmOutcome = await asyncio.wrap_future(ref.future())
        except ray.exceptions.RayError as exc:  # the actor died, or cannot be placed again
            if _node_dead(self.node_id):
                raise NodeLost(f"{self.name} left the cluster") from exc
            raise _failed(film, self, exc) from exc
        return outcome

    async def close(self) -> NodeStats | None:
        """Release the node's models; its stats (None when it is gone)."""
        try:
            ref: ObjectRef[NodeStats] = self.actor.close.remote()
            stats: NodeStats = await asyncio.wrap_future(ref.future())
        except ray.exceptions.RayError:
            return None
        finally:
            ray.kill(self.actor)
        return stats


def connect(target: ClusterTarget) -> str:
    """Join (or start) the cluster ``target`` names; the address connected to. Blocking."""
    if target.on_loopback:
        _keep_to_loopback()
    try:
        if target.kind == "auto":
            try:
                ray.init(address="auto", logging_level=logging.ERROR, log_to_driver=False)
                return "auto"
            except ConnectionError:
                log.info("no Ray cluster on this machine: starting a private one")
        if target.kind in ("auto", "local"):
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # nothing leaves this machine
            _keep_to_loopback()
            ray.init(
                address="local",
                _node_ip_address="127.0.0.1",
                include_dashboard=False,
                logging_level=logging.ERROR,
                log_to_driver=False,
            )
            return "local"
        ray.init(address=target.address, logging_level=logging.ERROR, log_to_driver=False)
    except (ConnectionError, ValueError, RuntimeError) as exc:
        raise ClusterError(
            f"cannot join the Ray cluster at {target}: {exc}",
            where=str(target),
            hint="start the head with `ray start --head` and check the address and port "
            "(see docs/scale-out.md)",
        ) from exc
    return str(target)


def _keep_to_loopback() -> None:
    """Make Ray keep 127.0.0.1 as this node's address. ``ray.init`` replaces a loopback address
    by the machine's LAN one (found by routing towards a public address) unless multi-node
    clusters are switched off, which on Linux changes only that (and refuses a ``ray start`` of
    a worker node, which vcp never runs). A private cluster, or one whose nodes all run on this
    machine, then listens on loopback only."""
    constants = ray._private.ray_constants
    constants.ENABLE_RAY_CLUSTER = False


def disconnect() -> None:
    """Leave the cluster (stops a private one). Blocking."""
    ray.shutdown()


def start_nodes(settings: Settings, *, offline: bool | None, retries: int, jobs: int) -> list[Node]:
    """One NodeAnalyzer actor pinned to each live node with CPUs. Blocking."""
    nodes = []
    for info in _nodes():
        if not info.get("Alive") or not info.get("Resources", {}).get("CPU"):
            continue
        node_id = str(info["NodeID"])
        actor = _REMOTE_NODE.options(
            num_cpus=0,  # the analysis's threads use the node; the actor only holds it
            max_restarts=-1,
            max_task_retries=retries,
            max_concurrency=jobs,
            scheduling_strategy=NodeAffinitySchedulingStrategy(node_id, soft=False),
            runtime_env={"env_vars": {_NODE_OMP: "${OMP_NUM_THREADS}"}},
        ).remote(settings, offline=offline)
        assert isinstance(actor, ray.actor.ActorHandle)
        name = (
            f"{info.get('NodeManagerHostname') or info.get('NodeManagerAddress')} ({node_id[:8]})"
        )
        nodes.append(Node(name, node_id, actor))
    if not nodes:
        raise ClusterError("the Ray cluster has no node with CPUs", hint="start a worker node")
    return nodes


def _node_dead(node_id: str) -> bool:
    return not any(n["NodeID"] == node_id and n.get("Alive") for n in _nodes())


def _nodes() -> list[dict[str, Any]]:
    """Ray's table of nodes (alive and dead): ``NodeID``, ``Alive``, ``Resources``..."""
    table: list[dict[str, Any]] = ray.nodes()  # type: ignore[no-untyped-call]
    return table


def _failed(film: Path, node: Node, exc: BaseException) -> ClusterError:
    cause = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return ClusterError(
        f"{film.name} failed on {node.name} on every try: {cause}",
        where=str(film),
        hint="its worker process died each time (out of memory?); run `vcp analyze` on that "
        "film alone to see why, or raise --cluster-retries",
    )
