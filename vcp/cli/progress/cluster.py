"""Drawing a cluster run's progress at the driver: one line per node and a total (films, hours of
film, time left), written when a film finishes; nothing with ``--progress none`` or ``--quiet``."""

from __future__ import annotations

from typing import TextIO

from vcp.cluster.events import (
    ClusterEvent,
    ClusterProgress,
    ClusterReady,
    NodeClosed,
    NodeFilmFinished,
    NodeFilmRequeued,
)
from vcp.cluster.tally import NodeLine, Totals
from vcp.core.terminal import terminal_safe

__all__ = ["ClusterView", "node_line", "total_line"]


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    whole = round(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def node_line(line: NodeLine) -> str:
    """``  host (1a2b3c4d): 3 films, 1.25 h of film (1 failed); now: movie.mkv``"""
    text = f"  {line.node}: {line.films} film{'s' * (line.films != 1)}, "
    text += f"{line.seconds / 3600:.2f} h of film"
    if line.failed:
        text += f" ({line.failed} failed)"
    if line.running:
        text += f"; now: {', '.join(line.running)}"
    return text


def total_line(total: Totals) -> str:
    """``  total: 3/10 films, 1.25/4.00 h of film, 0:10:00 so far, ETA 0:23:20``"""
    text = (
        f"  total: {total.films}/{total.films_total} films, "
        f"{total.seconds / 3600:.2f}/{total.seconds_total / 3600:.2f} h of film"
    )
    if total.failed:
        text += f", {total.failed} failed"
    return text + f", {_clock(total.elapsed)} so far, ETA {_clock(total.eta_seconds)}"


class ClusterView:
    """An ``on_event`` handler for ``analyze_on_cluster`` writing to ``stream``."""

    def __init__(self, stream: TextIO, *, quiet: bool = False) -> None:
        self._stream, self._quiet = stream, quiet
        self._shown = -1  # films finished when the lines were last written

    def __call__(self, event: ClusterEvent) -> None:
        if self._quiet:
            return
        if isinstance(event, ClusterReady):
            nodes = len(event.nodes)
            self._write(f"cluster {event.address}: {nodes} node{'s' * (nodes != 1)}")
        elif isinstance(event, NodeFilmRequeued):
            self._write(f"{event.film.name}: {event.reason}; another node takes it")
        elif isinstance(event, NodeFilmFinished) and not event.ok:
            self._write(f"{event.film.name}: failed on {event.node or 'the driver'}")
        elif isinstance(event, NodeClosed):
            self._write(f"  {event.node}: closed after {event.films} films")
        elif isinstance(event, ClusterProgress) and event.total.films != self._shown:
            self._shown = event.total.films
            self._write(*(node_line(n) for n in event.nodes), total_line(event.total))

    def _write(self, *lines: str) -> None:
        self._stream.write("".join(terminal_safe(line) + "\n" for line in lines))
        self._stream.flush()
