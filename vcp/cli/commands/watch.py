"""``vcp watch LIBRARY``: a long-running service that analyses films as they appear or change.

The library (``vcp.watch``) does the work; this command loads the settings, opens the models and
the analyzer, serves the status page on loopback and turns the service's events into log lines
on stderr. Ctrl-C or SIGTERM abandons the film being analysed (no report is left half written)
and exits 130 or 143, as every vcp command does.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from vcp.cli.argtypes import positive_int
from vcp.cli.exit_codes import EXIT_INTERRUPTED
from vcp.cli.text import shown
from vcp.errors import UsageError

if TYPE_CHECKING:  # the analysis, the models and the watcher are imported when the command runs
    from vcp.analysis.pipeline import Analyzer
    from vcp.cli.commands import Subcommands
    from vcp.config import Settings
    from vcp.models.manager import ModelManager
    from vcp.watch import WatchEvent, WatchOptions

__all__ = ["DEFAULT_STATUS", "WatchLog", "parse_address", "register", "run_watch"]

DEFAULT_STATUS = "127.0.0.1:8765"


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add the ``watch`` command."""
    parser = sub.add_parser(
        "watch",
        parents=[common],
        help="analyse a library's films as they appear or change, until stopped",
        description="Scan LIBRARY (a folder, searched recursively), analyse every film without a "
        "current report, then watch it: a film copied in is analysed once it stops growing, a "
        "changed film again. Reports go beside the films. A restart resumes where it stopped; "
        "a film that fails is tried again after 1, 5 and 30 minutes.",
    )
    parser.add_argument("library", type=Path, metavar="LIBRARY", help="the folder of films")
    parser.add_argument(
        "--sidecars",
        metavar="FORMATS",
        help="also write player files beside each film, comma-separated from edl, mcf, vtt, "
        "chapters, srt (Kodi reads movie.edl beside movie.mkv)",
    )
    parser.add_argument(
        "--status",
        default=DEFAULT_STATUS,
        metavar="[HOST:]PORT",
        help=f"serve the status page and /status JSON here (default {DEFAULT_STATUS}; port 0: "
        "any free port; 'off': none)",
    )
    parser.add_argument(
        "--jobs",
        type=positive_int,
        default=1,
        metavar="N",
        help="films analysed at once (default 1)",
    )
    parser.add_argument(
        "--settle",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="how long a film's size and time must stay the same before it is analysed "
        "(default 30)",
    )
    parser.add_argument(
        "--state",
        type=Path,
        metavar="FILE",
        help="where the service remembers its films (default: LIBRARY/.vcp-watch.json)",
    )
    parser.add_argument(
        "--download-models",
        action="store_true",
        help="fetch missing models at the start (else a missing model is an error)",
    )
    parser.add_argument(
        "--offline", action="store_true", help="never touch the network (as HF_HUB_OFFLINE=1)"
    )
    parser.set_defaults(handler=run_watch)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}")
    return value


def parse_address(text: str) -> tuple[str, int] | None:
    """``[HOST:]PORT`` as (host, port), loopback when no host is given; None for ``off``."""
    if text.strip().lower() == "off":
        return None
    host, _, port = text.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    try:
        number = int(port)
    except ValueError:
        number = -1
    if not 0 <= number <= 65535:
        raise UsageError(
            f"--status: {text!r} is not [HOST:]PORT",
            hint="for example --status 8765, --status 127.0.0.1:0 (any free port) or --status off",
        )
    return host, number


def run_watch(args: argparse.Namespace) -> int:
    """The command's entry point: runs until interrupted; returns the exit code."""
    from vcp.config import load_document, settings_from_document
    from vcp.config.loader import require_detectors

    address = parse_address(args.status)
    options = _options(args)
    doc = load_document(args.config)
    settings = settings_from_document(doc)
    require_detectors(settings, source=doc.source)
    if not args.library.is_dir():
        raise UsageError(
            "not a folder", where=str(args.library), hint="name the folder that holds your films"
        )
    quiet = bool(getattr(args, "quiet", False))
    try:
        asyncio.run(_serve(args, settings, options, address, WatchLog(sys.stderr, quiet=quiet)))
    except KeyboardInterrupt:
        sys.stderr.write(
            "stopped: the film being analysed (if any) was abandoned, no report half written; "
            "the next start resumes\n"
        )
        return EXIT_INTERRUPTED
    return 0


