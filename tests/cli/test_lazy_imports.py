"""Commands that never decode media or use the network do not import what would.

Each command runs in a fresh interpreter (as a user runs it), which then reports the heavy
modules left in ``sys.modules``. PyAV, onnxruntime and faster-whisper add about 0.6 s to start-up;
aiohttp belongs only to commands that download or serve.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

MEDIA_AND_INFERENCE = {"av", "onnxruntime", "faster_whisper", "ctranslate2", "numpy"}
NETWORK = {"aiohttp"}

_PROBE = """
import json, sys
from vcp.cli.main import main
code = main(sys.argv[1:])
heavy = sorted(m for m in json.loads({watched!r}) if m in sys.modules)
sys.__stderr__.write("\\n" + json.dumps({{"code": code, "heavy": heavy}}) + "\\n")
"""


def imported_after(
    argv: list[str], tmp_path: Path, *, watched: set[str] = MEDIA_AND_INFERENCE | NETWORK
) -> tuple[int, set[str]]:
    """Run ``vcp *argv`` in a new process; its exit code and the watched modules it imported."""
    watched_json = json.dumps(sorted(watched))
    env = {**os.environ, "VCP_MODELS__CACHE_DIR": str(tmp_path / "cache")}
    env.pop("VCP_CONFIG", None)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(watched=watched_json), *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], set(report["heavy"])


@pytest.mark.slow
@pytest.mark.parametrize(
    "argv",
    [
        ["config", "show"],
        ["config", "validate"],
        ["models", "list"],
        ["models", "du"],
        ["models", "prune", "--dry-run"],
    ],
    ids=" ".join,
)
def test_commands_without_media_or_network_import_neither(argv: list[str], tmp_path: Path) -> None:
    code, heavy = imported_after(argv, tmp_path)
    assert code == 0
    assert heavy == set()


@pytest.mark.slow
def test_version_imports_nothing_heavy() -> None:
    # Only what issue 7 requires: pydantic is not loaded today either, but a command module that
    # imports vcp.config at module level would bring it back (about 0.2 s), not break anything.
    watched = sorted(MEDIA_AND_INFERENCE | NETWORK)
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['vcp', '--version']\n"
        "try:\n    runpy.run_module('vcp', run_name='__main__')\n"
        "except SystemExit as exc:\n    code = exc.code\n"
        f"print(code, [m for m in {watched!r} if m in sys.modules])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.splitlines()[-1] == "0 []"
    assert done.stdout.startswith("vcp ")


@pytest.mark.slow
def test_a_download_imports_aiohttp_so_the_probe_sees_imports(tmp_path: Path) -> None:
    # Offline with an empty cache it fails (exit 3) before any request, after the imports.
    code, heavy = imported_after(
        ["models", "download", "--offline", "--progress", "none"], tmp_path
    )
    assert code == 3
    assert heavy == NETWORK


def test_import_vcp_is_lazy_but_complete() -> None:
    code = (
        "import sys, vcp, vcp.models\n"
        "before = 'aiohttp' in sys.modules or 'pydantic' in sys.modules\n"
        "from vcp.models import ModelManager\n"
        "print(before, ModelManager.__module__, vcp.ModelManager is ModelManager)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["False", "vcp.models.manager", "True"]


OTHER_COMMANDS = {
    f"vcp.cli.commands.{name}" for name in ("analyze", "export", "censor", "review", "watch")
}


@pytest.mark.slow
def test_a_models_command_imports_no_other_command_and_no_tqdm_logging(tmp_path: Path) -> None:
    # Start-up of an all-cached `vcp models download` (issue 9): the other commands' modules and
    # tqdm's logging helper (needed only while bars are drawn) are left out.
    watched = OTHER_COMMANDS | {"vcp.cli.commands.models", "tqdm.contrib.logging"}
    code, imported = imported_after(["models", "list"], tmp_path, watched=watched)
    assert code == 0
    assert imported == {"vcp.cli.commands.models"}


def test_help_and_an_unknown_command_still_know_every_command() -> None:
    from vcp.cli.main import build_parser

    for argv in ([], ["--help"], ["modles", "list"]):
        listed = build_parser(argv).format_help()
        for name in ("mirror", "analyze", "export", "censor", "review", "watch"):
            assert f"\n    {name} " in listed, (argv, name)


def test_a_context_that_sends_no_request_never_loads_aiohttp() -> None:
    # An all-cached `vcp models download` opens the manager (and its context) but sends nothing:
    # the session, and aiohttp with it (about 0.13 s of start-up), come with the first request.
    code = (
        "import asyncio, sys\n"
        "from vcp.config.schema import ModelsSettings\n"
        "from vcp.models.context import open_context\n"
        "async def main():\n"
        "    async with open_context(ModelsSettings(), token=None, emit=print):\n"
        "        pass\n"
        "asyncio.run(main())\n"
        "print('aiohttp.client' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["False"]
