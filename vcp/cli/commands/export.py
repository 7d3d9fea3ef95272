"""``vcp export REPORT_OR_VIDEO``: player files (EDL, MCF, WebVTT, chapters) from a report."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from vcp.cli.mpv_script import PrintMpvScript
from vcp.cli.outputs import option_hints
from vcp.cli.text import shown
from vcp.config import load_settings
from vcp.errors import UsageError
from vcp.export import DEFAULT_FORMATS, FORMATS, check_formats, export_files

if TYPE_CHECKING:
    from vcp.cli.commands import Subcommands


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add the ``export`` command."""
    export = sub.add_parser(
        "export",
        parents=[common],
        help="write skip/mute files for media players from a report",
        description="Write files players read beside the film (or beside the report, when given "
        "a report): a Kodi/MPlayer .edl (mpv: with the script --mpv-script prints), a "
        "MovieContentFilter .mcf, .vcp.vtt subtitles naming each flagged part, a "
        "stream-copied .chapters.mkv with a chapter at each flagged part, or the film's own "
        "subtitles with the listed words masked (.clean.srt). Segments marked "
        '"allow": true in the report are left out.',
    )
    export.add_argument(
        "source",
        type=Path,
        metavar="REPORT_OR_VIDEO",
        help="a report (.json), or a video whose report <video>.vcp.json is beside it "
        "(or in --reports DIR)",
    )
    export.add_argument(
        "--format",
        default=",".join(DEFAULT_FORMATS),
        metavar="LIST",
        help=f"comma-separated, from {', '.join(FORMATS)} (default: {','.join(DEFAULT_FORMATS)})",
    )
    export.add_argument(
        "--reports",
        type=Path,
        metavar="DIR",
        help="find the video's report in DIR (where `vcp analyze -o DIR` wrote it)",
    )
    export.add_argument(
        "-o",
        "--output-dir",
        type=Path,
        metavar="DIR",
        help="write here instead of beside the video (or the report)",
    )
    export.add_argument(
        "--force",
        action="store_true",
        help="replace an existing file of an output's name that is not a text file (for "
        "chapters: any existing .chapters.mkv), and for chapters use a report whose film name or "
        "length differs from the video's; the film and the report are never replaced",
    )
    export.add_argument("--mpv-script", action=PrintMpvScript)
    export.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    """Load the report and the actions, write the files, print their paths.

    Given a video, the files go beside it; given a report, beside the report (named after its
    film); with -o, into that folder. The report's own text never says where.
    """
    from vcp.analysis.detectors.subtitles import subtitle_masker

    try:
        formats = check_formats(args.format.split(","))
    except ValueError as exc:
        raise UsageError(str(exc), where="--format") from None
    settings = load_settings(args.config)
    work = export_files(
        args.source,
        formats,
        actions=settings.actions,
        reports_dir=args.reports,
        out_dir=args.output_dir,
        force=args.force,
        subtitle_masker=subtitle_masker(settings) if "srt" in formats else None,
    )
    with option_hints():
        written = asyncio.run(work)
    for path in written:
        sys.stdout.write(f"{shown(path)}\n")
    return 0
