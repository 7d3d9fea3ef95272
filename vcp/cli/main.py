"""``vcp``: the command line. Parses arguments, sets up logging, runs a command, renders errors.

Exit codes are declared in ``vcp.cli.exit_codes``; an error's code comes from its class there.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from vcp.cli.commands import config as config_cmd
from vcp.cli.console_log import OncePerRun, TerminalSafe
from vcp.cli.exit_codes import EXIT_INTERRUPTED, EXIT_TERMINATED, exit_code
from vcp.cli.render import render_error
from vcp.cli.signals import sigterm_as_interrupt
from vcp.errors import VcpError

log = logging.getLogger(__name__)
COMMANDS = ("models", "mirror", "analyze", "export", "censor", "review", "watch")  # module names
# How long an interrupted analysis may take to finish the inference step under way (a whisper
# step on a long window takes a few seconds) before the process ends without waiting for it.
THREAD_STOP_SECONDS = 10.0


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser: every command group, or only the one ``argv`` (if given) runs.

    Importing every command costs a run of ``vcp models download`` about 40 ms (analysis and
    export modules it never uses); help, a typo or no command still sees them all.
    """
    parser = argparse.ArgumentParser(
        prog="vcp",
        description="Find the parts of a video a viewer may not want to see or hear, "
        "with local ML models that vcp downloads itself.",
    )
    parser.add_argument("--version", action="version", version=f"vcp {_version()}")
    _add_verbosity(parser, default=0)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-c",
        "--config",
        type=Path,
        metavar="FILE",
        help="configuration file (default: $VCP_CONFIG, else the built-in default)",
    )
    _add_verbosity(common, default=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _command_modules(COMMANDS if argv is None else _requested(argv)):
        module.register(sub, common)
    return parser


def _requested(argv: Sequence[str]) -> tuple[str, ...]:
    """The command groups to import: the one named first in ``argv`` if it is one, else all.

    No option before the command takes a value, so the first word that is not an option is it.
    """
    words = [a for a in argv if not a.startswith("-")]
    if words and words[0] == "config":
        return ()
    return (words[0],) if words and words[0] in COMMANDS else COMMANDS


def _command_modules(names: Sequence[str] = COMMANDS) -> list[ModuleType]:
    modules = [config_cmd]
    for name in names:
        try:
            modules.append(__import__(f"vcp.cli.commands.{name}", fromlist=["register"]))
        except ModuleNotFoundError as exc:  # a command group not built yet
            if exc.name != f"vcp.cli.commands.{name}":
                raise
    return modules


def _add_verbosity(parser: argparse.ArgumentParser, *, default: object) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-v", "--verbose", action="count", default=default, help="more log output (-vv for debug)"
    )
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS if default is argparse.SUPPRESS else False,
        help="only errors",
    )


def _version() -> str:
    # The package's constant, not importlib.metadata: reading the installed metadata costs about
    # 90 ms (it imports email parsing) on every start-up. A test checks the two agree.
    from vcp.core.version import __version__

    return __version__


def configure_logging(verbose: int, quiet: bool) -> None:
    """WARNING by default, INFO with -v, DEBUG with -vv, ERROR with -q."""
    level = (
        logging.ERROR
        if quiet
        else {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    )
    logging.basicConfig(level=level, force=True)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(TerminalSafe("%(levelname)s %(name)s: %(message)s"))
        handler.addFilter(OncePerRun())


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    configure_logging(args.verbose, args.quiet)
    with sigterm_as_interrupt() as interrupts:
        code = _run(args)
        # Commands report an interruption as 130 themselves; SIGTERM is told apart only here.
        code = EXIT_TERMINATED if code == EXIT_INTERRUPTED and interrupts.terminated else code
        _end_abandoned_threads(code)
    return code


def _end_abandoned_threads(code: int) -> None:
    """Let inference threads an interrupted analysis abandoned end before the interpreter does.

    One still inside CTranslate2 or onnxruntime when the process exits makes their C++ runtime
    abort (exit 134). Each is asked to stop at its next step; one that does not stop in time (or
    a second Ctrl-C) ends the process here with ``code``, past the code that would abort.
    """
    threads = sys.modules.get("vcp.core.threads")  # never imported: no thread was started
    if threads is None:
        return
    try:
        if threads.wait_abandoned(THREAD_STOP_SECONDS):
            return
    except KeyboardInterrupt:
        pass
    if threading.current_thread() is threading.main_thread():  # not when embedded in a thread
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.handler(args))
    except VcpError as exc:
        render_error(exc)
        return exit_code(exc)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
