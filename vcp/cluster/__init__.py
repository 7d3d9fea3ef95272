"""Many films on many machines: the analysis spread over a Ray cluster (the ``vcp[ray]`` extra).

- ``target``: what ``--cluster`` names (``auto``, ``local``, ``HOST:PORT``, ``ray://HOST:PORT``);
- ``tally``: films and hours of film per node, totals and the time left (pure);
- ``events``: what the driver's ``on_event`` handler receives;
- ``node_settings``: the driver's settings with a node's own model endpoint and cache (pure);
- ``node``: one node's ModelManager and Analyzer, opened once and shared by its films (no Ray);
- ``ray_shell``: the only module that imports ``ray``: connect, one actor per node, calls;
- ``runner``: ``analyze_on_cluster``, the driver: hands out the films, writes the reports.

``import vcp.cluster`` does not import Ray; ``analyze_on_cluster`` raises a ClusterError saying
``pip install 'vcp[ray]'`` when it is missing.
"""

from vcp.cluster.events import (
    ClusterEvent,
    ClusterProgress,
    ClusterReady,
    NodeClosed,
    NodeFilmFinished,
    NodeFilmRequeued,
    NodeFilmStarted,
)
from vcp.cluster.runner import DEFAULT_RETRIES, analyze_on_cluster, require_ray
from vcp.cluster.tally import ClusterTally, NodeLine, Totals
from vcp.cluster.target import ClusterTarget, parse_target

__all__ = [
    "DEFAULT_RETRIES",
    "ClusterEvent",
    "ClusterProgress",
    "ClusterReady",
    "ClusterTally",
    "ClusterTarget",
    "NodeFilmFinished",
    "NodeFilmRequeued",
    "NodeFilmStarted",
    "NodeClosed",
    "NodeLine",
    "Totals",
    "analyze_on_cluster",
    "parse_target",
    "require_ray",
]
