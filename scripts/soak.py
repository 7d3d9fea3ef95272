"""Soak the model manager: many downloads of small synthetic repos from a mirror that misbehaves.

    python scripts/soak.py                     # 240 runs, seed 1: the table of docs/reliability.md
    python scripts/soak.py --runs 20 --seed 7  # a quick look

One loopback mirror (port 0) serves a handful of synthetic repos (seeded random bytes, sizes from
a few hundred bytes to ~400 kB, so some files are fetched as ranged pieces). Each run picks a repo
and a fault at random (seeded) from the mirror's ``Faults`` knobs: a dropped connection at a random
offset, 5xx, 429 with Retry-After, a flipped byte, truncation, a stall, gzip, an over-long body,
ignored ranges. It downloads that repo with ``ModelManager`` under a hard time budget and records
the outcome: verified (and the bytes compared with the originals), a clear error (a
``VcpError``), or over budget. A verified repo is removed again (``vcp models rm``'s code) so
the next run of it downloads; a failed run's partial files stay, so later runs resume them.

Afterwards every repo is downloaded once more with no fault, then every file in the cache is
checked: ``verify --full`` (vcp's own check) and an independent hash of every blob against its name.
The script exits 1 if a run accepted wrong bytes, ended with something other than a ``VcpError``,
exceeded its budget, served more than ``--max-factor`` times its files' size, or if any file in
the cache fails verification at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import logging
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vcp.config import ModelsSettings
from vcp.errors import VcpError
from vcp.mirror import Faults, MirrorServer, add_repo
from vcp.models.cache.inspection import verify
from vcp.models.cache.manage import carry_out, plan_rm
from vcp.models.cache.store import ModelCache
from vcp.models.cache.usage import scan
from vcp.models.local import FileState
from vcp.models.manager import ModelManager

REPOS = 6
DEFAULT_RUNS = 240
DEFAULT_BUDGET_S = 20.0
# Bytes served per run over the bytes of its files, at most: the worst a run can be made to need
# is 3 drops with ranges ignored, 4 whole transfers.
DEFAULT_MAX_FACTOR = 6.0
FAST_RETRIES = (0.05, 0.1, 0.2)
READ_TIMEOUT_S = 1.0


@dataclass(frozen=True)
class Repo:
    """A synthetic repo on the mirror: its source name and its files' bytes."""

    name: str
    repo_id: str
    files: dict[str, bytes]

    @property
    def size(self) -> int:
        return sum(len(b) for b in self.files.values())


@dataclass(frozen=True)
class Result:
    """One run: which fault, how it ended, how long, how many bytes the mirror served."""

    run: int
    repo: str
    fault: str
    outcome: str  # verified | error | over budget | wrong bytes | unexpected
    detail: str
    seconds: float
    served: int
    size: int

    @property
    def factor(self) -> float:
        return self.served / self.size if self.size else 0.0


# -- faults ----------------------------------------------------------------------------------------

FaultMaker = Callable[[random.Random, int], dict[str, object]]


def _drop(rng: random.Random, size: int) -> dict[str, object]:
    return {"drop_after_bytes": rng.randrange(0, max(size, 1)), "drop_times": rng.randint(1, 3)}


FAULTS: dict[str, FaultMaker] = {
    "none": lambda rng, size: {},
    "drop": _drop,
    "5xx": lambda rng, size: {
        "fail_first": rng.randint(1, 3),
        "fail_status": rng.choice([500, 502, 503, 504]),
    },
    "429": lambda rng, size: {
        "fail_first": rng.randint(1, 2),
        "fail_status": 429,
        "retry_after": rng.choice([0.1, 0.3, 0.5]),
    },
    "flip": lambda rng, size: {"flip_byte_at": rng.randrange(0, max(size, 1))},
    "truncate": lambda rng, size: {"drop_after_bytes": rng.randrange(0, max(size, 1))},
    "stall": lambda rng, size: {"latency": rng.choice([0.2, 0.5, 1.5])},
    "gzip": lambda rng, size: {"gzip": True},
    "overlong": lambda rng, size: {"extra_bytes": rng.randint(1, 4096)},
    "ignore-range": lambda rng, size: {"ignore_range": True, **_drop(rng, size)},
}


def set_faults(faults: Faults, changes: dict[str, object]) -> None:
    """Turn every knob off, then on as ``changes`` says (the server reads this object)."""
    for field in dataclasses.fields(Faults):
        setattr(faults, field.name, field.default)
    for name, value in changes.items():
        setattr(faults, name, value)


# -- the repos and the settings --------------------------------------------------------------------


