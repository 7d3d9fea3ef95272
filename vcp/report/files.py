"""Reading and writing report files: located errors on the way in, atomic on the way out."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from vcp.errors import ReportError
from vcp.report.model import FORMAT_NAME, REPORT_VERSION, Report
from vcp.report.untrusted import check_times, parse_json

__all__ = ["REPORT_SUFFIX", "default_report_path", "dump_report", "load_report", "write_report"]

REPORT_SUFFIX = ".vcp.json"
_MAX_REPORT_BYTES = 256 * 1024 * 1024  # far above any film's report; a bound on hostile input


def default_report_path(video: Path) -> Path:
    """Where a video's report goes by default: ``movie.mp4`` -> ``movie.vcp.json`` beside it."""
    return video.with_name(video.stem + REPORT_SUFFIX)


def dump_report(report: Report, *, pretty: bool = True) -> str:
    """The report as JSON text (keys in model order, UTF-8 kept readable)."""
    data = report.model_dump(mode="json")
    return json.dumps(data, indent=2 if pretty else None, ensure_ascii=False) + "\n"


def write_report(report: Report, path: str | os.PathLike[str], *, pretty: bool = True) -> Path:
    """Write ``report`` to ``path`` through a temp file and a rename: never half a report."""
    path = Path(path)
    text = dump_report(report, pretty=pretty)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def load_report(path: str | os.PathLike[str]) -> Report:
    """Read and validate a report; ReportError names the file, line and field that is wrong."""
    path = Path(path)
    data = _read_json(path)
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ReportError(
            'not a vcp report (no "format": "vcp-report" at the top)',
            where=str(path),
            hint="pass a report written by `vcp analyze` (VIDEO.vcp.json)",
        )
    version = data.get("version")
    if version != REPORT_VERSION:
        shown = repr(version)[:40] if isinstance(version, int | str | None) else "(not a number)"
        raise ReportError(
            f"report format version {shown} is not supported (this vcp reads {REPORT_VERSION})",
            where=str(path),
            hint="re-run `vcp analyze` with this vcp to write a current report",
        )
    try:
        report = Report.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise ReportError(
            f"{field}: {first['msg']}"
            + (f" ({exc.error_count()} problems)" if exc.error_count() > 1 else ""),
            where=str(path),
            hint="fix that field, or re-run `vcp analyze` to write the report again",
        ) from None
    check_times(report, source=str(path))
    return report


def _read_json(path: Path) -> object:
    try:
        size = path.stat().st_size
        if size > _MAX_REPORT_BYTES:
            raise ReportError(
                f"the file is {size} bytes, too large for a report",
                where=str(path),
                hint="pass the .vcp.json file `vcp analyze` wrote",
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportError(
            "no such report file",
            where=str(path),
            hint="run `vcp analyze VIDEO` first; it writes VIDEO.vcp.json beside the video",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(
            f"cannot read the report: {exc}", where=str(path), hint="check the path"
        ) from exc
    return parse_json(text, source=str(path))
