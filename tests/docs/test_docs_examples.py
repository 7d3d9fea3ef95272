"""Every command and Python snippet in README.md and docs/*.md runs as written, so none can drift.

The Markdown files are read when the tests are collected, so a new page in docs/ is checked from
the next run on. Each fenced block is one test, named ``file:line``:

- ``sh`` blocks (and untagged ones, which hold commands too): every ``vcp ...`` or
  ``python -m vcp ...`` line must be accepted by vcp's real argument parser; the harmless ones
  (``--help``, ``--version``, ``config validate``, ``config show``) also run for real in a
  subprocess, in a scratch folder holding ``my.yaml`` (the default configuration) and ``configs/``,
  with an empty HOME. Other lines (``make``, ``pipx``, scripts) are the reader's business.
- ``python`` blocks must compile as a script (no top-level ``await``) and run, in a subprocess in an
  empty scratch folder that can reach nothing but loopback. An HTML comment on the line before the
  block changes that:

  ``<!-- docs-check: mirror -->``: run it with ``HF_ENDPOINT`` at a local mirror of the default
  models, ``my.yaml`` beside it and the model cache in the scratch folder;
  ``<!-- docs-check: skip (reason) -->``: compile only (say why it cannot run on its own).
  ``<!-- docs-check: app -->``: a server (docs/embedding.md's web service), compiled here and
  run by ``tests/docs/test_embedding_docs.py``, which talks to it.

- A ``sh`` block after ``<!-- docs-check: after-demo -->`` runs line by line, for real, in a folder
  laid out as after ``make demo`` (``.demo/cache`` filled, ``.demo/mirror`` seeded, ``movie.mp4``):
  ``.venv/bin/vcp`` is this interpreter's vcp, a line ending in ``&`` starts in the background (a
  mirror: its port is swapped for a free one), every other line must exit 0.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import re
import shlex
import shutil
import socket
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from vcp.cli.main import build_parser
from vcp.mirror import MirrorServer

REPO = Path(__file__).resolve().parents[2]
SHELL = frozenset({"sh", "shell", "bash", "console", ""})
RUN_LIMIT = 100.0  # seconds per subprocess: a hang guard only
_FENCE = re.compile(r"^(`{3,}|~{3,})\s*([\w+-]*)\s*$")
_DIRECTIVE = re.compile(r"^<!--\s*docs-check:\s*(.*?)\s*-->$")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


@dataclass(frozen=True)
class Block:
    """One fenced block: where it starts, its language tag, its text, the directive before it."""

    path: Path
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    directive: str = ""

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"


def markdown_files() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def blocks_in(path: Path) -> Iterator[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence, start = opening.group(1), i
        i += 1
        while i < len(lines) and not lines[i].startswith(fence):
            i += 1
        text = "\n".join(lines[start + 1 : i]) + "\n"
        yield Block(path, start + 1, opening.group(2).lower(), text, _directive(lines, start))
        i += 1


def _directive(lines: list[str], fence: int) -> str:
    before = next((ln.strip() for ln in reversed(lines[:fence]) if ln.strip()), "")
    found = _DIRECTIVE.match(before)
    return found.group(1) if found else ""


def vcp_commands(block: Block) -> Iterator[tuple[int, list[str]]]:
    """(line, argv after ``vcp``) of each vcp command in a shell block."""
    for offset, raw in enumerate(block.text.splitlines(), start=1):
        try:
            words = shlex.split(raw.strip().removeprefix("$ "), comments=True)
        except ValueError:  # not shell (an error message with a stray quote)
            continue
        while words and _ASSIGNMENT.match(words[0]):
            words.pop(0)
        if words[-1:] == ["&"]:  # started in the background
            words.pop()
        if words and Path(words[0]).name == "vcp":  # vcp, .venv/bin/vcp
            yield block.line + offset, words[1:]
        elif (
            len(words) > 2
            and Path(words[0]).name.startswith("python")
            and words[1:3]
            == [
                "-m",
                "vcp",
            ]
        ):
            yield block.line + offset, words[3:]


ALL = [block for path in markdown_files() for block in blocks_in(path)]
AFTER_DEMO = [b for b in ALL if b.directive == "after-demo"]
COMMANDS = [b for b in ALL if b.lang in SHELL and any(vcp_commands(b))]
PYTHON = [b for b in ALL if b.lang in ("python", "py")]
ON_MIRROR = [b for b in PYTHON if b.directive == "mirror"]
ON_THEIR_OWN = [b for b in PYTHON if not b.directive]
SKIPPED = [b for b in PYTHON if b.directive.startswith("skip")]


def ids(blocks: list[Block]) -> list[str]:
    return [b.name for b in blocks]


# -- commands --------------------------------------------------------------------------------------


def parse_error(parser: argparse.ArgumentParser, argv: list[str]) -> str | None:
    """argparse's complaint about ``argv``, or None when it is accepted (``--help`` is)."""
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        try:
            parser.parse_args(argv)
        except SystemExit as exc:
            if exc.code not in (0, None):
                return err.getvalue().strip().splitlines()[-1]
    return None


