"""``vcp models pin`` as a user runs it, against the real mirror on loopback.

The mirror's root belongs to one test, so a test can move a branch, rewrite a commit in place or
delete one. ``vcp.cli.main.main`` runs in a worker thread (it calls ``asyncio.run``) while the
mirror serves from the test's event loop. Each test checks what the user sees: the exit code, the
lines printed, and the config file itself (every comment kept, nothing rewritten needlessly).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from vcp_testing.cli import Run
from vcp_testing.hashes import git_sha1, sha256

from vcp.mirror import MirrorServer, add_plain_file, add_repo

pytestmark = pytest.mark.usefixtures("restore_logging")

REPO = "acme/pin-me"
FILES = {
    "config.json": b'{"hidden": 4}\n',  # a regular git file: git-sha1
    "weights.bin": bytes(range(256)) * 40,  # LFS: sha256
    "notes.txt": b"not selected\n",
}
NEW_WEIGHTS = bytes(reversed(range(256))) * 40
PIN_NOTE = re.compile(r"# main, pinned \d{4}-\d{2}-\d{2}; moves$")

CONFIG = """\
# Models for the pin tests
models:
  hub:
    metadata_ttl_hours: 24   # the default
  sources:
    # The tiny model, following main
    - name: tiny
      description: a tiny test model   # not a real one
      hf:
        repo: acme/pin-me
        revision: main   # moves
        # the config and every weight file
        files: [config.json, "*.bin"]
      optional: true

    # a second copy, for fallbacks
    - name: spare
      hf:
        repo: acme/pin-me
        files: [config.json]   # just the config
"""


def lines_of(stdout: str) -> dict[str, str]:
    """Output lines by source name: ``{"tiny": "pinned  tiny  ..."}``."""
    return {line[15:].split()[0]: line for line in stdout.splitlines() if len(line) > 15}


def in_order(old: str, new: str) -> bool:
    """True when every line of ``old`` appears in ``new``, in the same order."""
    remaining = iter(new.splitlines())
    return all(line in remaining for line in old.splitlines())


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """This test's own mirror root: ``acme/pin-me`` on branch main."""
    root = tmp_path / "mirror"
    add_repo(root, REPO, FILES, lfs={"weights.bin"})
    return root


