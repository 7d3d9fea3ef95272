"""Two vcp processes writing the same file at once: one whole file wins, nothing half-written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import av
import pytest
from vcp_testing.analysed import analysed_film

pytestmark = pytest.mark.timeout(120)


def together(*argvs: list[str | Path], cwd: Path) -> list[subprocess.CompletedProcess[str]]:
    """Start every command at once, then wait for all of them."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "vcp", *map(str, argv)],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for argv in argvs
    ]
    done = []
    for proc in procs:
        out, err = proc.communicate(timeout=100)
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return done


def hidden(folder: Path) -> list[str]:
    """Temporary files left behind (vcp writes them as hidden files beside the target)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_two_analyses_writing_one_report_leave_one_whole_report(tmp_path: Path) -> None:
    film, report = analysed_film(tmp_path)
    report.unlink()
    config = tmp_path / "subtitles.yaml"  # no model: the sample's own subtitles are read
    config.write_text(
        f"merge_defaults: false\nmodels:\n  cache_dir: {tmp_path / 'cache'}\n"
        "detectors:\n  - name: subtitles\n    type: subtitles\n"
    )
    argv: list[str | Path] = ["analyze", film, "-c", config, "--progress", "none", "--force"]
    runs = together(argv, argv, cwd=tmp_path)
    assert [r.returncode for r in runs] == [0, 0], [r.stderr for r in runs]
    data = json.loads(report.read_text())  # whole JSON, not two reports interleaved
    assert data["summary"]["segments"] == 3  # cues: fuck+shit (joined), god damn, motherfucker
    assert hidden(tmp_path) == []


def test_two_censors_writing_one_copy_leave_one_whole_film(tmp_path: Path) -> None:
    film, _ = analysed_film(tmp_path)
    out = tmp_path / "clean.mp4"
    argv: list[str | Path] = ["censor", film, "-o", out, "--progress", "none", "--force"]
    runs = together(argv, argv, cwd=tmp_path)
    assert {r.returncode for r in runs} <= {0, 2}, [r.stderr for r in runs]
    assert 0 in {r.returncode for r in runs}
    with av.open(str(out)) as copy:
        assert copy.duration is not None and abs(copy.duration / 1e6 - 14.0) < 0.2
        assert sum(1 for p in copy.demux(video=0) if p.size) == 140  # every frame is there
    assert hidden(tmp_path) == []
    assert film.stat().st_size > 0  # the film itself is untouched
