"""``vcp models du|rm|prune``: what the cache holds, and removing what is no longer wanted.

Registered by ``vcp.cli.commands.models``; no network, so no aiohttp (the scan and the removal are
in ``vcp.models.cache.usage`` and ``vcp.models.cache.manage``, imported by the handlers).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from vcp.cli.models_json import removal_entry, usage_entry, write_json
from vcp.cli.text import count
from vcp.errors import ModelError, ModelUnavailable

if TYPE_CHECKING:
    from vcp.cli.commands import Subcommands
    from vcp.models.cache.manage import Outcome
    from vcp.models.cache.usage import CacheUsage, ConfigUses


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add ``du``, ``rm`` and ``prune`` to the ``models`` group."""
    du = commands.add_parser(
        "du", parents=[common], help="disk use of the cache: per model and revision, partial "
        "downloads, quarantine, total",
    )  # fmt: skip
    du.add_argument("--json", action="store_true", help="print the sizes as JSON")
    du.set_defaults(handler=run_du)

    rm = commands.add_parser(
        "rm", parents=[common], help="remove models from the cache (snapshots and the blobs only "
        "they use)",
    )  # fmt: skip
    rm.add_argument(
        "names", nargs="+", metavar="NAME", help="a source name, or a repo id (org/name) from du"
    )
    _add_removal_flags(rm)
    rm.set_defaults(handler=run_rm)

    prune = commands.add_parser(
        "prune", parents=[common], help="remove revisions no source uses, partial downloads older "
        "than a week, and the quarantine",
    )  # fmt: skip
    _add_removal_flags(prune)
    prune.set_defaults(handler=run_prune)


def _add_removal_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run", action="store_true", help="remove nothing: say what would go and its size"
    )
    parser.add_argument("--json", action="store_true", help="print what went (or would) as JSON")


# -- du --------------------------------------------------------------------------------------------


def run_du(args: argparse.Namespace) -> int:
    from vcp.config import load_settings
    from vcp.models.cache.store import ModelCache
    from vcp.models.cache.usage import config_uses, scan

    settings = load_settings(args.config)
    cache = ModelCache(settings.models.resolved_cache_dir)
    usage = scan(cache.root)
    uses = config_uses(settings.models, cache)
    if args.json:
        write_json(usage_entry(usage, uses))
    else:
        _print_usage(usage, uses)
    return 0


def _print_usage(usage: CacheUsage, uses: ConfigUses) -> None:
    rows = [("MODEL / REVISION", "SIZE", "FILES", "USED BY")]
    for folder in usage.folders:
        users = ", ".join(uses.users(folder.name)) or "-"
        rows.append((folder.label, human(folder.size), str(len(folder.content)), users))
        for rev in folder.revisions:
            refs = f" ({', '.join(rev.refs)})" if rev.refs else ""
            by = ", ".join(uses.users(folder.name, rev.commit)) or "- (prune removes it)"
            rows.append((f"  {rev.commit[:12]}{refs}", human(rev.size), str(rev.files), by))
        if folder.partials:
            rows.append(
                ("  partial downloads", human(folder.partial_size), _n(folder.partials), "")
            )
    quarantine = usage.quarantine
    rows += [
        ("partial downloads", human(sum(p.size for p in usage.partials)), _n(usage.partials), ""),
        ("quarantine", human(sum(q.size for q in quarantine)), _n(quarantine), ""),
        ("other (records, metadata, locks)", human(usage.other), "", ""),
        ("total", human(usage.total), "", ""),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        cells = [row[0].ljust(widths[0]), row[1].rjust(widths[1]), row[2].rjust(widths[2]), row[3]]
        sys.stdout.write("  ".join(cells).rstrip() + "\n")
    sys.stdout.write(f"cache: {usage.root}\n")


def _n(items: tuple[object, ...]) -> str:
    return str(len(items))


def human(n: int) -> str:
    """``n`` bytes for a reader: ``0 B``, ``512 B``, ``4.1 kB``, ``78.1 MB``, ``1.5 GB``."""
    if n < 1000:
        return f"{n} B"
    size = float(n)
    for unit in ("kB", "MB", "GB"):
        size /= 1000
        if size < 1000:
            return f"{size:.1f} {unit}"
    return f"{size / 1000:.1f} TB"


# -- rm and prune ----------------------------------------------------------------------------------


def run_rm(args: argparse.Namespace) -> int:
    from vcp.config import load_settings
    from vcp.models.cache.manage import carry_out, plan_rm
    from vcp.models.cache.store import ModelCache
    from vcp.models.cache.usage import scan

    settings = load_settings(args.config)
    cache = ModelCache(settings.models.resolved_cache_dir)
    try:
        plan = plan_rm(scan(cache.root), settings.models, cache, args.names)
    except KeyError as exc:
        known = ", ".join(s.name for s in settings.models.sources) or "none"
        raise ModelUnavailable(
            f"no model source or cached model named {exc.args[0]}",
            hint=f"known sources: {known}; `vcp models du` lists what the cache holds",
        ) from None
    return _report(carry_out(plan, cache, dry_run=args.dry_run), args)


def run_prune(args: argparse.Namespace) -> int:
    from vcp.config import load_settings
    from vcp.models.cache.manage import carry_out, plan_prune
    from vcp.models.cache.store import ModelCache
    from vcp.models.cache.usage import scan

    settings = load_settings(args.config)
    cache = ModelCache(settings.models.resolved_cache_dir)
    plan = plan_prune(scan(cache.root), settings.models, cache)
    return _report(carry_out(plan, cache, dry_run=args.dry_run), args)


def _report(outcome: Outcome, args: argparse.Namespace) -> int:
    if args.json:
        write_json(removal_entry(outcome))
    else:
        _print_outcome(outcome)
    if outcome.skipped:
        raise ModelError(
            f"{count(len(outcome.skipped), 'item')} kept: another process holds its lock",
            hint="it is downloading or checking those files; run the same command again "
            "once it has finished",
        )
    return 0


def _print_outcome(outcome: Outcome) -> None:
    verb = "would remove" if outcome.dry_run else "removed"
    for item in outcome.removed:
        sys.stdout.write(f"{verb}  {item.what}  {human(item.size)}  ({item.why})\n")
    for item, holder in outcome.skipped:
        sys.stdout.write(f"in use  {item.what}  (lock held by {holder})\n")
    for note in outcome.kept:
        sys.stdout.write(f"kept  {note}\n")
    freed = human(outcome.freed)
    if outcome.dry_run:
        sys.stdout.write(f"would free {freed}; nothing was removed (--dry-run)\n")
    else:
        sys.stdout.write(f"freed {freed}\n")