@pytest.fixture
async def mirror(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[MirrorServer]:
    """This test's own root, as HF_ENDPOINT, with a fresh cache as VCP_MODELS__CACHE_DIR."""
    async with MirrorServer(root) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("VCP_MODELS__CACHE_DIR", str(tmp_path / "cache"))
        yield server


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "vcp.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def identity(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_ino


def main_commit(root: Path) -> str:
    return (root / "models--acme--pin-me" / "refs" / "main").read_text().strip()


async def test_pin_turns_a_branch_into_its_commit_and_keeps_every_comment(
    mirror: MirrorServer, root: Path, config: Path, vcp: Run
) -> None:
    commit = main_commit(root)
    before = await vcp("models", "pin", "--check", "-c", config)
    assert before.returncode == 1
    assert "revision 'main' is not a commit" in lines_of(before.stdout)["tiny"]
    assert "unpinned or stale" in before.stderr
    assert read(config) == CONFIG  # --check changes nothing

    pinned = await vcp("models", "pin", "-c", config)
    assert pinned.returncode == 0, pinned.stderr
    out = lines_of(pinned.stdout)
    assert out["tiny"].startswith("pinned ")
    assert f"{REPO} main -> {commit[:12]}, 2 checksum(s) added" in out["tiny"]
    assert f"{REPO} main -> {commit[:12]}, 1 checksum(s) added" in out["spare"]
    text = read(config)
    revision_lines = [ln for ln in text.splitlines() if "revision:" in ln]
    assert revision_lines[0].startswith(f"        revision: {commit}  ")
    assert PIN_NOTE.search(revision_lines[0])  # the user sees what it was
    assert f"        config.json: git-sha1:{git_sha1(FILES['config.json'])}" in text
    assert f"        weights.bin: sha256:{sha256(FILES['weights.bin'])}" in text
    assert "notes.txt" not in text
    assert '        files: [config.json, "*.bin"]' in text  # the pattern stays as written
    untouched = CONFIG.replace("        revision: main   # moves\n", "")
    assert in_order(untouched, text)  # every other line, comments and blank lines included

    stat = identity(config)
    again = await vcp("models", "pin", "-c", config)
    assert again.returncode == 0
    assert lines_of(again.stdout)["tiny"].startswith("already pinned tiny")
    assert read(config) == text
    assert identity(config) == stat  # not even rewritten with the same bytes

    after = await vcp("models", "pin", "--check", "-c", config)
    assert after.returncode == 0, after.stdout
    assert lines_of(after.stdout)["tiny"].startswith(f"pinned         tiny  {REPO}@{commit[:12]}")


async def test_a_pin_the_hub_no_longer_matches_is_stale_until_forced(
    mirror: MirrorServer, root: Path, config: Path, vcp: Run
) -> None:
    assert (await vcp("models", "pin", "-c", config)).returncode == 0
    commit = main_commit(root)
    pinned_text = read(config)
    # The branch is re-seeded in place: different bytes at the commit the config trusts.
    add_repo(root, REPO, {**FILES, "weights.bin": NEW_WEIGHTS}, commit=commit, lfs={"weights.bin"})

    check = await vcp("models", "pin", "--check", "-c", config)
    assert check.returncode == 1
    stale = lines_of(check.stdout)["tiny"]
    assert stale.startswith("stale          tiny")
    assert "'weights.bin'" in stale
    assert sha256(FILES["weights.bin"]) in stale and sha256(NEW_WEIGHTS) in stale
    assert lines_of(check.stdout)["spare"].startswith("pinned ")  # config.json did not change

    refused = await vcp("models", "pin", "-c", config)
    assert refused.returncode == 3
    assert "pinned checksum mismatch" in refused.stderr
    assert sha256(NEW_WEIGHTS) in refused.stderr and "--force" in refused.stderr
    assert read(config) == pinned_text  # nothing written

    forced = await vcp("models", "pin", "--force", "-c", config)
    assert forced.returncode == 0, forced.stderr
    assert "replaced: 'weights.bin'" in lines_of(forced.stdout)["tiny"]
    assert f"weights.bin: sha256:{sha256(NEW_WEIGHTS)}" in read(config)
    assert (await vcp("models", "pin", "--check", "-c", config)).returncode == 0


async def test_checksums_pinned_on_a_branch_go_stale_when_the_branch_moves(
    mirror: MirrorServer, root: Path, config: Path, vcp: Run
) -> None:
    pins = (
        "      checksums:\n"
        f"        config.json: git-sha1:{git_sha1(FILES['config.json'])}\n"
        f"        weights.bin: sha256:{sha256(FILES['weights.bin'])}\n"
    )
    write(config, CONFIG.replace("      optional: true\n", pins + "      optional: true\n"))
    add_repo(root, REPO, {**FILES, "weights.bin": NEW_WEIGHTS}, lfs={"weights.bin"})  # main moves

    check = await vcp("models", "pin", "--check", "-c", config)
    assert check.returncode == 1
    assert "'weights.bin' pinned sha256:" in lines_of(check.stdout)["tiny"]
    assert (await vcp("models", "pin", "-c", config)).returncode == 3


async def test_a_pinned_commit_the_hub_no_longer_has_fails_clearly(
    mirror: MirrorServer, root: Path, config: Path, vcp: Run
) -> None:
    assert (await vcp("models", "pin", "-c", config)).returncode == 0
    gone = main_commit(root)
    # History rewritten: main points elsewhere and the pinned commit is gone.
    add_repo(root, REPO, {**FILES, "weights.bin": NEW_WEIGHTS}, lfs={"weights.bin"})
    shutil.rmtree(root / "models--acme--pin-me" / "snapshots" / gone)
    pinned_text = read(config)

    for argv in (("models", "pin"), ("models", "pin", "--check")):
        result = await vcp(*argv, "-c", config)
        assert result.returncode == 3
        first = result.stderr.splitlines()[0]
        assert first.startswith("error: model ")  # names the source ...
        assert f"pinned commit {gone} is no longer in {REPO}" in first  # ... repo and commit
        assert "hint:" in result.stderr and "branches: main" in result.stderr
        assert read(config) == pinned_text


async def test_upgrade_points_detectors_and_fallbacks_at_the_replacement(
    mirror: MirrorServer, config: Path, vcp: Run
) -> None:
    text = CONFIG + (
        "      fallbacks: [tiny]   # if spare fails\n"
        "      deprecated: {replacement: tiny, reason: renamed}\n"
        "\n"
        "    - name: user\n"
        "      hf: {repo: acme/pin-me, files: [notes.txt]}\n"
        "      fallbacks: [spare]   # the old name\n"
        "\n"
        "detectors:\n"
        "  - name: nudity\n"
        "    type: nudenet\n"
        "    model: spare   # which model\n"
    )
    write(config, text)
    result = await vcp("models", "pin", "--upgrade", "-c", config)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "upgraded       spare  -> tiny: detectors[0].model (nudity), "
        "models.sources[2].fallbacks[0] (user)"
    )
    new = read(config)
    assert "    model: tiny    # which model\n" in new
    assert "      fallbacks: [tiny]    # the old name\n" in new
    assert "      deprecated: {replacement: tiny, reason: renamed}\n" in new  # spare stays
    assert "# Models for the pin tests" in new and "# if spare fails" in new
    assert (await vcp("config", "validate", "-c", config)).returncode == 0


