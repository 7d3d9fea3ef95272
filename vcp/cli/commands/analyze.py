"""``vcp analyze INPUT…``: find what a viewer may not want to see or hear, write a report each.

Inputs and report paths are checked first, then the models (without ``--download-models`` a
missing one stops the run before any frame is decoded, with the command that fetches it); then
every video is analysed, up to ``--jobs`` at a time, each detector starting the moment its model
is ready. A failed video is reported and the others still run; the exit code is the worst.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vcp.cli.argtypes import positive_int
from vcp.cli.commands.analyze_cluster import add_cluster_options, run_on_cluster
from vcp.cli.exit_codes import EXIT_INTERRUPTED, exit_code
from vcp.cli.outputs import option_hints, with_option_hints
from vcp.cli.progress import choose_mode, make_renderer
from vcp.cli.render import render_error
from vcp.cli.text import shown
from vcp.config import Settings, load_document, settings_from_document
from vcp.config.loader import require_detectors, source_location
from vcp.config.yaml_io import YamlDocument
from vcp.errors import ModelError, ModelUnavailable, OutputError, UsageError, VcpError

if TYPE_CHECKING:  # the analysis and the manager are imported only when the command runs
    from vcp.analysis.batch import FilmResult
    from vcp.analysis.pipeline import Analyzer
    from vcp.cli.commands import Subcommands
    from vcp.models.manager import ModelManager

REPORT_FORMATS = ("json",)


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add the ``analyze`` command."""
    parser = sub.add_parser(
        "analyze",
        parents=[common],
        help="analyse videos and write a report of what was found",
        description="Analyse videos (files, or folders searched for videos) with the configured "
        "detectors and write one JSON report per video.",
    )
    parser.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="video or folder")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="OUT",
        help="report file (one video), or a folder receiving the reports (an existing folder, "
        "several videos, or a folder as input); default: <video>.vcp.json beside each video",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="analyse every video again, even one whose report is current; and replace an "
        "existing file at a report's path that is not a vcp report (a video being analysed is "
        "never replaced)",
    )
    parser.add_argument(
        "--download-models",
        action="store_true",
        help="fetch missing models in this run (else a missing model is an error)",
    )
    parser.add_argument(
        "--offline", action="store_true", help="never touch the network (as HF_HUB_OFFLINE=1)"
    )
    parser.add_argument(
        "--progress",
        choices=["auto", "bars", "log", "none"],
        default="auto",
        help="bars on a terminal, log lines otherwise (default: auto)",
    )
    parser.add_argument(
        "--jobs",
        type=positive_int,
        default=1,
        metavar="N",
        help="videos analysed at once (default 1)",
    )
    parser.add_argument(
        "--format",
        default="json",
        metavar="FORMATS",
        help="report formats, comma-separated (default: json)",
    )
    parser.add_argument(
        "--export",
        metavar="FORMATS",
        help="also write player files beside each video, comma-separated from edl, mcf, vtt, "
        "chapters (as `vcp export` does)",
    )
    add_cluster_options(parser)
    parser.set_defaults(handler=run_analyze)


def run_analyze(args: argparse.Namespace) -> int:
    """The command's entry point: returns the exit code."""
    from vcp.analysis.inputs import find_videos, report_paths

    _check_formats(args.format)
    exports = _export_formats(args.export)
    doc = load_document(args.config)
    settings = settings_from_document(doc)
    require_detectors(settings, source=doc.source)  # before any report path is touched
    videos = find_videos(args.inputs)
    into_folder = any(path.is_dir() for path in args.inputs)
    with option_hints():
        reports = report_paths(videos, args.output, into_folder=into_folder, force=args.force)
    try:
        jobs = list(zip(videos, reports, strict=True))
        if args.cluster is not None:  # the films go to a Ray cluster (vcp.cluster)
            return run_on_cluster(settings, jobs, args, exports)
        return asyncio.run(_run(doc, settings, jobs, args, exports))
    except KeyboardInterrupt:
        sys.stderr.write(
            "interrupted: no report was written for the videos being analysed; "
            "downloads are kept and resume when you run the same command again\n"
        )
        return EXIT_INTERRUPTED