@pytest.mark.parametrize("block", COMMANDS, ids=ids(COMMANDS))
def test_every_vcp_command_is_accepted_by_the_parser(block: Block) -> None:
    parser = build_parser()
    wrong = [
        f"{block.path.name}:{line}: vcp {shlex.join(argv)}: {error}"
        for line, argv in vcp_commands(block)
        if (error := parse_error(parser, argv))
    ]
    assert wrong == []


def harmless(argv: list[str]) -> bool:
    """Commands that read a config at most and change nothing: run them for real."""
    return bool({"--help", "-h", "--version", "--mpv-script"} & set(argv)) or argv[:2] in (
        ["config", "validate"],
        ["config", "show"],
    )


RUNNABLE = [b for b in COMMANDS if any(harmless(argv) for _, argv in vcp_commands(b))]


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A folder like a reader's: ``my.yaml`` (the default config), the repo's ``configs/``, and a
    film with its report (``movie.mp4``: the sample video, ``movie.vcp.json``)."""
    from vcp_testing.reports import film_with_report

    folder = tmp_path / "work"
    folder.mkdir()
    shutil.copy(REPO / "configs" / "default.yaml", folder / "my.yaml")
    (folder / "configs").symlink_to(REPO / "configs")
    film_with_report(folder, "movie.mp4")
    return folder


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VCP_", "HF_", "XDG_"))}
    return {**env, "HOME": str(home), "NO_COLOR": "1", **extra}


async def run(*argv: str, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), RUN_LIMIT)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    return proc.returncode or 0, out.decode(errors="replace")


@pytest.mark.slow
@pytest.mark.parametrize("block", RUNNABLE, ids=ids(RUNNABLE))
async def test_harmless_commands_run_and_succeed(block: Block, scratch: Path) -> None:
    failed = []
    for line, argv in vcp_commands(block):
        if not harmless(argv):
            continue
        env = clean_env(scratch.parent / "home")
        code, out = await run(sys.executable, "-m", "vcp", *argv, cwd=scratch, env=env)
        if code != 0 or "Traceback" in out:
            failed.append(f"{block.path.name}:{line}: vcp {shlex.join(argv)} -> exit {code}\n{out}")
    assert failed == []


def as_run(line: str) -> tuple[dict[str, str], list[str], bool]:
    """A shell line's variable assignments, its argv (vcp as this interpreter's) and whether it
    is started in the background."""
    words = shlex.split(line, comments=True)
    env = {}
    while words and _ASSIGNMENT.match(words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    background = words[-1:] == ["&"]
    words = words[:-1] if background else words
    if words and Path(words[0]).name == "vcp":
        words = [sys.executable, "-m", "vcp", *words[1:]]
    elif words[1:3] == ["-m", "vcp"]:
        words = [sys.executable, *words[1:]]
    return env, words, background


async def started(argv: list[str], *, cwd: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    """``argv`` in the background, once it says it is listening."""
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    assert proc.stdout is not None
    said = b""
    async with asyncio.timeout(RUN_LIMIT):
        while b"listening on" not in said:
            line = await proc.stdout.readline()
            assert line, said.decode()
            said += line
    return proc


@pytest.mark.slow
@pytest.mark.parametrize("block", AFTER_DEMO, ids=ids(AFTER_DEMO))
async def test_the_commands_after_the_demo_use_the_demo_s_models(
    block: Block, scratch: Path, default_models_root: Path
) -> None:
    from vcp_testing.analysis import fill_cache

    demo = scratch / ".demo"
    await asyncio.to_thread(fill_cache, default_models_root, demo / "cache")
    (demo / "mirror").symlink_to(default_models_root)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    background: list[asyncio.subprocess.Process] = []
    try:
        for line in block.text.replace("8080", str(port)).splitlines():
            extra, argv, in_background = as_run(line)
            env = clean_env(scratch.parent / "home", **extra)
            if in_background:
                background.append(await started(argv, cwd=scratch, env=env))
                continue
            (scratch / "movie.vcp.json").unlink(missing_ok=True)
            code, out = await run(*argv, cwd=scratch, env=env)
            assert code == 0 and "Traceback" not in out, f"{line}\n{out}"
            assert (scratch / "movie.vcp.json").is_file(), line
    finally:
        for proc in background:
            proc.terminate()
            await proc.wait()


# -- Python ----------------------------------------------------------------------------------------

# Runs a snippet as a script with name resolution limited to loopback: a snippet that reaches for
# huggingface.co (the default endpoint) fails here instead of leaving the machine.
RUNNER = """
import runpy, socket, sys
_resolve = socket.getaddrinfo
def _loopback_only(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name in ("localhost", "::1") or name.startswith("127."):
        return _resolve(host, *args, **kwargs)
    raise socket.gaierror(socket.EAI_NONAME, f"docs-check: no network beyond loopback ({name})")
socket.getaddrinfo = _loopback_only
runpy.run_path(sys.argv[1], run_name="__main__")
"""


@pytest.mark.parametrize("block", PYTHON, ids=ids(PYTHON))
def test_python_snippets_compile_as_scripts(block: Block) -> None:
    try:
        compile(block.text, block.name, "exec")
    except SyntaxError as exc:  # e.g. `await` outside a function: not runnable as written
        pytest.fail(f"{block.name}+{(exc.lineno or 1) - 1}: {exc.msg}: {(exc.text or '').strip()}")


async def run_snippet(block: Block, folder: Path, **env: str) -> None:
    script = folder / "snippet.py"
    script.write_text(block.text, encoding="utf-8")
    home = folder.parent / "home"
    code, out = await run(
        sys.executable, "-c", RUNNER, str(script), cwd=folder, env=clean_env(home, **env)
    )
    assert code == 0, f"{block.name} exited {code}:\n{out}"


@pytest.mark.slow
@pytest.mark.parametrize("block", ON_THEIR_OWN, ids=ids(ON_THEIR_OWN))
async def test_self_contained_python_snippets_run(block: Block, scratch: Path) -> None:
    await run_snippet(block, scratch, HF_ENDPOINT="http://127.0.0.1:9")  # nothing listens there


@pytest.mark.slow
@pytest.mark.parametrize("block", ON_MIRROR, ids=ids(ON_MIRROR))
async def test_python_snippets_run_against_a_mirror(
    block: Block, scratch: Path, default_mirror: MirrorServer
) -> None:
    cache = scratch / "cache"
    await run_snippet(
        block, scratch, HF_ENDPOINT=default_mirror.url, VCP_MODELS__CACHE_DIR=str(cache)
    )
    assert any(cache.glob("models--*/snapshots/*/*")), "the snippet fetched no model"


def test_directives_are_known_and_skips_say_why() -> None:
    for block in ALL:
        if block.directive:
            known = block.directive in ("mirror", "after-demo", "app")
            assert known or re.fullmatch(r"skip \(.+\)", block.directive), (
                f"{block.name}: unknown docs-check directive {block.directive!r}"
            )
    assert len(SKIPPED) <= max(2, len(PYTHON) // 4), "skips must stay rare"


def test_the_pin_report_has_the_attributes_docs_models_md_lists() -> None:
    from vcp.models.pinning import PinReport

    text = (REPO / "docs" / "models.md").read_text(encoding="utf-8")
    listed = re.search(r"returns a `PinReport` \(([^)]*)\)", text)
    assert listed, "docs/models.md no longer says what pin_file returns"
    report = PinReport([])
    missing = [n for n in re.findall(r"`(\w+)`", listed.group(1)) if not hasattr(report, n)]
    assert missing == []
