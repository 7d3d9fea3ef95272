"""Running vcp's command line in tests, and reading what it printed.

``run_main`` calls ``vcp.cli.main.main`` in a worker thread (it calls ``asyncio.run``), so a mirror
can keep serving from the test's event loop meanwhile; stdout and stderr come from capsys. A test
running ``main`` this way also wants the ``restore_logging`` fixture: ``main`` points the root
logger at the captured stderr.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from vcp.cli.main import main


@dataclass
class Result:
    """What one run of vcp returned and printed."""

    returncode: int
    stdout: str
    stderr: str


Run = Callable[..., Awaitable[Result]]  # await vcp("models", "list", ...) -> Result


async def run_main(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> Result:
    """Run ``vcp *argv`` in a worker thread; its output is what capsys holds once it returns."""
    code = await asyncio.to_thread(main, [str(a) for a in argv])
    out, err = capsys.readouterr()
    return Result(code, out, err)


def in_process(capsys: pytest.CaptureFixture[str]) -> Run:
    """``await run("models", "list")``: each Result holds what was printed since the run before."""
    capsys.readouterr()

    async def run(*argv: str | Path) -> Result:
        return await run_main(capsys, *argv)

    return run


def table(stdout: str) -> dict[str, list[str]]:
    """The rows of `models list`, by model name (cells are separated by two spaces or more)."""
    lines = stdout.splitlines()
    assert re.split(r"\s{2,}", lines[0]) == ["NAME", "STATE", "SIZE", "REVISION", "PATH"]
    return {cells[0]: cells[1:] for cells in (re.split(r"\s{2,}", ln) for ln in lines[1:-1])}
