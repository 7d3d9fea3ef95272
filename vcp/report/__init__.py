"""The report format (version 1): what ``vcp analyze`` writes and ``export``/``censor``/``review``
read. It imports nothing of the analysis, so reading a report never loads a model or PyAV."""

from __future__ import annotations

from vcp.report.files import (
    REPORT_SUFFIX,
    default_report_path,
    dump_report,
    load_report,
    write_report,
)
from vcp.report.model import (
    FORMAT_NAME,
    REPORT_VERSION,
    CategorySummary,
    DetectorEntry,
    InputInfo,
    ModelEntry,
    Report,
    Segment,
    SegmentDetection,
    Summary,
    ToolInfo,
)
from vcp.report.timecode import format_time, parse_time

# The name other engineers were told; one function.
write_report_atomic = write_report

__all__ = [
    "FORMAT_NAME",
    "REPORT_SUFFIX",
    "REPORT_VERSION",
    "CategorySummary",
    "DetectorEntry",
    "InputInfo",
    "ModelEntry",
    "Report",
    "Segment",
    "SegmentDetection",
    "Summary",
    "ToolInfo",
    "default_report_path",
    "dump_report",
    "format_time",
    "load_report",
    "parse_time",
    "write_report",
    "write_report_atomic",
]
