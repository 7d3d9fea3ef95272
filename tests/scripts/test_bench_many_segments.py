"""``scripts/bench_many_segments.py`` runs on small reports and prints its table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "scripts" / "bench_many_segments.py"


def test_a_small_run_prints_a_row_per_step_and_a_column_per_count() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--counts", "20", "200", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("|")]
    assert lines[0] == "| step | 20 segments | 200 segments |"
    steps = [line.split("|")[1].strip() for line in lines[2:]]
    assert steps == [
        "load report",
        "edl",
        "mcf",
        "vtt",
        "chapters plan",
        "censor plan",
        "censor plan, mixed actions",
        "review page",
    ]
