"""Many films on a Ray cluster: ``analyze_on_cluster``, the driver's side.

The driver reads each film's length (for the totals), joins the cluster, places one analyzer
actor on each node and hands out the films, ``jobs`` at a time per node, as nodes become free.
Reports come back to the driver and are written here, atomically, where a run on this machine
would write them; the nodes only read the films, so every node must see the films at the same
path (a shared folder). Results are yielded as films finish, as ``Analyzer.analyze_many`` does:
a film that fails carries its error and the others go on; a ModelError stops the run.

Structure: the films wait in a queue; each node has ``jobs`` slot tasks in one task group, each
taking the next film until none is left. A slot whose node went away puts its film back (up to
``retries`` times) and stops; when the last slot stops, the films still waiting fail.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from anyio import to_thread

from vcp.analysis.batch import FilmResult
from vcp.cluster.events import (
    ClusterEvent,
    ClusterProgress,
    ClusterReady,
    NodeClosed,
    NodeFilmFinished,
    NodeFilmRequeued,
    NodeFilmStarted,
)
from vcp.cluster.tally import ClusterTally
from vcp.cluster.target import ClusterTarget, parse_target
from vcp.core.event_sink import EventSink, Handler
from vcp.core.taskgroups import first_error, results_of
from vcp.errors import ClusterError, VcpError

if TYPE_CHECKING:
    from types import ModuleType

    from vcp.cluster.node import FilmOutcome
    from vcp.cluster.ray_shell import Node
    from vcp.config.settings import Settings

__all__ = ["DEFAULT_RETRIES", "analyze_on_cluster", "require_ray"]

log = logging.getLogger(__name__)
DEFAULT_RETRIES = 2  # Ray runs a film's task up to 1 + this many times
_RAY_HINT = "pip install 'vcp[ray]'"
_CLOSE_WAIT = 10.0  # seconds


def require_ray() -> ModuleType:
    """The ``ray`` module; a ClusterError saying how to install it when it is missing."""
    try:
        import ray
    except ImportError as exc:
        raise ClusterError(
            "running on a cluster needs Ray, which is not installed",
            hint=f"install it with `{_RAY_HINT}` (on every machine of the cluster)",
        ) from exc
    return ray


@dataclass
class _Run:
    """One cluster run's shared state: the films waiting, their tries, the results, the tally."""

    tally: ClusterTally
    emit: Callable[[ClusterEvent], None]
    put: Callable[[FilmResult], None]
    report_paths: Mapping[Path, Path]
    pretty: bool
    retries: int
    waiting: asyncio.Queue[Path | None] = field(default_factory=asyncio.Queue)
    tries: dict[Path, int] = field(default_factory=dict)
    left: int = 0
    slots: int = 0
    previous: dict[Path, str] = field(default_factory=dict)  # reports partly current, as JSON

    def progress(self) -> None:
        self.emit(ClusterProgress(self.tally.lines(), self.tally.totals(time.monotonic())))

    def done(self, result: FilmResult, node: str | None, *, pid: int | None = None) -> None:
        self.tally.finished(result.path, node, ok=result.ok)
        error = result.error.message if result.error is not None else None
        self.emit(NodeFilmFinished(result.path, node, result.ok, pid, error))
        if self.waiting.empty():  # else the next film starts at once: its progress says both
            self.progress()
        self.put(result)
        self.left -= 1
        if self.left == 0:  # every slot waits for a film: tell them there is none
            for _ in range(self.slots):
                self.waiting.put_nowait(None)


