"""``vcp censor VIDEO -o OUT``: a copy of the film with its report's segments acted on."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from vcp.cli.exit_codes import EXIT_INTERRUPTED
from vcp.cli.outputs import option_hints
from vcp.cli.text import shown

if TYPE_CHECKING:
    from vcp.cli.commands import Subcommands


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add the ``censor`` command."""
    censor = sub.add_parser(
        "censor",
        parents=[common],
        help="write a censored copy of a film from its report",
        description="Write a copy of VIDEO with the segments of its report muted or bleeped "
        "(audio) and skipped, blanked or blurred (video), as the config's `actions` section says. "
        'Segments marked "allow": true are left alone. Streams no action touches are copied, '
        "not re-encoded. The input is never modified.",
    )
    censor.add_argument("video", type=Path, metavar="VIDEO", help="the film to censor")
    which = censor.add_mutually_exclusive_group()
    which.add_argument(
        "--report",
        type=Path,
        metavar="REPORT",
        help="the report to apply (default: VIDEO's <stem>.vcp.json beside it)",
    )
    which.add_argument(
        "--reports",
        type=Path,
        metavar="DIR",
        help="find VIDEO's report in DIR (where `vcp analyze -o DIR` wrote it)",
    )
    censor.add_argument(
        "-o", "--output", type=Path, required=True, metavar="OUT", help="the file to write"
    )
    censor.add_argument(
        "--force",
        action="store_true",
        help="replace an existing OUT; use a report whose film name or duration differ (the "
        "film and the report are never replaced)",
    )
    censor.add_argument(
        "--progress",
        choices=["auto", "bars", "log", "none"],
        default="auto",
        help="bars on a terminal, log lines otherwise (default: auto)",
    )
    censor.set_defaults(handler=run_censor)


def run_censor(args: argparse.Namespace) -> int:
    """Censor the film; print the output's path and what was done to it."""
    from vcp.analysis.detectors.subtitles import subtitle_masker
    from vcp.censor import censor_film
    from vcp.cli.progress.censor import describe_job, make_censor_renderer
    from vcp.config import load_settings
    from vcp.report.naming import find_report, report_path

    settings = load_settings(args.config)
    quiet = bool(getattr(args, "quiet", False))
    report = args.report
    if args.reports is not None:
        report = find_report(args.video, args.reports) or report_path(args.video, args.reports)
    try:
        with (
            option_hints(report_option="--report"),
            make_censor_renderer(args.progress, quiet=quiet) as render,
        ):
            work = censor_film(
                args.video,
                args.output,
                actions=settings.actions,
                report=report,
                force=args.force,
                on_event=render,
                subtitles=subtitle_masker(settings),
            )
            result = asyncio.run(work)
    except KeyboardInterrupt:
        sys.stderr.write(f"interrupted: nothing was written to {shown(args.output)}\n")
        return EXIT_INTERRUPTED
    if not quiet:
        plan = result.plan
        sys.stdout.write(
            f"wrote {shown(result.output)} ({result.duration:.3f} s; {len(plan.audio)} audio and "
            f"{len(plan.video)} video edit(s); {plan.skipped_seconds:.3f} s skipped) "
            f"in {result.elapsed:.1f} s\n"
        )
        for job in result.streams.jobs:
            sys.stdout.write(f"  {describe_job(job)}\n")
        for path in result.subtitle_files:
            sys.stdout.write(f"wrote {shown(path)} (subtitles, listed words masked)\n")
    return 0
