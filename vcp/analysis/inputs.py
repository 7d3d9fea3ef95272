"""Which files ``vcp analyze`` reads and where their reports go, checked before any work starts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from vcp.core.outputs import OutputGuard, make_folder
from vcp.errors import MediaError, OutputError
from vcp.report.files import is_report_file
from vcp.report.naming import VIDEO_EXTENSIONS, run_report_paths

__all__ = ["VIDEO_EXTENSIONS", "find_videos", "report_paths"]


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


def report_paths(
    videos: Sequence[Path], out: Path | None, *, into_folder: bool = False, force: bool = False
) -> list[Path]:
    """The report path of each video, every one checked before any work (see
    ``vcp.core.outputs``: never over a video of the run, over another existing file only if it is
    a vcp report, or with ``force``).

    ``out`` is a folder receiving the reports when it is an existing folder, when there are
    several videos, or with ``into_folder`` (an input was a folder); else it is the one video's
    report file. Default: beside each video. Reports are named by ``vcp.report.naming``:
    ``<stem>.vcp.json``, or ``<name>.vcp.json`` when another video shares the stem.
    """
    if out is None:
        paths = run_report_paths(videos)
    elif out.is_dir() or into_folder or len(videos) > 1:
        _make_folder(out)
        paths = run_report_paths(videos, out)
    else:
        paths = [out]
    _check_unique(videos, paths)
    guard = OutputGuard(
        dict.fromkeys(videos, "a video being read"),
        force=force,
        refreshes=is_report_file,
        refreshed="a vcp report",
    )
    for path in paths:
        guard.check(path)
    return paths


def _make_folder(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise OutputError(
            out,
            "with several videos or a folder, the reports go into a folder, and this is a file",
            hint="name a folder for the reports, or analyse one video at a time",
        )
    make_folder(out)


def _check_unique(videos: Sequence[Path], paths: Sequence[Path]) -> None:
    seen: dict[Path, Path] = {}
    for video, path in zip(videos, paths, strict=True):
        other = seen.setdefault(path.resolve(), video)
        if other != video:
            raise OutputError(
                path,
                f"{other} and {video} would both write this report",
                hint="they have the same file name: analyse them into different folders",
            )
