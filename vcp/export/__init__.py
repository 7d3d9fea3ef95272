"""Player files from a report: Kodi/MPlayer EDL, MovieContentFilter, WebVTT, and chapters.

The formatters (``edl``, ``mcf``, ``vtt``, ``chapters``) are pure text or data; ``write_sidecars``
writes them beside the film or the report (``vcp.export.locate.Placement``);
``await export_files(...)`` does the whole job from a report or a video in a worker thread. Only
the chapters and srt formats touch media (through ``vcp.media``).
"""

from __future__ import annotations

from vcp.export.run import export_files
from vcp.export.sidecars import (
    DEFAULT_FORMATS,
    FORMATS,
    check_formats,
    sidecar_path,
    write_sidecars,
)

__all__ = [
    "DEFAULT_FORMATS",
    "FORMATS",
    "check_formats",
    "export_files",
    "sidecar_path",
    "write_sidecars",
]