def make_repos(root: Path, rng: random.Random, count: int = REPOS) -> list[Repo]:
    repos = []
    for i in range(count):
        files = {
            "config.json": b'{"soak": %d}\n' % i,
            "weights.bin": rng.randbytes(rng.randint(20_000, 400_000)),
            "extra.bin": rng.randbytes(rng.randint(300, 150_000)),
        }
        repo_id = f"soak/repo-{i}"
        add_repo(root, repo_id, files)
        repos.append(Repo(f"soak-{i}", repo_id, files))
    return repos


def settings_for(repos: Sequence[Repo], *, endpoint: str, cache: Path) -> ModelsSettings:
    sources = [{"name": r.name, "hf": {"repo": r.repo_id, "files": sorted(r.files)}} for r in repos]
    return ModelsSettings.model_validate(
        {
            "cache_dir": cache,
            "hub": {"endpoint": endpoint},
            "download": {
                "retry_backoff_seconds": FAST_RETRIES,
                "read_timeout_seconds": READ_TIMEOUT_S,
                "connect_timeout_seconds": READ_TIMEOUT_S,
                # ranged pieces from 128 KiB up: the larger files take the segmented path
                "segment_threshold_bytes": 128 * 1024,
                "segment_min_bytes": 64 * 1024,
                "max_connections_per_file": 4,
                "lock_timeout_seconds": 5,
            },
            "sources": sources,
        }
    )


# -- one run ---------------------------------------------------------------------------------------


async def download(settings: ModelsSettings, name: str, budget: float) -> Path:
    async with asyncio.timeout(budget), ModelManager(settings) as models:
        return (await models.ready(name)).path


def same_bytes(path: Path, repo: Repo) -> bool:
    return all((path / f).read_bytes() == data for f, data in repo.files.items())


async def one_run(
    i: int, repo: Repo, fault: str, *, mirror: MirrorServer, settings: ModelsSettings, budget: float
) -> Result:
    mirror.stats.reset()
    mirror.faults.reset_counters()
    started = time.monotonic()
    try:
        path = await download(settings, repo.name, budget)
    except TimeoutError:
        outcome, detail = "over budget", f"still running after {budget:g} s"
    except VcpError as exc:
        outcome, detail = "error", f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # a bug: reported, never hidden
        outcome, detail = "unexpected", f"{type(exc).__name__}: {exc}"
    else:
        ok = await asyncio.to_thread(same_bytes, path, repo)
        outcome, detail = ("verified", "") if ok else ("wrong bytes", str(path))
    seconds = time.monotonic() - started
    return Result(
        i, repo.name, fault, outcome, detail, seconds, mirror.stats.bytes_served, repo.size
    )


def forget(settings: ModelsSettings, repo: Repo) -> None:
    """Remove a verified repo from the cache so the next run of it downloads again."""
    cache = ModelCache(settings.resolved_cache_dir)
    carry_out(plan_rm(scan(cache.root), settings, cache, [repo.name]), cache, dry_run=False)


# -- the whole soak --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Soak:
    results: list[Result]
    corrupt_after: int  # files verify --full finds corrupt after the final clean download
    bad_blobs: int  # blobs whose content does not hash to their name
    final_errors: list[str]


async def soak(
    workdir: Path, *, runs: int, seed: int, budget: float, log: Callable[[str], None] = print
) -> Soak:
    rng = random.Random(seed)
    repos = make_repos(workdir / "mirror", rng)
    async with MirrorServer(workdir / "mirror") as mirror:
        settings = settings_for(repos, endpoint=mirror.url, cache=workdir / "cache")
        results = []
        for i in range(runs):
            repo = rng.choice(repos)
            fault = rng.choice(list(FAULTS))
            changes = FAULTS[fault](rng, len(repo.files["weights.bin"]))
            if rng.random() < 0.3:
                changes["only"] = rng.choice(["*.bin", "*weights.bin", "*extra.bin"])
            set_faults(mirror.faults, changes)
            result = await one_run(i, repo, fault, mirror=mirror, settings=settings, budget=budget)
            results.append(result)
            log(f"{i:4} {result.fault:12} {result.outcome:11} {result.seconds:6.2f} s "
                f"x{result.factor:5.2f} {result.detail}")  # fmt: skip
            if result.outcome == "verified":
                await asyncio.to_thread(forget, settings, repo)
        set_faults(mirror.faults, {})
        final_errors = []
        for repo in repos:  # resumes what faulty runs left behind
            try:
                await download(settings, repo.name, budget)
            except (VcpError, TimeoutError) as exc:
                final_errors.append(f"{repo.name}: {type(exc).__name__}: {exc}")
    found = await asyncio.to_thread(verify, settings, [r.name for r in repos], full=True)
    corrupt = sum(f.state is FileState.CORRUPT for st in found.statuses for f in st.files)
    bad = await asyncio.to_thread(bad_blobs, workdir / "cache")
    return Soak(results, corrupt, bad, final_errors)


