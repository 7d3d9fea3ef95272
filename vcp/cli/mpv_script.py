"""``vcp export --mpv-script``: print where vcp's mpv script is, for ``mpv --script=...``.

An option that acts and exits, as ``--version`` does, so it needs no REPORT_OR_VIDEO.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from vcp.cli.text import shown

__all__ = ["PrintMpvScript"]


class PrintMpvScript(argparse.Action):
    """Prints the path of ``vcp_skip.lua`` (mpv skips and mutes by the .edl with it), exits 0."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help",
            "print the path of vcp's mpv script, which makes mpv skip and "
            "mute by the .edl beside the film (mpv --script=PATH), and exit",
        )
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        from vcp.export.mpv import script_path

        sys.stdout.write(f"{shown(script_path())}\n")
        sys.stdout.flush()
        parser.exit(0)
