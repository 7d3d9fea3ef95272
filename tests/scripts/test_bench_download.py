"""``scripts/bench_download.py`` run again with another size, in the same scratch folder."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).parents[2] / "scripts" / "bench_download.py"


def bench_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_download", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_seeding_a_size_again_gives_the_commit_that_holds_that_payload(tmp_path: Path) -> None:
    bench = bench_module()
    root = tmp_path / "mirror"  # one root for every size, as the script used to keep
    one, two = bench.build_payload(tmp_path, 1), bench.build_payload(tmp_path, 2)

    first = bench.seed(root, {bench.FILENAME: one})
    bench.seed(root, {bench.FILENAME: two})  # moves refs/main to the 2 MiB commit
    again = bench.seed(root, {bench.FILENAME: one})

    assert again == first
    served = root / "models--bench--synthetic" / "snapshots" / again / bench.FILENAME
    assert served.stat().st_size == one.size


@pytest.mark.slow
def test_a_run_with_another_size_then_the_first_size_again_succeeds(tmp_path: Path) -> None:
    options = ["--link", "none", "--clients", "vcp", "--work", str(tmp_path)]
    for size in ("1", "2", "1"):
        result = subprocess.run(
            [sys.executable, SCRIPT, "--size-mib", size, *options],
            capture_output=True,
            text=True,
            timeout=100,
            check=False,
        )
        assert result.returncode == 0, f"--size-mib {size}:\n{result.stdout}\n{result.stderr}"
        assert "FAIL" not in result.stdout