def bad_blobs(cache: Path) -> int:
    """Blobs whose bytes do not hash to their name (sha256, or the git blob sha1)."""
    bad = 0
    for blob in cache.glob("models--*/blobs/*"):
        if blob.name.endswith((".incomplete", ".json")) or not blob.is_file():
            continue
        data = blob.read_bytes()
        if len(blob.name) == 64:
            digest = hashlib.sha256(data).hexdigest()
        else:
            digest = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        bad += digest != blob.name
    return bad


# -- the report ------------------------------------------------------------------------------------


def problems(report: Soak, *, budget: float, max_factor: float) -> list[str]:
    """What makes the soak fail (empty: it passed)."""
    found = []
    for r in report.results:
        if r.outcome in ("wrong bytes", "unexpected", "over budget"):
            found.append(f"run {r.run} ({r.fault}): {r.outcome}: {r.detail}")
        elif r.seconds > budget:
            found.append(f"run {r.run} ({r.fault}): took {r.seconds:.1f} s > {budget:g} s")
        elif r.factor > max_factor:
            found.append(f"run {r.run} ({r.fault}): served {r.factor:.1f}x its files' size")
    if report.corrupt_after:
        found.append(f"{report.corrupt_after} file(s) fail verify --full at the end")
    if report.bad_blobs:
        found.append(f"{report.bad_blobs} blob(s) do not hash to their name at the end")
    found += [f"final clean download: {e}" for e in report.final_errors]
    return found


def table(results: Sequence[Result]) -> str:
    """The markdown table of docs/reliability.md: one row per fault, then all runs."""
    rows = [
        "| fault | runs | verified | clear error | over budget | other | max time (s) "
        "| served / size: median | max |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    groups = {f: [r for r in results if r.fault == f] for f in FAULTS}
    groups["all"] = list(results)
    for fault, rs in groups.items():
        if not rs:
            continue
        n = {k: sum(r.outcome == k for r in rs) for k in ("verified", "error", "over budget")}
        other = len(rs) - sum(n.values())
        factors = [r.factor for r in rs]
        name = f"**{fault}**" if fault == "all" else fault
        rows.append(
            f"| {name} | {len(rs)} | {n['verified']} | {n['error']} | {n['over budget']} "
            f"| {other} | {max(r.seconds for r in rs):.2f} | {statistics.median(factors):.2f} "
            f"| {max(factors):.2f} |"
        )
    return "\n".join(rows)


def error_kinds(results: Sequence[Result]) -> str:
    """How the runs that failed said so: each distinct message (numbers and hashes elided)."""
    counts: dict[tuple[str, str], int] = {}
    for r in results:
        if r.outcome != "verified":
            message = re.sub(r"'soak-\d+'", "'soak-N'", r.detail)
            message = re.sub(r"[0-9a-f]{12,}|\d+(\.\d+)?", "N", message)
            key = (r.fault, message.split("\n")[0][:160])
            counts[key] = counts.get(key, 0) + 1
    return "\n".join(f"- {fault} ({n}): {msg}" for (fault, msg), n in sorted(counts.items()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=DEFAULT_BUDGET_S, help="seconds per run")
    parser.add_argument("--max-factor", type=float, default=DEFAULT_MAX_FACTOR)
    parser.add_argument("--quiet", action="store_true", help="no line per run")
    args = parser.parse_args(argv)
    # vcp's warnings (a server ignoring Range, an over-long body) are part of the story; the
    # mirror's own tracebacks about connections it dropped on purpose are not.
    logging.basicConfig(
        level=logging.ERROR if args.quiet else logging.WARNING, format="%(message)s"
    )
    logging.getLogger("aiohttp").setLevel(logging.CRITICAL)
    with tempfile.TemporaryDirectory(prefix="vcp-soak-") as tmp:
        log = (lambda _line: None) if args.quiet else print
        report = asyncio.run(
            soak(Path(tmp), runs=args.runs, seed=args.seed, budget=args.budget, log=log)
        )
    print(table(report.results))
    print("\nHow the failed runs ended:\n")
    print(error_kinds(report.results))
    print(
        f"\nafter the soak: {report.corrupt_after} file(s) fail verify --full, "
        f"{report.bad_blobs} blob(s) do not match their hash"
    )
    found = problems(report, budget=args.budget, max_factor=args.max_factor)
    for line in found:
        print(f"FAIL {line}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
