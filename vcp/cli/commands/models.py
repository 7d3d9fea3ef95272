"""``vcp models download|list|verify|pin``: fetch, inspect and check the cache; pin sources."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, cast

from vcp.cli.commands import models_cache
from vcp.cli.exit_codes import EXIT_CHECK_FAILED, EXIT_INTERRUPTED, EXIT_MODEL_ERROR, EXIT_USAGE
from vcp.cli.models_json import download_summary, status_entry, verification_entry, write_json
from vcp.cli.render import render_error
from vcp.cli.text import count
from vcp.errors import ModelError, ModelUnavailable, VcpError
from vcp.models.local import LocalModel  # plain types; the manager is imported by the handlers

# Imported by the handlers that need them: `vcp --version` and `vcp models list` must not pay for
# aiohttp (or pydantic, for --version); see tests/cli/test_lazy_imports.py.
if TYPE_CHECKING:
    import asyncio

    from vcp.cli.commands import Subcommands
    from vcp.cli.progress import ProgressMode
    from vcp.config import Settings
    from vcp.config.yaml_io import YamlDocument
    from vcp.models.cache.inspection import SetAside, Verification
    from vcp.models.local import ModelStatus
    from vcp.models.pinning.report import Line


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add the ``models`` command group."""
    group = sub.add_parser("models", help="download, list and verify models")
    commands = group.add_subparsers(dest="models_command", metavar="COMMAND", required=True)

    download = commands.add_parser(
        "download", parents=[common], help="fetch missing models (all non-optional by default)"
    )
    download.add_argument("names", nargs="*", metavar="NAME", help="model sources to fetch")
    download.add_argument(
        "--progress",
        choices=["auto", "bars", "log", "none"],
        default="auto",
        help="bars on a terminal, log lines otherwise (default: auto)",
    )
    download.add_argument(
        "--offline", action="store_true", help="use only the cache (as HF_HUB_OFFLINE=1)"
    )
    _add_json(download, "print a JSON summary of what is ready and what failed on stdout")
    download.set_defaults(handler=run_download)

    listing = commands.add_parser("list", parents=[common], help="show each model's cache state")
    _add_json(listing, "print the models' cache state as JSON")
    listing.set_defaults(handler=run_list)

    verify = commands.add_parser(
        "verify", parents=[common], help="check cached models; exit 3 if any is missing or corrupt"
    )
    verify.add_argument("names", nargs="*", metavar="NAME", help="model sources to check")
    verify.add_argument(
        "--full", action="store_true", help="re-hash every file instead of trusting vcp's records"
    )
    verify.add_argument(
        "--repair",
        action="store_true",
        help="then download what is missing, partial or corrupt (corrupt files are quarantined)",
    )
    _add_json(verify, "print each model's and file's state as JSON (exit codes unchanged)")
    verify.set_defaults(handler=run_verify)

    pin = commands.add_parser(
        "pin",
        parents=[common],
        help="pin every source to a commit and file hashes, rewriting the config file in place",
    )
    pin.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 if a source is unpinned or stale (for CI)",
    )
    pin.add_argument(
        "--force", action="store_true", help="replace pinned checksums the Hub disagrees with"
    )
    pin.add_argument(
        "--upgrade",
        action="store_true",
        help="also point detectors and fallbacks at the replacements of deprecated sources",
    )
    pin.add_argument(
        "--offline", action="store_true", help="use only cached metadata (as HF_HUB_OFFLINE=1)"
    )
    pin.set_defaults(handler=run_pin)

    models_cache.register(commands, common)


