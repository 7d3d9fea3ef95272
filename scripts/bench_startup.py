"""Start-up cost of a vcp command: wall time, peak RSS and which heavy modules were imported.

Each run is a new interpreter (``python -m vcp ...``) started by a one-child wrapper, so
``getrusage(RUSAGE_CHILDREN).ru_maxrss`` is that one process's peak. Prints a markdown table.

    python scripts/bench_startup.py                       # vcp --version, 20 runs
    python scripts/bench_startup.py --runs 30 -- config show
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

HEAVY = ("aiohttp", "av", "onnxruntime", "faster_whisper", "numpy", "pydantic", "ruamel.yaml")

# Runs in its own process so RUSAGE_CHILDREN covers exactly one child.
_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
wall = time.perf_counter() - start
rss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall": wall, "rss_mb": rss_kib * 1024 / 1e6}))
"""

_MODULES = """
import runpy, sys
sys.argv = ["vcp", *sys.argv[1:]]
try:
    runpy.run_module("vcp", run_name="__main__")
except SystemExit:
    pass
sys.__stderr__.write(" ".join(m for m in {heavy!r} if m in sys.modules))
"""


def measure(command: list[str], runs: int) -> tuple[float, float, float]:
    """Median wall seconds, median peak RSS (MB) and the fastest run over ``runs`` processes."""
    walls, rss = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "vcp", *command],
            capture_output=True,
            text=True,
            check=True,
        )
        sample = json.loads(out.stdout)
        walls.append(sample["wall"])
        rss.append(sample["rss_mb"])
    return statistics.median(walls), statistics.median(rss), min(walls)


def heavy_modules(command: list[str]) -> str:
    """Which of HEAVY the command leaves in ``sys.modules``."""
    code = _MODULES.format(heavy=HEAVY)
    out = subprocess.run(
        [sys.executable, "-c", code, *command], capture_output=True, text=True, check=False
    )
    return out.stderr.strip().splitlines()[-1] if out.stderr.strip() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("command", nargs="*", default=["--version"])
    args = parser.parse_args()
    command = args.command or ["--version"]
    wall, rss, best = measure(command, args.runs)
    print("| command | runs | median wall | fastest | median peak RSS | heavy modules imported |")
    print("|---|---|---|---|---|---|")
    mods = heavy_modules(command) or "none"
    print(
        f"| `vcp {' '.join(command)}` | {args.runs} | {wall * 1000:.0f} ms | {best * 1000:.0f} ms "
        f"| {rss:.1f} MB | {mods} |"
    )


if __name__ == "__main__":
    main()