def _export_formats(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    from vcp.export import FORMATS

    wanted = tuple(f.strip() for f in text.split(",") if f.strip())
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise UsageError(
            f"unknown export format {', '.join(map(repr, unknown)) or repr(text)}",
            hint=f"known: {', '.join(FORMATS)}",
        )
    return wanted


def _check_formats(text: str) -> None:
    unknown = [f for f in text.split(",") if f.strip() not in REPORT_FORMATS]
    if unknown:
        raise UsageError(
            f"unknown report format {', '.join(map(repr, unknown))}",
            hint=f"known: {', '.join(REPORT_FORMATS)}; player files come from `vcp export`",
        )


async def _run(
    doc: YamlDocument,
    settings: Settings,
    jobs: list[tuple[Path, Path]],
    args: argparse.Namespace,
    exports: tuple[str, ...],
) -> int:
    from vcp.analysis.pipeline import Analyzer
    from vcp.cli.progress.analysis import AnalysisView
    from vcp.models.manager import ModelManager

    quiet = bool(getattr(args, "quiet", False))
    # Without --download-models nothing may be fetched, so nothing is asked of the network.
    offline = True if (args.offline or not args.download_models) else None
    mode = choose_mode(args.progress, stream=sys.stderr, quiet=quiet, env=_env())
    with (
        make_renderer(args.progress, quiet=quiet, errors_below=True) as downloads,
        AnalysisView(downloads, mode, quiet=quiet) as view,
    ):
        async with (
            ModelManager(settings.models, on_event=view, offline=offline) as models,
            Analyzer(settings, models, on_event=view, force=args.force) as analyzer,
        ):
            try:
                if not args.download_models:  # a film whose report is current needs no model
                    await require_cached(models, await analyzer.models_needed(dict(jobs)))
                many = len(jobs) > 1 or any(path.is_dir() for path in args.inputs)
                return await _analyze_all(
                    analyzer, jobs, jobs_at_once=args.jobs, quiet=quiet, exports=exports, many=many
                )
            except ModelError as exc:
                model = getattr(exc, "model", None)
                view.close()
                render_error(exc, config=source_location(doc, settings, model) if model else None)
                return exit_code(exc)


async def require_cached(models: ModelManager, names: Sequence[str]) -> None:
    """ModelUnavailable naming each of ``names`` not in the cache, with the command that fetches
    it (a run without --download-models; `vcp watch` too)."""
    from vcp.models.local import FileState

    missing = []
    for name in names:
        status = await models.status(name)
        if status.state is not FileState.CACHED:
            missing.append(name)
    if missing:
        listed = " ".join(missing)
        raise ModelUnavailable(
            f"model{'s' * (len(missing) > 1)} not downloaded yet: {', '.join(missing)}",
            hint=f"run `vcp models download {listed}` first, "
            "or add --download-models to fetch them in this run",
        )


async def _analyze_all(
    analyzer: Analyzer,
    jobs: list[tuple[Path, Path]],
    *,
    jobs_at_once: int,
    quiet: bool,
    exports: tuple[str, ...],
    many: bool,
) -> int:
    """Every video through the analyzer, up to ``jobs_at_once`` at a time; each one's summary
    (or error) as it finishes, and a tally of the run when ``many`` (a folder or several films)
    or when a report was current. A model error stops every video and is raised as itself."""
    films = analyzer.analyze_many(
        [video for video, _ in jobs], jobs=jobs_at_once, report_paths=dict(jobs)
    )
    return await report_results(films, analyzer.settings, quiet=quiet, exports=exports, many=many)


async def report_results(
    results: AsyncIterator[FilmResult],
    settings: Settings,
    *,
    quiet: bool,
    exports: tuple[str, ...],
    many: bool,
) -> int:
    """Each film's player files and summary (or error) as its result comes, on this machine or
    from a cluster, and a tally of the run when ``many``; the worst exit code."""
    from vcp.cli.progress.analysis import tally_line

    codes, outcomes = [0], []
    async for result in results:
        # on a folder, a current film is only counted in the tally
        silent = quiet or (many and result.outcome == "current")
        codes.append(await _film_done(settings, result, quiet=silent, exports=exports))
        outcomes.append(result.outcome if codes[-1] == 0 else "failed")
    if not quiet and many:
        sys.stdout.write(tally_line(outcomes) + "\n")
    return max(codes)


async def _film_done(
    settings: Settings, result: FilmResult, *, quiet: bool, exports: tuple[str, ...]
) -> int:
    """Write the film's player files, print its summary; or render what failed it."""
    from anyio import to_thread

    from vcp.analysis.detectors.subtitles import subtitle_masker
    from vcp.cli.progress.analysis import summary_lines
    from vcp.export import write_sidecars

    if result.report is None or result.report_path is None:
        assert result.error is not None
        render_error(_with_hints(result.error))
        return exit_code(result.error)
    write = functools.partial(
        write_sidecars, result.report, exports, actions=settings.actions, video=result.path,
        subtitle_masker=subtitle_masker(settings) if "srt" in exports else None,
    )  # fmt: skip
    try:
        written = await to_thread.run_sync(write) if exports else []
    except VcpError as exc:  # a model error cannot happen here: the analysis is done
        render_error(_with_hints(exc))
        return exit_code(exc)
    if result.outcome == "current" and not quiet:
        sys.stdout.write(f"{shown(result.path)}: current, report: {shown(result.report_path)}\n")
    elif not quiet:
        lines = summary_lines(result.report, result.report_path)
        lines += [f"  export: {shown(p)}" for p in written]
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()
    return 0


def _with_hints(exc: VcpError) -> VcpError:
    """The options that help with an OutputError met after the up-front checks: a report that
    could not be written (-o), or an --export file refused (its place is beside the video)."""
    if not isinstance(exc, OutputError):
        return exc
    if exc.force_allows:  # only --export files: reports were checked before any work
        exc.hint = "move that file away, or write the player files with `vcp export VIDEO -o DIR`"
        return exc
    return with_option_hints(exc, force=False)


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)
