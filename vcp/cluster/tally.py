"""What the driver knows of a cluster run: films and hours of film per node, done and left, and
an estimate of the time left. Pure: the runner feeds it, the events carry its snapshots."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ClusterTally", "NodeLine", "Totals"]


@dataclass(frozen=True, slots=True)
class NodeLine:
    """One node's share so far: films finished (``failed`` among them), the seconds of film
    they hold, and the films it is analysing now."""

    node: str
    films: int = 0
    failed: int = 0
    seconds: float = 0.0
    running: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Totals:
    """The whole run: films and seconds of film finished of all, and the time left (None until a
    film has finished: there is no rate to go by)."""

    films: int
    films_total: int
    seconds: float
    seconds_total: float
    failed: int
    elapsed: float
    eta_seconds: float | None


@dataclass
class _Node:
    films: int = 0
    failed: int = 0
    seconds: float = 0.0
    running: list[Path] = field(default_factory=list)


class ClusterTally:
    """Films started and finished on each node, against ``durations`` (each film's length)."""

    def __init__(self, durations: dict[Path, float], *, started_at: float) -> None:
        self._durations = dict(durations)
        self._started_at = started_at
        self._nodes: dict[str, _Node] = {}

    def add_nodes(self, nodes: Iterable[str]) -> None:
        """Nodes that take films, in the order their lines are shown."""
        for node in nodes:
            self._nodes.setdefault(node, _Node())

    def started(self, film: Path, node: str) -> None:
        """``film`` was handed to ``node``."""
        self._nodes.setdefault(node, _Node()).running.append(film)

    def finished(self, film: Path, node: str | None, *, ok: bool) -> None:
        """``film`` is done on ``node`` (None: it never reached one), analysed or failed."""
        line = self._nodes.setdefault(node or "-", _Node())
        if film in line.running:
            line.running.remove(film)
        line.films += 1
        line.failed += not ok
        line.seconds += self._durations.get(film, 0.0)

    def requeued(self, film: Path, node: str) -> None:
        """``film`` left ``node`` unfinished (the node went away) and waits for another."""
        line = self._nodes.get(node)
        if line is not None and film in line.running:
            line.running.remove(film)

    def lines(self) -> tuple[NodeLine, ...]:
        """Each node's line, in the order the nodes were added."""
        return tuple(
            NodeLine(n, v.films, v.failed, v.seconds, tuple(p.name for p in v.running))
            for n, v in self._nodes.items()
        )

    def totals(self, now: float) -> Totals:
        """The run's totals at ``now`` (same clock as ``started_at``)."""
        done = sum(v.seconds for v in self._nodes.values())
        films = sum(v.films for v in self._nodes.values())
        total = sum(self._durations.values())
        elapsed = max(now - self._started_at, 0.0)
        return Totals(
            films=films,
            films_total=len(self._durations),
            seconds=done,
            seconds_total=total,
            failed=sum(v.failed for v in self._nodes.values()),
            elapsed=elapsed,
            eta_seconds=_eta(done, total, elapsed, films=films, films_total=len(self._durations)),
        )


def _eta(
    done: float, total: float, elapsed: float, *, films: int, films_total: int
) -> float | None:
    """Seconds left at the rate so far: by seconds of film, else (films without a known length)
    by films."""
    if films >= films_total:
        return 0.0
    if films == 0 or elapsed <= 0:
        return None
    if done > 0:
        return max(total - done, 0.0) * elapsed / done
    return (films_total - films) * elapsed / films
