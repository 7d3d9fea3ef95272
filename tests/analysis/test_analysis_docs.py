"""What docs/analysis.md shows runs as shown: the first command and the embedding example."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import pytest
from vcp_testing.analysis import SAMPLE, config_data, write_config

from vcp.mirror import MirrorServer

pytestmark = pytest.mark.slow

DOC = (Path(__file__).resolve().parents[2] / "docs" / "analysis.md").read_text()


async def _run(*argv: str, cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *argv, cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def test_the_documented_command_and_embedding_example_run(
    default_mirror: MirrorServer, tmp_path: Path
) -> None:
    os.link(SAMPLE, tmp_path / "movie.mp4")
    cache = tmp_path / "cache"
    env = {**os.environ, "HF_ENDPOINT": default_mirror.url, "VCP_MODELS__CACHE_DIR": str(cache)}

    first = re.search(r"```sh\n(python -m vcp analyze movie.mp4 --download-models)\n```", DOC)
    assert first, "the opening command of docs/analysis.md changed"
    code, out, err = await _run(sys.executable, *first.group(1).split()[1:], cwd=tmp_path, env=env)
    assert code == 0, err
    assert (tmp_path / "movie.vcp.json").is_file()
    assert "movie.mp4: " in out and "report: movie.vcp.json" in out

    (example,) = re.findall(r"```python\n(.*?)```", DOC, re.S)
    write_config(tmp_path / "my.yaml", config_data(default_mirror.url, cache))
    code, out, err = await _run(sys.executable, "-c", example, cwd=tmp_path, env=env)
    assert code == 0, err
    assert re.search(r"^\s+\d+\.\d\d s  profanity\s+f\*+k$", out, re.M), out
    assert re.search(r"^00:00:0\d\.\d{3} 00:00:\d\d\.\d{3} profanity ", out, re.M), out

    # ... and the README's next step: from that report to what people watch, one command each.
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = re.search(r"## From a report to what you watch\n\n```sh\n(.*?)```", readme, re.S)
    assert block, "the README's 'From a report to what you watch' block changed"
    for line in block.group(1).splitlines():
        argv = line.split("#")[0].split()
        assert argv[:3] == ["python", "-m", "vcp"], line
        code, out, err = await _run(sys.executable, *argv[1:], cwd=tmp_path, env=env)
        assert code == 0, (line, err)
    assert (tmp_path / "movie.edl").read_text().strip()  # the four words: mute lines
    assert (tmp_path / "movie.clean.mp4").stat().st_size > 0
    assert list(tmp_path.glob("movie*.html"))