def _options(args: argparse.Namespace) -> WatchOptions:
    from vcp.export import FORMATS
    from vcp.watch import DEFAULT_SETTLE_SECONDS, WatchOptions

    sidecars = tuple(f.strip() for f in (args.sidecars or "").split(",") if f.strip())
    unknown = [f for f in sidecars if f not in FORMATS]
    if unknown or (args.sidecars is not None and not sidecars):
        raise UsageError(
            f"--sidecars: unknown format {', '.join(map(repr, unknown)) or repr(args.sidecars)}",
            hint=f"known: {', '.join(FORMATS)}",
        )
    settle = DEFAULT_SETTLE_SECONDS if args.settle is None else args.settle
    return WatchOptions(
        sidecars=sidecars, jobs=args.jobs, settle_seconds=settle, state_file=args.state
    )


async def _serve(
    args: argparse.Namespace,
    settings: Settings,
    options: WatchOptions,
    address: tuple[str, int] | None,
    log: WatchLog,
) -> None:
    from contextlib import AsyncExitStack

    from vcp.analysis.pipeline import Analyzer
    from vcp.cli.progress import make_renderer
    from vcp.models.manager import ModelManager
    from vcp.watch import StatusServer, WatchService

    offline = True if (args.offline or not args.download_models) else None
    with make_renderer("log", quiet=log.quiet) as downloads:
        async with (
            ModelManager(settings.models, on_event=downloads, offline=offline) as models,
            Analyzer(settings, models) as analyzer,
            AsyncExitStack() as stack,
        ):
            await _models_ready(models, settings, analyzer, download=args.download_models)
            service = WatchService(args.library, analyzer, options=options, on_event=log)
            if address is not None:
                host, port = address
                server = await stack.enter_async_context(
                    StatusServer(service.status, host=host, port=port)
                )
                log.line(f"status: {server.url}")
                if not _loopback(host):
                    log.line(f"the status page is open to the network at {host}: no password")
            log.line(f"watching {shown(service.library)} (state: {shown(service.state_file)})")
            await service.run()


async def _models_ready(
    models: ModelManager, settings: Settings, analyzer: Analyzer, *, download: bool
) -> None:
    """Every model a film needs, before the first film: fetched with ``download`` (an optional
    detector's model when it first runs), else the cache must hold them already."""
    from vcp.cli.commands.analyze import require_cached

    if not download:
        await require_cached(models, analyzer.model_names)
        return
    needed = [d.model for d in settings.detectors if d.enabled and d.model and not d.optional]
    for name in dict.fromkeys(needed):
        await models.ready(name)


def _loopback(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class WatchLog:
    """The service's events as one line each on ``stream`` (a failure even with ``quiet``)."""

    def __init__(self, stream: TextIO, *, quiet: bool = False) -> None:
        self._stream, self.quiet = stream, quiet

    def __call__(self, event: WatchEvent) -> None:
        from vcp.watch import FilmDone, FilmFailed, FilmQueued, FilmStarted

        if isinstance(event, FilmQueued):
            self.line(f"queued: {shown(event.path)}")
        elif isinstance(event, FilmStarted):
            self.line(f"analysing: {shown(event.path)}")
        elif isinstance(event, FilmDone):
            files = ", ".join(shown(p.name) for p in (event.report, *event.sidecars))
            self.line(f"done: {shown(event.path)}: {event.segments} segments -> {files}")
        elif isinstance(event, FilmFailed):
            when = (
                "not again until it changes"
                if event.retry_at is None
                else "next try at " + time.strftime("%H:%M:%S", time.localtime(event.retry_at))
            )
            self.line(f"failed: {shown(event.path)}: {event.reason} ({when})", error=True)

    def line(self, text: str, *, error: bool = False) -> None:
        if self.quiet and not error:
            return
        self._stream.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {text}\n")
        self._stream.flush()
