"""Which files of a library are films, and what their size and time are (blocking; small)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from vcp.export.sidecars import sidecar_path
from vcp.report.naming import VIDEO_EXTENSIONS
from vcp.watch.films import FileStat

__all__ = ["is_film", "list_films", "stat_of", "stats_of"]

# The chapters player file is a copy of the film (``movie.chapters.mkv``): the service's own
# output, not a film to analyse.
_CHAPTERS_COPY = sidecar_path(Path("film"), "chapters").name.removeprefix("film")


def is_film(path: Path, library: Path) -> bool:
    """A video file under ``library`` by its extension, neither hidden (vcp's own temporary files
    are hidden, and so are many downloaders' partial files) nor inside a hidden folder."""
    try:
        parts = path.relative_to(library).parts
    except ValueError:
        return False
    hidden = any(part.startswith(".") for part in parts)
    copy = path.name.endswith(_CHAPTERS_COPY)
    return path.suffix.lower() in VIDEO_EXTENSIONS and not hidden and not copy


def list_films(library: Path) -> list[Path]:
    """Every film under ``library`` (hidden folders skipped), sorted."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(library):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(p for name in files if is_film(p := Path(folder) / name, library))
    return sorted(found)


def stat_of(path: Path) -> FileStat | None:
    """The file's size and time; None when it is gone (or is no longer a file)."""
    try:
        info = path.stat()
    except OSError:
        return None
    if not path.is_file():
        return None
    return FileStat(info.st_size, info.st_mtime_ns)


def stats_of(paths: Iterable[Path]) -> dict[Path, FileStat | None]:
    return {path: stat_of(path) for path in paths}