async def analyze_on_cluster(
    settings: Settings,
    films: Iterable[Path],
    *,
    cluster: ClusterTarget | str = "auto",
    report_paths: Mapping[Path, Path] | None = None,
    jobs: int = 1,
    retries: int = DEFAULT_RETRIES,
    offline: bool | None = None,
    force: bool = False,
    on_event: Handler[ClusterEvent] | None = None,
) -> AsyncIterator[FilmResult]:
    """Analyse ``films`` on the Ray cluster ``cluster`` (``auto``, ``local``, ``HOST:PORT``,
    ``ray://HOST:PORT``), ``jobs`` films at once per node, and yield each film's ``FilmResult``
    as it finishes. ``report_paths`` maps a film to its report file, written here atomically.
    A film whose worker dies is run again by Ray up to ``retries`` times; ``offline`` is the
    nodes' ModelManager's (False lets them download missing models). ``on_event`` receives the
    ``vcp.cluster.events`` (sync or async handler).

    As on one machine (``vcp.analysis.freshness``), a film whose report is current is left as it
    is and one whose rules changed has its segments derived again, here, without a model: only
    the films that need inference go to the nodes, with their reports when only some detectors
    are stale (the node runs those only), unless ``force``."""
    target = parse_target(cluster) if isinstance(cluster, str) else cluster
    if jobs < 1 or retries < 0:
        raise ValueError(f"jobs must be at least 1 and retries at least 0, got {jobs}, {retries}")
    require_ray()
    paths = [Path(p) for p in films]
    async with EventSink(on_event) as emit:

        async def produce(put: Callable[[FilmResult], None]) -> None:
            run = _Run(
                ClusterTally({}, started_at=time.monotonic()), emit, put, report_paths or {},
                settings.output.pretty, retries,
            )  # fmt: skip
            await _drive(run, paths, settings, target, offline=offline, jobs=jobs, force=force)

        async for result in results_of(produce, len(paths)):
            yield result


async def _drive(
    run: _Run,
    paths: list[Path],
    settings: Settings,
    target: ClusterTarget,
    *,
    offline: bool | None,
    jobs: int,
    force: bool,
) -> None:
    from vcp.cluster import ray_shell

    durations, unreadable = await _lengths(paths)
    run.tally = ClusterTally(
        {**durations, **dict.fromkeys(unreadable, 0.0)}, started_at=time.monotonic()
    )
    run.left = len(paths)
    for path, error in unreadable.items():
        run.done(FilmResult(path, error=error), None)
    films = list(durations) if force else await _reuse_reports(run, list(durations), settings)
    if not films:
        return
    address = await to_thread.run_sync(ray_shell.connect, target)
    try:
        start = functools.partial(
            ray_shell.start_nodes, settings, offline=offline, retries=run.retries, jobs=jobs
        )
        nodes = await to_thread.run_sync(start)
        run.tally.add_nodes(n.name for n in nodes)
        run.emit(ClusterReady(address, tuple(n.name for n in nodes)))
        run.progress()
        await _hand_out(run, nodes, films, jobs=jobs)
    finally:
        await to_thread.run_sync(ray_shell.disconnect)


async def _reuse_reports(run: _Run, films: list[Path], settings: Settings) -> list[Path]:
    """Finish here the films whose reports are current or only need their segments derived
    again (no model is loaded); return the films that need inference on the nodes, keeping the
    report of each whose inference is partly current (``run.previous``)."""
    from vcp.analysis.freshness import Current, Rederivable, report_status
    from vcp.analysis.pipeline import Analyzer
    from vcp.models.manager import ModelManager

    reusable = []
    for film in films:
        report_path = run.report_paths.get(film)
        if report_path is None:
            continue
        status = await to_thread.run_sync(report_status, report_path, film, settings)
        if isinstance(status, Current | Rederivable):
            reusable.append(film)
        elif status.report is not None:  # only some detectors are stale: the node reuses the rest
            run.previous[film] = await to_thread.run_sync(report_path.read_text)
    if reusable:
        async with (
            ModelManager(settings.models, offline=True) as models,
            Analyzer(settings, models) as analyzer,
        ):
            for film in reusable:
                report_path = run.report_paths[film]
                report, outcome = await analyzer.analyze_film(film, report_path=report_path)
                run.done(FilmResult(film, report, report_path=report_path, outcome=outcome), None)
    return [film for film in films if film not in reusable]


