"""The watch service's memory across restarts: one JSON file, written atomically.

It holds, for each film (by its path relative to the library), what was analysed (the film's
fingerprint and the settings' key when its report was written) and how it last failed. The
reports beside the films stay the truth: a film is done only while its report exists and is
current (``vcp.watch.current``); a lost or damaged state file costs one more analysis of each
film, never a wrong report. Default place: ``LIBRARY/.vcp-watch.json``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vcp.core.atomic import atomic_write_text
from vcp.core.fingerprint import Fingerprint
from vcp.watch.films import FileStat

__all__ = ["STATE_NAME", "Analysed", "Failure", "WatchState", "load_state", "save_state"]

log = logging.getLogger(__name__)

STATE_NAME = ".vcp-watch.json"
FORMAT = "vcp-watch-state"
VERSION = 1


@dataclass(frozen=True, slots=True)
class Analysed:
    """A film analysed by the service: the film as it was, and the settings that analysed it."""

    fingerprint: Fingerprint
    settings: str


@dataclass(frozen=True, slots=True)
class Failure:
    """A film's last failures: the film as it was, how many in a row, why, when to try again."""

    stat: FileStat
    failures: int
    reason: str
    retry_at: float | None


@dataclass
class WatchState:
    """Every film's record, keyed by its path relative to the library (``/``-separated)."""

    analysed: dict[str, Analysed] = field(default_factory=dict)
    failures: dict[str, Failure] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        films: dict[str, dict[str, Any]] = {}
        for key, done in self.analysed.items():
            films.setdefault(key, {})["analysed"] = {
                "fingerprint": done.fingerprint.to_json(),
                "settings": done.settings,
            }
        for key, failure in self.failures.items():
            films.setdefault(key, {})["failed"] = {
                "size": failure.stat.size,
                "mtime_ns": failure.stat.mtime_ns,
                "failures": failure.failures,
                "reason": failure.reason,
                "retry_at": failure.retry_at,
            }
        return {"format": FORMAT, "version": VERSION, "films": dict(sorted(films.items()))}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WatchState:
        """ValueError (or KeyError, TypeError) when ``data`` is not a state of this version."""
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            raise ValueError("not a vcp watch state of version 1")
        state = cls()
        for key, film in data["films"].items():
            if "analysed" in film:
                done = film["analysed"]
                state.analysed[key] = Analysed(
                    Fingerprint.from_json(done["fingerprint"]), str(done["settings"])
                )
            if "failed" in film:
                f = film["failed"]
                retry_at = None if f["retry_at"] is None else float(f["retry_at"])
                stat = FileStat(int(f["size"]), int(f["mtime_ns"]))
                state.failures[key] = Failure(stat, int(f["failures"]), str(f["reason"]), retry_at)
        return state


def load_state(path: Path) -> WatchState:
    """The state at ``path``; an empty one when there is none, or (with a warning) when it cannot
    be read: the reports are the truth, so the worst is one more analysis of each film."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return WatchState()
    except OSError as exc:
        log.warning("cannot read the watch state %s (%s): starting from the reports", path, exc)
        return WatchState()
    try:
        return WatchState.from_json(json.loads(text))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("the watch state %s is damaged (%s): starting from the reports", path, exc)
        return WatchState()


def save_state(path: Path, state: WatchState) -> None:
    """Write ``state`` to ``path`` atomically (readers see the old or the new file). Blocking."""
    atomic_write_text(path, json.dumps(state.to_json(), indent=1) + "\n")
