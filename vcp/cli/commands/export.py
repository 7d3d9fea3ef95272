"""``vcp export REPORT_OR_VIDEO``: player files (EDL, MCF, WebVTT, chapters) from a report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vcp.cli.mpv_script import PrintMpvScript
from vcp.cli.text import shown
from vcp.config import load_settings
from vcp.export import DEFAULT_FORMATS, FORMATS, write_sidecars
from vcp.export.locate import locate_video, report_for


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``export`` command."""
    export = sub.add_parser(
        "export",
        parents=[common],
        help="write skip/mute files for media players from a report",
        description="Write files players read beside the film: a Kodi/MPlayer .edl (mpv: with "
        "the script --mpv-script prints), a "
        "MovieContentFilter .mcf, .vcp.vtt subtitles naming each flagged part, or a "
        "stream-copied .chapters.mkv with a chapter at each flagged part. Segments marked "
        '"allow": true in the report are left out.',
    )
    export.add_argument(
        "source",
        type=Path,
        metavar="REPORT_OR_VIDEO",
        help="a report (.json), or a video whose report <video>.vcp.json is beside it",
    )
    export.add_argument(
        "--format",
        default=",".join(DEFAULT_FORMATS),
        metavar="LIST",
        help=f"comma-separated, from {', '.join(FORMATS)} (default: {','.join(DEFAULT_FORMATS)})",
    )
    export.add_argument(
        "-o", "--output-dir", type=Path, metavar="DIR", help="write here instead of beside the film"
    )
    export.add_argument(
        "--force",
        action="store_true",
        help="for chapters: replace an existing .chapters.mkv, and use a report whose film name "
        "or length differs from the video's",
    )
    export.add_argument("--mpv-script", action=PrintMpvScript)
    export.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    """Load the report and the actions, write the files, print their paths."""
    from vcp.report import load_report

    report_path = report_for(args.source)
    report = load_report(report_path)
    given_video = args.source if args.source != report_path else None
    written = write_sidecars(
        report,
        args.format.split(","),
        actions=load_settings(args.config).actions,
        video=given_video or locate_video(report, report_path),
        out_dir=args.output_dir,
        force=args.force,
    )
    for path in written:
        sys.stdout.write(f"{shown(path)}\n")
    return 0
