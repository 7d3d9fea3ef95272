"""scripts/bench_analyze.py runs end to end on a tiny film (a smoke test: no timing is asserted).

The throughput half only, on a 4-second film with no per-stage runs (5 s at a load average of 2
on the 2-core VM, 15-28 s at 10); the time-to-first-detection half waits for a throttled 75 MB
download twice and takes 40 s or more, so it is left to `make bench-analyze`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_analyze.py"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("espeak-ng") is None, reason="the film's speech needs espeak-ng"
    ),
]


def test_the_analysis_benchmark_times_vcp_analyze_on_a_generated_film(tmp_path: Path) -> None:
    args = ["--skip-first", "--film-seconds", "4", "--no-stages", "--work", str(tmp_path)]
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=90
    )
    assert done.returncode == 0, done.stdout + done.stderr
    row = next(line for line in done.stdout.splitlines() if line.startswith("| vcp analyze |"))
    assert row.split("|")[2].strip() == "4"  # seconds of film analysed
    assert "peak RSS" in done.stdout and "PASS" in done.stdout
    assert list(tmp_path.glob("film-4s-*.mp4"))  # the film is kept for the next run
