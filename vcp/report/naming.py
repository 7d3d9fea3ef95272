"""How a video's report is named, and found again.

``movie.mp4`` -> ``movie.vcp.json``, unless another video shares the stem (``two.mkv`` and
``two.mp4`` in one folder, or in one run writing into one folder): then each report is named after
the whole file name, ``two.mkv.vcp.json`` and ``two.mp4.vcp.json``, and neither replaces the other.
Finding a video's report looks for ``<name>.vcp.json`` first, then ``<stem>.vcp.json``; when
another video beside it shares the stem, that one counts only if its ``input.name`` is this video.
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from vcp.report.model import FORMAT_NAME

__all__ = [
    "REPORT_SUFFIX",
    "VIDEO_EXTENSIONS",
    "find_report",
    "peek_report",
    "report_path",
    "run_report_paths",
    "shares_stem",
]

REPORT_SUFFIX = ".vcp.json"

# What a folder search picks up; a file named on the command line is read whatever its name.
VIDEO_EXTENSIONS = frozenset(
    [
        ".mp4",
        ".m4v",
        ".mkv",
        ".webm",
        ".mov",
        ".avi",
        ".wmv",
        ".flv",
        ".mpg",
        ".mpeg",
        ".ts",
        ".m2ts",
        ".mts",
        ".3gp",
        ".ogv",
    ]
)

_PEEK_LIMIT_BYTES = 256 * 1024 * 1024  # the bound load_report puts on a report


def shares_stem(video: Path, others: Iterable[Path] = ()) -> bool:
    """True if another video has ``video``'s stem: a video file beside it on disk (by its
    extension), or one of ``others`` (the run's videos whose reports go to the same folder)."""
    beside = video.parent.glob(glob.escape(video.stem) + ".*")
    return _shared(video, disk=beside, run=others)


def report_path(video: Path, folder: Path | None = None, *, others: Iterable[Path] = ()) -> Path:
    """Where ``video``'s report is written: in ``folder`` (default: beside the video), named
    ``<stem>.vcp.json``, or ``<name>.vcp.json`` when another video shares the stem (see
    ``shares_stem``)."""
    return _named(video, folder or video.parent, shared=shares_stem(video, others))


def run_report_paths(videos: Sequence[Path], folder: Path | None = None) -> list[Path]:
    """``report_path`` for each of a run's videos, all written to ``folder`` (default: each
    beside its video). Each video's folder is listed once, however many videos it holds."""
    on_disk: dict[Path, dict[str, list[Path]]] = {}
    in_run: dict[tuple[Path, str], list[Path]] = {}
    for video in videos:
        if video.parent not in on_disk:
            on_disk[video.parent] = _by_stem(_listing(video.parent))
        in_run.setdefault((folder or video.parent, video.stem), []).append(video)
    paths = []
    for video in videos:
        place = folder or video.parent
        disk = on_disk[video.parent].get(video.stem, [])
        shared = _shared(video, disk=disk, run=in_run[place, video.stem])
        paths.append(_named(video, place, shared=shared))
    return paths


def _named(video: Path, folder: Path, *, shared: bool) -> Path:
    return folder / ((video.name if shared else video.stem) + REPORT_SUFFIX)


def _shared(video: Path, *, disk: Iterable[Path], run: Iterable[Path]) -> bool:
    """Another video of ``video``'s stem under another name: on disk it must look like a video,
    in the run it is one whatever its extension."""
    others = [p for p in run if p.name != video.name]
    others += [p for p in disk if p.name != video.name and _is_video_name(p)]
    return any(p.stem == video.stem for p in others)


def _listing(folder: Path) -> list[Path]:
    try:
        return [folder / entry.name for entry in os.scandir(folder)]
    except OSError:
        return []


def _by_stem(paths: Iterable[Path]) -> dict[str, list[Path]]:
    grouped: dict[str, list[Path]] = {}
    for path in paths:
        grouped.setdefault(path.stem, []).append(path)
    return grouped


def find_report(video: Path, folder: Path | None = None) -> Path | None:
    """``video``'s report in ``folder`` (default: beside the video), or None.

    ``<name>.vcp.json`` if it exists, else ``<stem>.vcp.json``; when another video beside this
    one shares the stem, the stem's report is taken only if it was written for this video.
    """
    folder = folder or video.parent
    by_name = folder / (video.name + REPORT_SUFFIX)
    if by_name.is_file():
        return by_name
    by_stem = folder / (video.stem + REPORT_SUFFIX)
    if not by_stem.is_file():
        return None
    if not shares_stem(video):
        return by_stem
    data = peek_report(by_stem) or {}
    written_for = data.get("input", {}).get("name") if isinstance(data.get("input"), dict) else None
    return by_stem if written_for == video.name else None


def peek_report(path: Path) -> dict[str, Any] | None:
    """The top-level JSON object of a vcp report at ``path``, unvalidated; None for anything
    else (not JSON, another kind of JSON, unreadable, too large). For recognising a report, not
    for using one: that is ``load_report``."""
    try:
        if path.stat().st_size > _PEEK_LIMIT_BYTES:
            return None
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):  # ValueError: bad JSON or bad UTF-8
        return None
    if isinstance(data, dict) and data.get("format") == FORMAT_NAME:
        return data
    return None


def _is_video_name(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_EXTENSIONS
