"""What a cluster run tells the driver's ``on_event`` handler: frozen events, like the analysis's.

The nodes analyse; the driver hands out the films and counts: these events come from the driver,
on its event loop, one film at a time (the analysis events of each film stay on its node).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vcp.cluster.tally import NodeLine, Totals

__all__ = [
    "ClusterEvent",
    "ClusterProgress",
    "ClusterReady",
    "NodeFilmFinished",
    "NodeFilmRequeued",
    "NodeFilmStarted",
    "NodeClosed",
]


@dataclass(frozen=True, slots=True)
class ClusterReady:
    """Connected to ``address``; ``nodes`` each hold an analyzer (models load there once)."""

    address: str
    nodes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NodeFilmStarted:
    """``film`` was handed to ``node``."""

    film: Path
    node: str


@dataclass(frozen=True, slots=True)
class NodeFilmFinished:
    """``film`` is done on ``node`` (None: the driver could not read it), by worker process
    ``pid``: ``ok``, or failed with ``error`` (a message)."""

    film: Path
    node: str | None
    ok: bool
    pid: int | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class NodeFilmRequeued:
    """``node`` went away while it analysed ``film``: another node takes it."""

    film: Path
    node: str
    reason: str


@dataclass(frozen=True, slots=True)
class NodeClosed:
    """``node``'s analyzer was closed: it analysed ``films`` films and loaded ``loads``
    detectors (once each, unless Ray restarted its worker)."""

    node: str
    films: int
    loads: int


@dataclass(frozen=True, slots=True)
class ClusterProgress:
    """Each node's line and the run's totals, after every change."""

    nodes: tuple[NodeLine, ...]
    total: Totals


ClusterEvent = (
    ClusterReady
    | NodeFilmStarted
    | NodeFilmFinished
    | NodeFilmRequeued
    | NodeClosed
    | ClusterProgress
)
