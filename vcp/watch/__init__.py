"""``vcp watch``: a service that analyses a library's films as they appear or change.

``WatchService`` (the asyncio shell) drives ``Films`` (the pure state machine of each film),
remembers its films in a state file (``vcp.watch.state``), decides what is current in one place
(``vcp.watch.current``), emits ``vcp.watch.events`` and serves its status (``StatusServer``).
"""

from __future__ import annotations

from vcp.watch.events import FilmDone, FilmFailed, FilmQueued, FilmStarted, WatchEvent
from vcp.watch.films import FileStat, Film, Films, FilmState, RetryPolicy
from vcp.watch.service import DEFAULT_SETTLE_SECONDS, WatchOptions, WatchService
from vcp.watch.state import STATE_NAME
from vcp.watch.status import StatusServer, status_document, status_page

__all__ = [
    "DEFAULT_SETTLE_SECONDS",
    "STATE_NAME",
    "FileStat",
    "Film",
    "FilmDone",
    "FilmFailed",
    "FilmQueued",
    "FilmStarted",
    "FilmState",
    "Films",
    "RetryPolicy",
    "StatusServer",
    "WatchEvent",
    "WatchOptions",
    "WatchService",
    "status_document",
    "status_page",
]
