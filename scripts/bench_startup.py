"""Start-up cost of a vcp command: wall time, peak RSS and which heavy modules were imported.

Each run is a new interpreter (``python -m vcp ...``) started by a one-child wrapper, so
``getrusage(RUSAGE_CHILDREN).ru_maxrss`` is that one process's peak. Prints a markdown table.

    python scripts/bench_startup.py                       # vcp --version, 20 runs
    python scripts/bench_startup.py --runs 30 -- config show
    git archive OLD_COMMIT | tar -x -C /tmp/old           # compare with an older tree:
    python scripts/bench_startup.py --against /tmp/old    # runs alternate, so load hits both

``--against DIR`` puts DIR first on PYTHONPATH for every other run (its ``vcp`` package wins over
the editable install); alternating the two trees keeps a busy machine from favouring either.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

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


Sample = dict[str, float]
# `python -m` puts the working directory first on sys.path: run where no vcp/ folder is.
NEUTRAL_CWD = tempfile.gettempdir()


def one_run(command: list[str], pythonpath: str | None) -> Sample:
    """Wall seconds and peak RSS (MB) of one ``python -m vcp *command`` process."""
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    out = subprocess.run(
        [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "vcp", *command],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=NEUTRAL_CWD,
    )
    sample: Sample = json.loads(out.stdout)
    return sample


def summary(samples: list[Sample]) -> tuple[float, float, float]:
    """Median wall seconds, median peak RSS (MB), fastest wall seconds."""
    walls = [s["wall"] for s in samples]
    return statistics.median(walls), statistics.median(s["rss_mb"] for s in samples), min(walls)


def heavy_modules(command: list[str], pythonpath: str | None) -> str:
    """Which of HEAVY the command leaves in ``sys.modules``."""
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    code = _MODULES.format(heavy=HEAVY)
    out = subprocess.run(
        [sys.executable, "-c", code, *command],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=NEUTRAL_CWD,
    )
    lines = out.stderr.strip().splitlines()
    return (lines[-1] if lines else "") or "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--against", metavar="DIR", help="also measure the vcp package in DIR")
    parser.add_argument("command", nargs="*", default=["--version"])
    args = parser.parse_args()
    command = args.command or ["--version"]
    trees = {"this tree": None, **({args.against: args.against} if args.against else {})}
    samples: dict[str, list[Sample]] = {label: [] for label in trees}
    for _ in range(args.runs):
        for label, path in trees.items():
            samples[label].append(one_run(command, path))
    print("| tree | command | runs | median wall | fastest | median peak RSS | heavy modules |")
    print("|---|---|---|---|---|---|---|")
    for label, path in trees.items():
        wall, rss, best = summary(samples[label])
        print(
            f"| {label} | `vcp {' '.join(command)}` | {args.runs} | {wall * 1000:.0f} ms "
            f"| {best * 1000:.0f} ms | {rss:.1f} MB | {heavy_modules(command, path)} |"
        )


if __name__ == "__main__":
    main()
