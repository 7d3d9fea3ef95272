"""``vcp mirror serve``: run the local Hub-compatible mirror, optionally misbehaving on purpose."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from vcp.errors import ConfigError, UsageError

# The mirror (aiohttp's server) is imported by the handler: other commands never load it.
if TYPE_CHECKING:
    from vcp.mirror import Faults

__all__ = ["TOKEN_ENV", "faults_from_args", "port", "register", "run_serve", "token_from_args"]

TOKEN_ENV = "VCP_MIRROR_TOKEN"


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add the ``mirror`` command group (``common`` is not needed: the mirror reads no config)."""
    group = sub.add_parser("mirror", help="run a local Hugging Face Hub-compatible mirror")
    commands = group.add_subparsers(dest="mirror_command", metavar="COMMAND", required=True)
    serve_cmd = commands.add_parser(
        "serve",
        help="serve a Hub-layout folder (see scripts/seed_mirror.py) until Ctrl-C",
        description="Serve model repos from a Hub cache layout (a seeded folder, vcp's model "
        "cache or ~/.cache/huggingface/hub) at /{org}/{name}/resolve/... with the Hub's JSON "
        "API at /api/models/..., and plain files from DIR/files/ at /files/....",
    )
    serve_cmd.add_argument(
        "--root",
        type=Path,
        required=True,
        metavar="DIR",
        help="the folder to serve (models--org--name/... and files/)",
    )
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve_cmd.add_argument("--port", type=port, default=8080, help="port (0: any free port)")
    serve_cmd.add_argument(
        "--token",
        metavar="TOKEN",
        help=f"the Bearer token that opens private and gated repos (default: ${TOKEN_ENV}; "
        "the variable keeps it out of the process list)",
    )
    serve_cmd.add_argument(
        "--cdn-port",
        type=port,
        metavar="N",
        help="also serve a fake CDN on port N; LFS files redirect to it",
    )
    testing = serve_cmd.add_argument_group("faults and statistics (for tests and benchmarks)")
    _add_fault_arguments(testing)
    testing.add_argument(
        "--stats",
        action="store_true",
        help="answer GET/DELETE /_mirror/stats with the requests served (no authentication: "
        "keep it off on a shared mirror)",
    )
    serve_cmd.set_defaults(handler=run_serve)


def port(text: str) -> int:
    """argparse type for a TCP port: 0 (any free port) to 65535."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{number} is not a port: use 1024-65535, or 0 for any")
    return number


def _add_fault_arguments(group: argparse._ArgumentGroup) -> None:
    group.add_argument(
        "--drop-after",
        type=int,
        metavar="N",
        help="close the connection after N body bytes of each file",
    )
    group.add_argument(
        "--fail-first",
        type=int,
        default=0,
        metavar="K",
        help="answer the first K file requests with --fail-status",
    )
    group.add_argument(
        "--fail-status",
        type=int,
        default=503,
        metavar="S",
        help="status of the failed requests (default 503; 429 adds RateLimit)",
    )
    group.add_argument(
        "--retry-after",
        type=float,
        metavar="S",
        help="send Retry-After: S with the failed requests",
    )
    group.add_argument("--flip-byte", type=int, metavar="N", help="corrupt the byte at offset N")
    group.add_argument(
        "--ignore-range",
        action="store_true",
        help="answer Range requests with 200 and the whole file",
    )
    group.add_argument(
        "--rate",
        type=int,
        metavar="BYTES_PER_S",
        help="cap each response at this many bytes per second",
    )
    group.add_argument(
        "--latency",
        type=float,
        default=0.0,
        metavar="S",
        help="wait S seconds before answering each file request",
    )
    group.add_argument(
        "--extra-bytes",
        type=int,
        default=0,
        metavar="N",
        help="send N bytes more than each file (a body longer than its listed size)",
    )
    group.add_argument(
        "--gzip",
        action="store_true",
        help="send bodies gzip-encoded whatever the client accepts",
    )
    group.add_argument("--only", metavar="GLOB", help="apply the faults only to matching files")


def faults_from_args(args: argparse.Namespace) -> Faults:
    """The fault knobs the command line asked for."""
    from vcp.mirror import Faults

    return Faults(
        drop_after_bytes=args.drop_after,
        fail_first=args.fail_first,
        fail_status=args.fail_status,
        retry_after=args.retry_after,
        flip_byte_at=args.flip_byte,
        ignore_range=args.ignore_range,
        bytes_per_second=args.rate,
        latency=args.latency,
        only=args.only,
        extra_bytes=args.extra_bytes,
        gzip=args.gzip,
    )


def token_from_args(args: argparse.Namespace) -> str | None:
    """The token the mirror accepts: ``--token``, else ``$VCP_MIRROR_TOKEN``, else none."""
    return args.token or os.environ.get(TOKEN_ENV) or None


def run_serve(args: argparse.Namespace) -> int:
    """Serve until interrupted (the CLI frame turns Ctrl-C into exit code 130)."""
    import asyncio

    from vcp.mirror.server import serve

    if not getattr(args, "quiet", False):
        # The URL (the port may be 0, i.e. any free one) is logged once listening: show it.
        logger = logging.getLogger("vcp.mirror.server")
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
    coro = serve(
        args.root, host=args.host, port=args.port, faults=faults_from_args(args),
        cdn_port=args.cdn_port, token=token_from_args(args), stats_routes=args.stats,
    )  # fmt: skip
    try:
        asyncio.run(coro)
    except ConfigError as exc:
        raise _as_usage(exc) from exc
    return 0


def _as_usage(exc: ConfigError) -> UsageError:
    """The server's refusal of an argument, worded for the command line: a root names
    ``--root``; an address that cannot be listened on names itself (``--port``/``--host``)."""
    problem = exc.problems[0]
    where = problem.source
    if problem.field == "root":
        return UsageError(f"--root: {problem.message}", where=where, hint=exc.hint)
    return UsageError(f"cannot listen on {where}: {problem.message}", where=where, hint=exc.hint)
