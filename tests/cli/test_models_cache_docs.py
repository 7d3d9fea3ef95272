"""The cache-management and ``--json`` commands docs/models.md shows run, as written, and succeed.

tests/docs checks that every ``vcp`` line parses; these run the ``vcp models`` lines of the
"Managing the cache" and "JSON output for scripts" blocks for real, in order, on a cache the
default models were downloaded into from the loopback mirror.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from vcp_testing.cli import Run

from vcp.mirror import MirrorServer

pytestmark = pytest.mark.usefixtures("restore_logging")
DOC = Path(__file__).resolve().parents[2] / "docs" / "models.md"


def commands_under(heading: str) -> list[list[str]]:
    """The ``vcp models`` lines of the first fenced block after ``heading``."""
    text = DOC.read_text(encoding="utf-8")
    after = text[text.index(heading) :]
    block = re.search(r"^```\w*\n(.*?)^```", after, re.M | re.S)
    assert block is not None, f"no block after {heading!r}"
    argvs = [shlex.split(ln, comments=True) for ln in block.group(1).splitlines()]
    return [argv[1:] for argv in argvs if argv[:2] == ["vcp", "models"]]


MANAGING = commands_under("### Managing the cache")
JSON_LINES = commands_under("## JSON output for scripts")


def test_the_blocks_show_what_this_test_runs() -> None:
    assert {a[1] for a in MANAGING} >= {"du", "verify", "prune", "rm"}
    assert {a[1] for a in JSON_LINES} >= {"list", "verify", "download", "du", "prune"}


async def test_the_commands_docs_models_md_shows_run_and_succeed(
    monkeypatch: pytest.MonkeyPatch, default_mirror: MirrorServer, cache_dir: Path, vcp: Run
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", default_mirror.url)
    monkeypatch.setenv("VCP_MODELS__CACHE_DIR", str(cache_dir))
    assert (await vcp("models", "download", "--progress", "none")).returncode == 0

    for argv in [*JSON_LINES, *MANAGING]:
        result = await vcp(*argv)
        assert result.returncode == 0, f"vcp {shlex.join(argv)}:\n{result.stdout}{result.stderr}"
        if "--json" in argv:
            json.loads(result.stdout)
    assert not (cache_dir / "models--Systran--faster-whisper-tiny.en").exists()