async def test_offline_pins_from_cached_metadata_or_fails_clearly(
    mirror: MirrorServer, root: Path, config: Path, vcp: Run
) -> None:
    cold = await vcp("models", "pin", "--offline", "-c", config)
    assert cold.returncode == 3
    assert "offline mode is on" in cold.stderr and "with network access" in cold.stderr
    assert read(config) == CONFIG
    assert mirror.stats.count() == 0

    assert (await vcp("models", "pin", "--check", "-c", config)).returncode == 1  # warms up
    mirror.stats.reset()
    warm = await vcp("models", "pin", "--offline", "-c", config)
    assert warm.returncode == 0, warm.stderr
    assert f"revision: {main_commit(root)}" in read(config)
    assert mirror.stats.count() == 0  # not a single request


async def test_a_url_source_is_pinned_from_its_verified_download(
    mirror: MirrorServer, root: Path, config: Path, vcp: Run
) -> None:
    body = bytes(range(200)) * 50
    add_plain_file(root, "releases/tool.onnx", body)
    write(
        config,
        CONFIG
        + "\n    - name: tool\n"
        + f"      url: {mirror.url}/files/releases/tool.onnx   # upstream release\n"
        + "      allow_unverified: true\n",
    )
    before = await vcp("models", "pin", "--check", "-c", config)
    assert "url source without checksum" in lines_of(before.stdout)["tool"]

    download = await vcp("models", "download", "--progress", "none", "tool", "-c", config)
    assert download.returncode == 0, download.stderr
    pinned = await vcp("models", "pin", "-c", config)
    assert pinned.returncode == 0, pinned.stderr
    tool = lines_of(pinned.stdout)["tool"]
    assert tool.startswith(f"pinned         tool  url, sha256:{sha256(body)}")
    assert f"      checksum: sha256:{sha256(body)}  # the verified download's" in read(config)
    assert (await vcp("models", "pin", "--check", "-c", config)).returncode == 0


async def test_pin_will_not_rewrite_the_built_in_default(vcp: Run) -> None:
    result = await vcp("models", "pin")
    assert result.returncode == 2
    assert "-c FILE" in result.stderr


async def test_check_cannot_be_combined_with_force(config: Path, vcp: Run) -> None:
    result = await vcp("models", "pin", "--check", "--force", "-c", config)
    assert result.returncode == 2
    assert "--check changes nothing" in result.stderr


async def test_pin_of_a_source_without_files_pins_every_file_and_adds_no_files_key(
    mirror: MirrorServer, root: Path, tmp_path: Path, vcp: Run
) -> None:
    config = tmp_path / "whole.yaml"
    write(config, "models:\n  sources:\n    - name: whole\n      hf:\n        repo: acme/pin-me\n")

    pinned = await vcp("models", "pin", "-c", config)

    assert pinned.returncode == 0, pinned.stderr
    assert "3 checksum(s) added" in lines_of(pinned.stdout)["whole"]
    text = read(config)
    assert f"notes.txt: git-sha1:{git_sha1(FILES['notes.txt'])}" in text
    assert f"weights.bin: sha256:{sha256(FILES['weights.bin'])}" in text
    assert "files:" not in text  # hf.files stays as written: left out, every file
