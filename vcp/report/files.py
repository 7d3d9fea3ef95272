"""Reading and writing report files: located errors on the way in, atomic on the way out."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import ValidationError

from vcp.core.atomic import write_text_output
from vcp.errors import ReportError
from vcp.report.model import FORMAT_NAME, READABLE_VERSIONS, REPORT_VERSION, Report
from vcp.report.naming import REPORT_SUFFIX, peek_report
from vcp.report.untrusted import check_times, parse_json

__all__ = [
    "REPORT_SUFFIX",
    "dump_report",
    "is_report_file",
    "load_report",
    "write_report",
]

_MAX_REPORT_BYTES = 256 * 1024 * 1024  # far above any film's report; a bound on hostile input


def is_report_file(path: Path) -> bool:
    """True if ``path`` holds a vcp report (a JSON object whose ``format`` is ``vcp-report``),
    whatever its version: a file ``vcp analyze`` may refresh."""
    return peek_report(path) is not None


def dump_report(report: Report, *, pretty: bool = True) -> str:
    """The report as JSON text (keys in model order, UTF-8 kept readable). ``pretty`` indents
    all but the stored inference, which stays on one line: its columns of numbers would take
    three times the room one number a line, and nobody reads them."""
    data = report.model_dump(mode="json")
    inference = data.pop("inference")
    text = json.dumps(data, indent=2 if pretty else None, ensure_ascii=False)
    if inference is not None:
        packed = json.dumps(inference, ensure_ascii=False, separators=(",", ":"))
        text = text[:-1].rstrip() + f',{chr(10) + "  " if pretty else " "}"inference": {packed}'
        text += "\n}" if pretty else "}"
    return text + "\n"


def write_report(report: Report, path: str | os.PathLike[str], *, pretty: bool = True) -> Path:
    """Write ``report`` to ``path`` through a temp file, flushed to disk, and a rename: never half
    a report. OutputError when it cannot be written (a full disk...): the old file is kept."""
    return write_text_output(Path(path), dump_report(report, pretty=pretty), durable=True)


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
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        shown = repr(version)[:40] if isinstance(version, int | str | None) else "(not a number)"
        raise ReportError(
            f"report format version {shown} is not supported "
            f"(this vcp reads versions 1 to {REPORT_VERSION})",
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