async def _lengths(paths: list[Path]) -> tuple[dict[Path, float], dict[Path, VcpError]]:
    """Each readable film's length, and the error of each film the driver cannot read (it fails
    here, as it would on this machine: the nodes read the same path)."""
    from vcp.media.probe import probe

    durations, unreadable = {}, {}
    for path in paths:
        try:
            durations[path] = (await to_thread.run_sync(probe, path)).duration
        except VcpError as exc:
            unreadable[path] = exc
    return durations, unreadable


async def _hand_out(run: _Run, nodes: list[Node], films: list[Path], *, jobs: int) -> None:
    for film in films:
        run.waiting.put_nowait(film)
    run.slots = len(nodes) * jobs
    alive = {n.name: jobs for n in nodes}
    try:
        async with asyncio.TaskGroup() as group:
            for node in nodes:
                for _ in range(jobs):
                    group.create_task(_slot(run, node, alive))
    except BaseExceptionGroup as failed:
        raise first_error(failed) from None
    finally:
        await _close(run, nodes)


async def _slot(run: _Run, node: Node, alive: dict[str, int]) -> None:
    """Take films for ``node`` until none is left, or the node is gone."""
    from vcp.cluster.ray_shell import NodeLost

    while (film := await run.waiting.get()) is not None:
        run.tally.started(film, node.name)
        run.emit(NodeFilmStarted(film, node.name))
        run.progress()
        try:
            outcome = await node.analyze(film, run.previous.get(film))
        except NodeLost as exc:
            _requeue(run, film, node, str(exc))
            break
        except ClusterError as exc:
            run.done(FilmResult(film, error=exc), node.name)
            continue
        await _finish(run, outcome, node)
    alive[node.name] -= 1
    if not any(alive.values()):  # no slot left to take the films still waiting
        while not run.waiting.empty():
            if (film := run.waiting.get_nowait()) is not None:
                error = ClusterError(f"no node left to analyse {film.name}", where=str(film))
                run.done(FilmResult(film, error=error), None)


def _requeue(run: _Run, film: Path, node: Node, reason: str) -> None:
    run.tries[film] = tries = run.tries.get(film, 0) + 1
    run.tally.requeued(film, node.name)
    if tries > run.retries:
        error = ClusterError(f"{film.name}: {reason} on each of its {tries} tries", where=str(film))
        run.done(FilmResult(film, error=error), node.name)
        return
    run.emit(NodeFilmRequeued(film, node.name, reason))
    run.waiting.put_nowait(film)


async def _finish(run: _Run, outcome: FilmOutcome, node: Node) -> None:
    """Write the film's report here (atomically) and hand its result on."""
    from vcp.report import write_report

    film = outcome.film
    if outcome.error is not None:
        if outcome.fatal:  # a model error: no film can be analysed, as on one machine
            raise outcome.error
        run.done(FilmResult(film, error=outcome.error), node.name, pid=outcome.pid)
        return
    assert outcome.report is not None
    report_path = run.report_paths.get(film)
    if report_path is not None:
        write = functools.partial(write_report, outcome.report, report_path, pretty=run.pretty)
        try:
            await to_thread.run_sync(write)
        except VcpError as exc:
            run.done(FilmResult(film, error=exc), node.name, pid=outcome.pid)
            return
    result = FilmResult(film, report=outcome.report, report_path=report_path)
    run.done(result, node.name, pid=outcome.pid)


async def _close(run: _Run, nodes: list[Node]) -> None:
    """Release every node's models (in parallel); say what each did. A node still busy (the run
    stopped early) is not waited for long: leaving the cluster stops its actor anyway."""
    try:
        stats = await asyncio.wait_for(asyncio.gather(*(n.close() for n in nodes)), _CLOSE_WAIT)
    except TimeoutError:
        return
    for node, stat in zip(nodes, stats, strict=True):
        if stat is not None:
            run.emit(NodeClosed(node.name, stat.films, stat.loads))
