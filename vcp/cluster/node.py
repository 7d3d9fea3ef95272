"""One node's analyzer: a ModelManager and an Analyzer opened once, on the node's first film,
and shared by every film the node analyses. No Ray here: ``ray_shell`` makes it a Ray actor.

What goes back to the driver must cross a process (and machine) boundary: the report, or the
film's error as a VcpError that survives pickling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import socket
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vcp.cluster.node_settings import settings_for_node
from vcp.errors import ClusterError, ModelError, VcpError

if TYPE_CHECKING:
    from vcp.analysis.events import AnalysisEvent
    from vcp.analysis.pipeline import Analyzer
    from vcp.config.settings import Settings
    from vcp.report import Report

__all__ = ["FilmOutcome", "NodeAnalyzer", "NodeStats"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FilmOutcome:
    """A film's result as it leaves the node: its report or its error, and who did the work."""

    film: Path
    pid: int
    report: Report | None = None
    error: VcpError | None = None
    fatal: bool = False  # a ModelError: the node cannot analyse any film, the run stops


@dataclass(frozen=True, slots=True)
class NodeStats:
    """What a node did: films analysed and detectors loaded, by its current worker process."""

    host: str
    pid: int
    films: int
    loads: int


class NodeAnalyzer:
    """Analyse films on this node with ``settings`` (the driver's, with the node's model endpoint
    and cache, see ``node_settings``). ``offline``: as the ModelManager's (None: the settings')."""

    def __init__(self, settings: Settings, *, offline: bool | None = None) -> None:
        self._settings = settings_for_node(settings, os.environ)
        self._offline = offline
        self._stack = contextlib.AsyncExitStack()
        self._analyzer: Analyzer | None = None
        self._opening = asyncio.Lock()
        self._films = 0
        self._loads = 0

    async def analyze(self, film: Path, previous: str | None = None) -> FilmOutcome:
        """``film``'s report, or the VcpError that failed it (``fatal`` for a ModelError: the
        node cannot work). ``previous``: the film's report (its JSON) when only some detectors'
        inference is stale; the others keep theirs (``vcp.analysis.freshness``)."""
        try:
            analyzer = await self._open()
            report = await _analyze(analyzer, film, previous)
        except VcpError as exc:
            fatal = isinstance(exc, ModelError)
            return FilmOutcome(film, os.getpid(), error=_portable(exc), fatal=fatal)
        finally:
            self._films += 1
        return FilmOutcome(film, os.getpid(), report=report)

    def stats(self) -> NodeStats:
        """What this worker process did so far."""
        return NodeStats(socket.gethostname(), os.getpid(), self._films, self._loads)

    async def close(self) -> NodeStats:
        """Release the loaded models and the manager; the node's stats."""
        await self._stack.aclose()
        self._analyzer = None
        return self.stats()

    async def _open(self) -> Analyzer:
        async with self._opening:
            if self._analyzer is None:
                self._analyzer = await self._stack.enter_async_context(self._build())
            return self._analyzer

    @contextlib.asynccontextmanager
    async def _build(self) -> AsyncIterator[Analyzer]:
        from vcp.analysis.pipeline import Analyzer
        from vcp.models.manager import ModelManager

        settings = self._settings
        async with (
            ModelManager(settings.models, offline=self._offline) as models,
            Analyzer(settings, models, on_event=self._count) as analyzer,
        ):
            yield analyzer

    def _count(self, event: AnalysisEvent) -> None:
        from vcp.analysis.events import DetectorReady

        if isinstance(event, DetectorReady):
            self._loads += 1
            log.info("%s loaded on %s", event.detector, socket.gethostname())


async def _analyze(analyzer: Analyzer, film: Path, previous: str | None) -> Report:
    """The film's report; with ``previous``, through a copy of it in a scratch folder, so that
    the analyzer re-runs only the stale detectors (the driver writes the real report)."""
    if previous is None:
        return await analyzer.analyze(film)
    with tempfile.TemporaryDirectory(prefix="vcp-node-") as scratch:
        report_path = Path(scratch) / "previous.vcp.json"
        report_path.write_text(previous, encoding="utf-8")
        report, _ = await analyzer.analyze_film(film, report_path=report_path)
    return report


def _portable(exc: VcpError) -> VcpError:
    """``exc`` if it survives pickling as itself, else a ClusterError with its words."""
    try:
        back = pickle.loads(pickle.dumps(exc))
    except Exception:  # a subclass whose __init__ wants fields pickling does not pass
        back = None
    if type(back) is type(exc):
        return exc
    return ClusterError(exc.message, where=exc.where, hint=exc.hint)
