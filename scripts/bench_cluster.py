"""Benchmark Ray's cost: the same films in one process, then on Ray clusters on this machine.

    python scripts/bench_cluster.py                # 16 copies of the sample (14 s each)
    python scripts/bench_cluster.py --films 32 --runs 2

The films are copies of tests/fixtures/sample.mp4 under different names (both detectors find
things in it), analysed with the default configuration and the models already cached (from a
local mirror seeded with the default models, in ``.bench/cluster``). Each way runs in a fresh
child process:

- ``one process``: an ``Analyzer`` over ``analyze_many(jobs=1)``, as ``vcp analyze`` runs;
- ``Ray, private cluster``: ``analyze_on_cluster(cluster="local")``: Ray started by the run
  (a node with every CPU), as ``vcp analyze --cluster local`` runs;
- ``Ray, 1 node process`` and ``Ray, 2 node processes``: a cluster started beforehand with
  ``ray.cluster_utils.Cluster`` (the second with one CPU per node process), which the run joins
  by address, as ``vcp analyze --cluster HOST:PORT`` on a cluster's machine does.

Each is timed from the start of the run (Ray: connecting, placing the actors) to its last
report, and in steady state: from the first film finished to the last, per film, which is what a
library of hour-long films sees once the models are loaded. The overhead is Ray's steady state
against the single process's. Only 127.0.0.1 is contacted. Prints markdown for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "sample.mp4"
WORK = ROOT / ".bench" / "cluster"
_RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}


def prepare(films: int) -> tuple[Path, Path]:
    """The config (its cache filled from a loopback mirror) and a folder of ``films`` copies."""
    from vcp.config import load_settings
    from vcp.mirror import MirrorServer, seed_default_models
    from vcp.models.manager import ModelManager

    mirror, cache, folder = WORK / "mirror", WORK / "cache", WORK / "films"
    if not mirror.is_dir():
        seed_default_models(mirror)

    async def fill() -> str:
        async with MirrorServer(mirror) as server:
            models = load_settings().models
            hub = models.hub.model_copy(update={"endpoint": server.url})
            settings = models.model_copy(update={"cache_dir": cache, "hub": hub})
            async with ModelManager(settings) as manager:
                await manager.ensure()
        return server.url

    asyncio.run(fill())
    config = WORK / "vcp.yaml"
    config.write_text(f"models:\n  cache_dir: {cache}\n  hub:\n    offline: true\n")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for n in range(films):
        shutil.copyfile(SAMPLE, folder / f"film{n:03d}.mp4")
    return config, folder


# -- the child: one way of running, timed --------------------------------------------------------


async def one_process(config: Path, films: list[Path]) -> list[float]:
    from vcp import Analyzer, ModelManager, Settings

    settings = Settings.load(config)
    done = []
    async with ModelManager(settings.models) as models, Analyzer(settings, models) as analyzer:
        async for result in analyzer.analyze_many(films, jobs=1):
            assert result.ok, result.error
            done.append(time.monotonic())
    return done


async def on_ray(config: Path, films: list[Path], cluster: str) -> list[float]:
    from vcp import Settings
    from vcp.cluster import analyze_on_cluster

    done = []
    async for result in analyze_on_cluster(Settings.load(config), films, cluster=cluster):
        assert result.ok, result.error
        done.append(time.monotonic())
    return done


def child(args: argparse.Namespace) -> None:
    films = sorted(Path(args.folder).glob("*.mp4"))
    started = time.monotonic()
    if args.child == "one":
        done = asyncio.run(one_process(Path(args.config), films))
    else:
        done = asyncio.run(on_ray(Path(args.config), films, args.child))
    print(json.dumps({"start": started, "done": done}))


# -- the parent ----------------------------------------------------------------------------------


def timed(config: Path, folder: Path, way: str) -> dict[str, float]:
    """One run of ``way`` in a child process: wall seconds and steady seconds per film."""
    command = [sys.executable, __file__, "--child", way, "--config", str(config)]
    out = subprocess.run(
        [*command, "--folder", str(folder)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **_RAY_ENV},
    ).stdout
    times = json.loads(out.strip().splitlines()[-1])
    done = times["done"]
    return {
        "wall": done[-1] - times["start"],
        "steady": (done[-1] - done[0]) / (len(done) - 1),
    }


def with_cluster(nodes: int, cpus: int, run: Callable[[str], dict[str, float]]) -> dict[str, float]:
    """``run(address)`` on a cluster of ``nodes`` node processes of ``cpus`` CPUs each."""
    from ray.cluster_utils import Cluster

    temp = Path(tempfile.mkdtemp(prefix="vcp-bench-ray-", dir="/tmp"))
    common = {"num_cpus": cpus, "node_ip_address": "127.0.0.1", "temp_dir": str(temp)}
    cluster = Cluster(initialize_head=True, head_node_args={**common, "include_dashboard": False})
    try:
        for _ in range(nodes - 1):
            cluster.add_node(**common)
        return run(cluster.address)
    finally:
        cluster.shutdown()
        shutil.rmtree(temp, ignore_errors=True)


def best(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--films", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3, help="rounds of every way (the median)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    os.environ.update(_RAY_ENV)
    config, folder = prepare(args.films)
    cpus = os.cpu_count() or 1
    ways = {
        "one process (`vcp analyze`)": lambda: timed(config, folder, "one"),
        "Ray, private cluster (`--cluster local`)": lambda: timed(config, folder, "local"),
        "Ray, 1 node process": lambda: with_cluster(
            1, cpus, lambda address: timed(config, folder, address)
        ),
        "Ray, 2 node processes (1 CPU each)": lambda: with_cluster(
            2, 1, lambda address: timed(config, folder, address)
        ),
    }
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in ways}
    for _ in range(args.runs):  # rounds of every way, so that a busy moment hits all of them
        for name, way in ways.items():
            runs[name].append(way())
    results = {name: best(times) for name, times in runs.items()}
    film_seconds = 14.0 * args.films
    base = results["one process (`vcp analyze`)"]
    machine = platform.processor() or platform.machine()
    print(
        f"{args.films} films of 14 s ({film_seconds / 60:.1f} min of film), {machine}, "
        f"{cpus} CPUs, median of {args.runs} run(s)\n"
    )
    print("| run | wall (s) | films per hour | s per film, steady | steady overhead |")
    print("|---|---:|---:|---:|---:|")
    for name, r in results.items():
        overhead = r["steady"] / base["steady"] - 1
        print(
            f"| {name} | {r['wall']:.1f} | {args.films / r['wall'] * 3600:,.0f} "
            f"| {r['steady']:.3f} | {overhead:+.0%} |"
        )


if __name__ == "__main__":
    main()
