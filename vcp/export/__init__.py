"""Player files from a report: Kodi/MPlayer EDL, MovieContentFilter, WebVTT, and chapters.

The formatters (``edl``, ``mcf``, ``vtt``, ``chapters``) are pure text or data; ``write_sidecars``
writes them beside the film or the report (``vcp.export.locate.Placement``). Only the chapters
format touches media (through ``vcp.media``).
"""

from __future__ import annotations

from vcp.export.sidecars import DEFAULT_FORMATS, FORMATS, sidecar_path, write_sidecars

__all__ = ["DEFAULT_FORMATS", "FORMATS", "sidecar_path", "write_sidecars"]
