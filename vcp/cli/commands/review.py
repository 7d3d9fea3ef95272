"""``vcp review REPORT|FOLDER``: a self-contained HTML page to check a report and allow segments."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vcp.cli.text import shown
from vcp.export.locate import report_for


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``review`` command."""
    review = sub.add_parser(
        "review",
        parents=[common],
        help="write an HTML page to review a report (or a folder of reports)",
        description="Write one HTML file that opens from disk: the film's timeline with the "
        "flagged segments, a still of each visual segment, the masked words of speech, and an "
        "allow toggle per segment. Its Save button downloads the edited report for `vcp export` "
        "and `vcp censor`. Given a folder, writes a page per report in it and an index.",
    )
    review.add_argument(
        "source",
        type=Path,
        metavar="REPORT|VIDEO|FOLDER",
        help="a report, a video with its <video>.vcp.json beside it, or a folder of reports",
    )
    review.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="PAGE.html",
        help="the page to write (default: beside the report, .html for .json; "
        "for a folder: FOLDER/vcp-review.html)",
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
    from vcp.review import write_folder_review, write_review

    if args.source.is_dir():
        page = write_folder_review(args.source, args.output, stills=args.stills)
    else:
        page = write_review(report_for(args.source), args.output, stills=args.stills)
    sys.stdout.write(f"{shown(page)}\n")
    return 0
