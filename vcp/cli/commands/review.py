"""``vcp review REPORT|FOLDER``: a self-contained HTML page to check a report and allow segments."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from vcp.cli.outputs import option_hints
from vcp.cli.text import shown

if TYPE_CHECKING:
    from vcp.cli.commands import Subcommands


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add the ``review`` command."""
    review = sub.add_parser(
        "review",
        parents=[common],
        help="write an HTML page to review a report (or a folder of reports)",
        description="Write one HTML file that opens from disk: the film's timeline with the "
        "flagged segments, a still of each visual segment, the masked words of speech, and an "
        "allow toggle per segment. Its Save button downloads the edited report for `vcp export` "
        "and `vcp censor`. Given a folder, writes a page per report in it and an index. Pages go "
        "beside their reports.",
    )
    review.add_argument(
        "source",
        type=Path,
        metavar="REPORT|VIDEO|FOLDER",
        help="a report, a video with its <video>.vcp.json beside it (or in --reports DIR), or "
        "a folder of reports (with --reports DIR: a folder of videos whose reports are in DIR)",
    )
    review.add_argument(
        "--reports",
        type=Path,
        metavar="DIR",
        help="find the reports in DIR (where `vcp analyze -o DIR` wrote them)",
    )
    review.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="PAGE.html",
        help="the page to write (default: beside the report, .html for .json; "
        "for a folder: FOLDER/vcp-review.html, or DIR/vcp-review.html with --reports)",
    )
    review.add_argument(
        "--force",
        action="store_true",
        help="replace an existing file of a page's name that is not a vcp review page (the "
        "report and the film are never replaced)",
    )
    review.add_argument(
        "--no-stills",
        dest="stills",
        action="store_false",
        help="do not read the video for stills (use only those in the report)",
    )
    review.set_defaults(handler=run_review)


def run_review(args: argparse.Namespace) -> int:
    """Write the page(s) and print the path to open."""
    from vcp.review import build_review

    work = build_review(
        args.source, args.output, reports_dir=args.reports, stills=args.stills, force=args.force
    )
    with option_hints():
        page = asyncio.run(work)
    sys.stdout.write(f"{shown(page)}\n")
    return 0
