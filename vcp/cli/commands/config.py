"""``vcp config validate|show``: check a configuration and print the effective settings."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vcp.cli.commands import Subcommands


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    """Add the ``config`` command group."""
    group = sub.add_parser("config", help="check and show the configuration")
    commands = group.add_subparsers(dest="config_command", metavar="COMMAND", required=True)
    validate = commands.add_parser(
        "validate", parents=[common], help="check a configuration file; exit 2 if it is wrong"
    )
    validate.set_defaults(handler=run_validate)
    show = commands.add_parser(
        "show",
        parents=[common],
        help="print the effective settings (file + environment, resolved cache dir)",
    )
    show.set_defaults(handler=run_show)


def run_validate(args: argparse.Namespace) -> int:
    from vcp.config import load_document, settings_from_document
    from vcp.config.loader import merges_defaults

    doc = load_document(args.config)
    settings = settings_from_document(doc)
    on = [d.name for d in settings.detectors if d.enabled]
    off = [d.name for d in settings.detectors if not d.enabled]
    names = "; ".join(filter(None, [", ".join(on), f"disabled: {', '.join(off)}" if off else ""]))
    over = ", over the built-in defaults" if merges_defaults(doc) else ""
    sys.stdout.write(
        f"ok: {doc.source}: {len(settings.models.sources)} model sources, "
        f"{len(on)} detector{'' if len(on) == 1 else 's'} ({names}){over}\n"
    )
    if not on:
        # Not an error here: `vcp censor` and `vcp export` need no detector; analyze refuses it.
        sys.stderr.write(
            "warning: no detector is enabled: `vcp analyze` refuses this configuration\n"
            "  hint: remove `enabled: false` from a detector (`vcp config show` prints them)\n"
        )
    return 0


def run_show(args: argparse.Namespace) -> int:
    from vcp.config import load_document, settings_from_document
    from vcp.config.loader import BUILTIN_NAME, merges_defaults
    from vcp.config.yaml_io import dump_yaml

    doc = load_document(args.config)
    settings = settings_from_document(doc)
    data = settings.model_dump(mode="json", exclude_none=True)
    # The resolved cache dir first: it is what people run `config show` to find out.
    # The dumped value (e.g. "~/models") must not replace the resolved one.
    models = {k: v for k, v in data["models"].items() if k != "cache_dir"}
    data["models"] = {"cache_dir": str(settings.models.resolved_cache_dir), **models}
    layers = f"{BUILTIN_NAME} + {doc.source}" if merges_defaults(doc) else doc.source
    sys.stdout.write(f"# effective settings: {layers} + environment overrides\n")
    sys.stdout.write(dump_yaml(data))
    return 0
