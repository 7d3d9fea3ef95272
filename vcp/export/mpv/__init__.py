"""The mpv script shipped with vcp: mpv skips and mutes by the ``.edl`` beside the film.

mpv does not read Kodi/MPlayer edit lists; ``vcp_skip.lua`` (package data) does it for mpv.
``script_path()`` is where it is installed, for ``mpv --script=PATH`` or a copy in
``~/.config/mpv/scripts/``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SCRIPT_NAME", "script_path"]

SCRIPT_NAME = "vcp_skip.lua"


def script_path() -> Path:
    """The installed ``vcp_skip.lua`` (a file inside the package: do not edit it in place)."""
    return Path(__file__).resolve().with_name(SCRIPT_NAME)
