"""The quick part of the hostile-media suite (scripts/soak_media.py) runs in `make test`.

One or two cases of each class (hostile films, reports, names, output collisions, a full disk):
each through the real CLI in a child process, each checked for its exit code, one clear message
without a traceback, no raw control character printed, every file that existed before with the
same bytes, and nothing partial left. `make soak-media` runs every case.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "soak_media.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("soak_media", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def soak() -> ModuleType:
    return load_script()


def test_the_quick_cases_cover_every_class_of_hostile_input(soak: ModuleType) -> None:
    names = {c.name for c in soak.all_cases()}
    assert names >= soak.QUICK, sorted(soak.QUICK - names)
    classes = {name.split("-")[0] for name in soak.QUICK}
    assert classes == {"film", "report", "name", "output", "disk"}


@pytest.mark.timeout(90)
def test_hostile_films_reports_names_and_outputs_lose_nothing(
    soak: ModuleType, tmp_path: Path
) -> None:
    cases = [c for c in soak.all_cases() if c.name in soak.QUICK]
    outcomes = soak.run(cases, tmp_path, log=lambda _: None)
    failed = {o.case.name: o.problems for o in outcomes if o.problems}
    assert failed == {}, soak.table(outcomes)
    ran = [o for o in outcomes if not o.skipped]
    assert len(ran) >= len(cases) - 1  # only the full disk needs root
    assert all(o.intact == "yes" for o in ran)


def test_a_broken_promise_is_reported(soak: ModuleType, tmp_path: Path) -> None:
    # The suite's own check: a case whose expectation is wrong fails, with the reason in the table.
    case = next(c for c in soak.all_cases() if c.name == "report-nan-export")
    wrong = soak.dataclasses.replace(case, exits=frozenset({0}), words="all is well")
    (outcome,) = soak.run([wrong], tmp_path, log=lambda _: None)
    assert outcome.code == 2
    assert outcome.problems == ["exit 2, expected [0]", "stderr does not say 'all is well'"]
    assert "**FAIL: exit 2, expected [0]" in soak.table([outcome])
