"""Which files ``vcp analyze`` reads and where their reports go, checked before any work starts."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from vcp.errors import MediaError, UsageError
from vcp.report import REPORT_SUFFIX, default_report_path

__all__ = ["VIDEO_EXTENSIONS", "find_videos", "report_paths"]

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


def find_videos(inputs: Sequence[Path]) -> list[Path]:
    """Files as given, folders searched recursively for video files (sorted); MediaError if an
    input is missing or a folder holds no video."""
    found: list[Path] = []
    for path in inputs:
        if path.is_dir():
            videos = sorted(
                p for p in path.rglob("*") if p.suffix.lower() in VIDEO_EXTENSIONS and p.is_file()
            )
            if not videos:
                raise MediaError(
                    "no video files in this folder",
                    where=str(path),
                    hint="vcp looks for " + " ".join(sorted(VIDEO_EXTENSIONS)) + " files",
                )
            found.extend(videos)
        elif path.exists():
            found.append(path)
        else:
            raise MediaError(
                "no such file or folder", where=str(path), hint="check the path and try again"
            )
    return list(dict.fromkeys(found))


def report_paths(videos: Sequence[Path], out: Path | None) -> list[Path]:
    """The report path of each video, every one checked for writability.

    One video: ``out`` is the report file (default ``<stem>.vcp.json`` beside it). Several: ``out``
    is a folder that receives ``<stem>.vcp.json`` for each (default: beside each video).
    """
    if out is None:
        paths = [default_report_path(v) for v in videos]
    elif len(videos) == 1:
        paths = [out]
    else:
        _check_folder(out)
        paths = [out / (v.stem + REPORT_SUFFIX) for v in videos]
    _check_unique(videos, paths)
    for path in paths:
        check_writable(path)
    return paths


def check_writable(path: Path) -> None:
    """UsageError unless a file can be written at ``path`` (its folder exists and is writable)."""
    if path.is_dir():
        raise UsageError(
            "the output path is a folder",
            where=str(path),
            hint=f"name a file, e.g. {path / ('video' + REPORT_SUFFIX)}",
        )
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(
            "the output folder does not exist", where=str(folder), hint="create it first"
        )
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(
            "cannot write the report here (permission denied)",
            where=str(path),
            hint="choose another place with -o",
        )


def _check_folder(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(
            "with several inputs, -o must be a folder",
            where=str(out),
            hint="pass a folder for the reports, or analyse one video at a time",
        )
    out.mkdir(parents=True, exist_ok=True)


def _check_unique(videos: Sequence[Path], paths: Sequence[Path]) -> None:
    seen: dict[Path, Path] = {}
    for video, path in zip(videos, paths, strict=True):
        other = seen.setdefault(path.resolve(), video)
        if other != video:
            raise UsageError(
                f"{other} and {video} would both write {path.name}",
                where=str(path.parent),
                hint="leave out -o to put each report beside its video, or analyse them apart",
            )