def _add_json(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--json", action="store_true", help=what)


# -- download ----------------------------------------------------------------------------------


def run_download(args: argparse.Namespace) -> int:
    import asyncio

    from vcp.config import load_document, settings_from_document

    doc = load_document(args.config)
    settings = settings_from_document(doc)
    cache = settings.models.resolved_cache_dir
    try:
        return asyncio.run(_download(doc, settings, args))
    except KeyboardInterrupt:
        sys.stderr.write(
            f"interrupted: partial downloads are kept in {cache}; "
            "run the same command again to resume\n"
        )
        return EXIT_INTERRUPTED


async def _download(doc: YamlDocument, settings: Settings, args: argparse.Namespace) -> int:
    offline = True if args.offline else None
    results = await _fetch(settings, args.names, progress=args.progress, offline=offline, args=args)
    return _report_download(doc, settings, results, args)


async def _fetch(
    settings: Settings,
    names: Sequence[str],
    *,
    progress: ProgressMode,
    offline: bool | None,
    args: argparse.Namespace,
) -> dict[str, LocalModel | VcpError]:
    """Make ``names`` (default: every non-optional source) ready; each model's outcome."""
    from vcp.cli.progress import make_renderer
    from vcp.models.manager import ModelManager

    quiet = bool(getattr(args, "quiet", False))
    with make_renderer(progress, quiet=quiet, errors_below=True) as render:
        async with ModelManager(settings.models, on_event=render, offline=offline) as models:
            names = list(names) or models.default_names()
            _check_names(settings, names)
            with contextlib.suppress(VcpError):  # every model's outcome is read below
                await models.ensure(names)
            futures = {name: models.ready(name) for name in names}
    return {name: _outcome(future) for name, future in futures.items()}


def _outcome(future: asyncio.Future[LocalModel]) -> LocalModel | VcpError:
    error = future.exception()
    if error is None:
        return future.result()
    if not isinstance(error, VcpError):  # a bug, not a failure to report
        raise error
    return error


def _report_download(
    doc: YamlDocument,
    settings: Settings,
    results: dict[str, LocalModel | VcpError],
    args: argparse.Namespace,
) -> int:
    from vcp.config.loader import source_location

    failures = [e for e in results.values() if isinstance(e, VcpError)]
    for error in failures:
        # Point at the source's place in the config: that is where a wrong repo, revision, file
        # name or checksum gets fixed.
        model = getattr(error, "model", None)
        place = source_location(doc, settings, model) if model else None
        render_error(error, config=place)
    if args.json:
        cache = settings.models.resolved_cache_dir
        write_json(download_summary(results, cache=cache))
    elif not getattr(args, "quiet", False):
        for name, model in results.items():
            if isinstance(model, LocalModel):
                _write_ready(name, model)
    return EXIT_MODEL_ERROR if failures else 0


def _write_ready(name: str, model: LocalModel) -> None:
    size = sum(f.size for f in model.files.values())
    via = f" (from {model.source})" if model.source != name else ""
    files = count(len(model.files), "file")
    sys.stdout.write(f"ready  {name}{via}  {files}  {_mb(size)}  {model.path}\n")


def _check_names(settings: Settings, names: Sequence[str]) -> None:
    known = [s.name for s in settings.models.sources]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ModelUnavailable(
            f"no model source named {', '.join(map(repr, unknown))}",
            hint=f"known sources: {', '.join(known) or 'none'} (models.sources in the config)",
        )


# -- pin ---------------------------------------------------------------------------------------


def run_pin(args: argparse.Namespace) -> int:
    import asyncio

    from vcp.errors import StalePins
    from vcp.models.pinning.pin import PinOptions, Status, pin_file

    if args.check and (args.force or args.upgrade):
        sys.stderr.write("error: --check changes nothing: leave out --force and --upgrade\n")
        return EXIT_USAGE
    options = PinOptions(
        check=args.check,
        force=args.force,
        upgrade=args.upgrade,
        offline=True if args.offline else None,
    )
    quiet = bool(getattr(args, "quiet", False))
    try:
        report = asyncio.run(pin_file(args.config, options=options))
    except StalePins as exc:
        # What disagrees, above the error main renders (vcp.errors cannot name the Line type).
        _print_pin_lines(cast("tuple[Line, ...]", exc.lines), quiet=quiet)
        raise
    _print_pin_lines(report.lines, quiet=quiet)
    if args.check and not report.ok:
        bad = sum(line.status in (Status.UNPINNED, Status.STALE) for line in report.lines)
        sys.stderr.write(
            f"error: {count(bad, 'source')} unpinned or stale\n"
            "  hint: run `vcp models pin` (with --force to accept what the Hub has now for a "
            "stale pin) and commit the config\n"
        )
        return EXIT_CHECK_FAILED
    return 0


def _print_pin_lines(lines: Iterable[Line], *, quiet: bool) -> None:
    from vcp.models.pinning.report import Status

    for line in lines:
        if not quiet or line.status in (Status.UNPINNED, Status.STALE):
            sys.stdout.write(f"{line}\n")


# -- list and verify ---------------------------------------------------------------------------


def run_list(args: argparse.Namespace) -> int:
    from vcp.config import load_settings

    settings = load_settings(args.config)
    statuses = _statuses(settings, [s.name for s in settings.models.sources], False)
    if args.json:
        cache = str(settings.models.resolved_cache_dir)
        write_json({"cache": cache, "models": [status_entry(st) for st in statuses]})
        return 0
    rows = [("NAME", "STATE", "SIZE", "REVISION", "PATH")]
    for st in statuses:
        rows.append(
            (
                st.name,
                st.state.value + (f" (via {st.source})" if st.source else ""),
                _mb(st.size) if st.size else "-",
                (st.revision or "-")[:12],
                str(st.path or "-"),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        cells = [c.ljust(w) for c, w in zip(row, widths, strict=False)] + [row[4]]
        sys.stdout.write("  ".join(cells).rstrip() + "\n")
    sys.stdout.write(f"cache: {settings.models.resolved_cache_dir}\n")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from vcp.config import load_document, settings_from_document
    from vcp.models.cache.inspection import verify

    doc = load_document(args.config)
    settings = settings_from_document(doc)
    names = args.names or [s.name for s in settings.models.sources if not s.optional]
    _check_names(settings, names)
    found = verify(settings.models, names, full=args.full)
    if not args.json:
        _print_verification(found)
    if args.repair and found.bad:
        return _repair(doc, settings, found, args)
    if args.json:
        write_json(verification_entry(found))
    return _verified(found.bad)


def _print_verification(found: Verification) -> None:
    from vcp.models.local import FileState

    moved = {(a.model, a.file): a for a in found.set_aside}
    for st in found.statuses:
        state = "ok" if st.state is FileState.CACHED else st.state.value
        sys.stdout.write(f"{state:8} {st.name}\n")
        for f in st.files:
            if f.state is not FileState.CACHED:
                sys.stdout.write(f"  {f.state.value:8} {f.name}  {f.path or ''}\n")
                aside = moved.get((st.source or st.name, f.name))
                if aside is not None:
                    sys.stdout.write(f"           {_aside_note(aside)}\n")


def _aside_note(aside: SetAside) -> str:
    if aside.moved_to is not None:
        return f"moved to {aside.moved_to}: the next download fetches it again"
    return f"left in place: its lock is held by {aside.holder or 'another process'}"


def _repair(
    doc: YamlDocument, settings: Settings, found: Verification, args: argparse.Namespace
) -> int:
    """``verify --repair``: download the models verification found incomplete."""
    import asyncio

    from vcp.models.local import FileState

    names = [st.name for st in found.statuses if st.state is not FileState.CACHED]
    if not args.json:
        sys.stdout.write(f"repairing {', '.join(names)}\n")
    try:
        results = asyncio.run(_fetch(settings, names, progress="auto", offline=None, args=args))
    except KeyboardInterrupt:
        sys.stderr.write("interrupted: run the same command again to resume\n")
        return EXIT_INTERRUPTED
    if args.json:
        summary = download_summary(results, cache=settings.models.resolved_cache_dir)
        entry = verification_entry(found)
        write_json({**entry, "ok": summary["ok"], "repaired": summary})
        args = argparse.Namespace(**{**vars(args), "json": False, "quiet": True})
    return _report_download(doc, settings, results, args)


def _verified(bad: int) -> int:
    if bad:
        raise ModelError(
            f"{count(bad, 'file')} missing, partial or corrupt",
            hint="run `vcp models download` to fetch (or resume) them, "
            "or `vcp models verify --repair`",
        )
    return 0


def _statuses(settings: Settings, names: Sequence[str], full: bool) -> list[ModelStatus]:
    from vcp.models.cache.inspection import statuses

    return statuses(settings.models, list(names), full=full)


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"
