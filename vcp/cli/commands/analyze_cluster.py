"""``vcp analyze --cluster WHERE``: the films of ``vcp analyze`` on a Ray cluster.

The command checks its inputs and report paths as for a run on this machine, then hands the list
to ``vcp.cluster.analyze_on_cluster``: the nodes analyse, this machine writes the reports and
prints each film's summary as it finishes, and the cluster's progress on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from vcp.cli.exit_codes import exit_code
from vcp.cli.render import render_error
from vcp.errors import VcpError

if TYPE_CHECKING:
    from vcp.cluster.target import ClusterTarget
    from vcp.config.settings import Settings

__all__ = ["add_cluster_options", "run_on_cluster"]


def add_cluster_options(parser: argparse.ArgumentParser) -> None:
    """``--cluster`` and ``--cluster-retries``."""
    parser.add_argument(
        "--cluster",
        metavar="WHERE",
        help="analyse on a Ray cluster: auto (the one this machine belongs to, else a private "
        "one), local (a private one on this machine), ray://HOST:PORT or HOST:PORT (a head "
        "node); needs `pip install 'vcp[ray]'`, see docs/scale-out.md. --jobs is per node",
    )
    parser.add_argument(
        "--cluster-retries",
        type=int,
        default=None,
        metavar="N",
        help="run a film again up to N times when its worker process dies (default 2)",
    )


def run_on_cluster(
    settings: Settings,
    jobs: list[tuple[Path, Path]],
    args: argparse.Namespace,
    exports: tuple[str, ...],
) -> int:
    """Analyse ``jobs`` (video, report path) on ``args.cluster``; the exit code (the worst)."""
    import asyncio

    from vcp.cluster import DEFAULT_RETRIES, parse_target, require_ray

    target = parse_target(args.cluster)
    require_ray()  # before any work: the message says how to install it
    retries = DEFAULT_RETRIES if args.cluster_retries is None else max(args.cluster_retries, 0)
    offline = True if (args.offline or not args.download_models) else None
    run = _run(settings, jobs, args, exports, target=target, retries=retries, offline=offline)
    return asyncio.run(run)


async def _run(
    settings: Settings,
    jobs: list[tuple[Path, Path]],
    args: argparse.Namespace,
    exports: tuple[str, ...],
    *,
    target: ClusterTarget,
    retries: int,
    offline: bool | None,
) -> int:
    from vcp.cli.commands.analyze import report_results
    from vcp.cli.progress.cluster import ClusterView
    from vcp.cluster import analyze_on_cluster

    quiet = bool(getattr(args, "quiet", False))
    view = ClusterView(sys.stderr, quiet=quiet or args.progress == "none")
    many = len(jobs) > 1 or any(path.is_dir() for path in args.inputs)
    films = analyze_on_cluster(
        settings, [video for video, _ in jobs], report_paths=dict(jobs), jobs=args.jobs,
        on_event=view, cluster=target, retries=retries, offline=offline, force=args.force,
    )  # fmt: skip
    try:  # as on one machine: each film's files and summary, then the tally
        return await report_results(films, settings, quiet=quiet, exports=exports, many=many)
    except VcpError as exc:  # a model error on a node, or the cluster out of reach
        render_error(exc)
        return exit_code(exc)
