"""Many films through one Analyzer, up to ``jobs`` at once (``Analyzer.analyze_many``).

The films run as tasks of one task group, inside a producer task that the iterator owns
(``vcp.core.taskgroups.results_of``): it is cancelled and awaited when the caller stops
iterating, and the caller's own code between two results never runs inside the task group.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from vcp.core.taskgroups import first_error, results_of
from vcp.errors import ModelError, VcpError

if TYPE_CHECKING:
    from vcp.analysis.pipeline import Analyzer
    from vcp.report import Report

__all__ = ["FilmResult", "analyze_films"]


@dataclass(frozen=True, slots=True)
class FilmResult:
    """One film of ``analyze_many``: its ``report``, or the ``error`` that failed it."""

    path: Path
    report: Report | None = None
    error: VcpError | None = None
    report_path: Path | None = None  # where the report was written, when it was
    # analysed: some detector ran; rederived: segments derived again from the stored inference,
    # no model loaded; current: the report was left as it was (docs/incremental.md)
    outcome: Literal["analysed", "rederived", "current", "failed"] = "analysed"

    @property
    def ok(self) -> bool:
        """True when the film was analysed (``report`` is set)."""
        return self.error is None


async def analyze_films(
    analyzer: Analyzer,
    paths: Iterable[Path],
    *,
    jobs: int,
    report_paths: Mapping[Path, Path],
) -> AsyncIterator[FilmResult]:
    """Each film's result as it finishes (see ``Analyzer.analyze_many``)."""
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    films = [Path(p) for p in paths]
    slots = asyncio.Semaphore(jobs)

    async def produce(put: Callable[[FilmResult], None]) -> None:
        async def one(path: Path) -> None:
            async with slots:
                put(await _film(analyzer, path, report_paths.get(path)))

        try:
            async with asyncio.TaskGroup() as group:
                for path in films:
                    group.create_task(one(path))
        except BaseExceptionGroup as failed:  # a model error stops every film: raised as itself
            raise first_error(failed) from None

    async for result in results_of(produce, len(films)):
        yield result


async def _film(analyzer: Analyzer, path: Path, report_path: Path | None) -> FilmResult:
    try:
        report, outcome = await analyzer.analyze_film(path, report_path=report_path)
    except ModelError:
        raise  # every film needs the model: the run stops with its error
    except VcpError as exc:
        return FilmResult(path, error=exc, outcome="failed")
    return FilmResult(path, report=report, report_path=report_path, outcome=outcome)
