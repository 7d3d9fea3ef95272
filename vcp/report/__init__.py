"""The report format (version 2, with the stored inference of ``inference``): what ``vcp
analyze`` writes and ``export``/``censor``/``review`` read, and which report belongs to which
film (``pairing``). It imports nothing of the analysis, so reading a report never loads a model
or PyAV."""

from __future__ import annotations

from vcp.report.files import (
    REPORT_SUFFIX,
    dump_report,
    load_report,
    write_report,
)
from vcp.report.inference import DetectorInference, FilmFingerprint, Inference
from vcp.report.model import (
    FORMAT_NAME,
    READABLE_VERSIONS,
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
from vcp.report.pairing import (
    check_pairing,
    default_report_path,
    locate_video,
    report_for,
    report_mismatch,
)
from vcp.report.timecode import format_millis, format_time, millis, parse_time

__all__ = [
    "FORMAT_NAME",
    "READABLE_VERSIONS",
    "REPORT_SUFFIX",
    "REPORT_VERSION",
    "DetectorInference",
    "FilmFingerprint",
    "Inference",
    "CategorySummary",
    "DetectorEntry",
    "InputInfo",
    "ModelEntry",
    "Report",
    "Segment",
    "SegmentDetection",
    "Summary",
    "ToolInfo",
    "check_pairing",
    "default_report_path",
    "dump_report",
    "format_millis",
    "format_time",
    "load_report",
    "locate_video",
    "millis",
    "parse_time",
    "report_for",
    "report_mismatch",
    "write_report",
]
