"""A bounded soak (scripts/soak.py): 20 downloads under random faults from a loopback mirror.

``make soak`` runs the full soak (240 runs); this subset runs in ``make test``. Each run must end
verified (with the original bytes) or with a clear ``VcpError`` within its budget, the mirror may
serve at most ``MAX_FACTOR`` times the files' size per run, and afterwards no file in the cache
fails ``verify --full`` nor an independent hash of its blob.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "soak.py"
RUNS = 20
BUDGET_S = 10.0


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("soak", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
async def test_twenty_faulty_downloads_end_verified_or_with_a_clear_error(tmp_path: Path) -> None:
    soak = load_script()

    report = await soak.soak(tmp_path, runs=RUNS, seed=20261201, budget=BUDGET_S, log=lambda _: 0)

    assert len(report.results) == RUNS
    assert soak.problems(report, budget=BUDGET_S, max_factor=soak.DEFAULT_MAX_FACTOR) == []
    outcomes = {r.outcome for r in report.results}
    assert outcomes <= {"verified", "error"}
    assert "verified" in outcomes
    assert len({r.fault for r in report.results}) >= 5, "the seed should mix the faults"
    assert report.corrupt_after == 0 and report.bad_blobs == 0
