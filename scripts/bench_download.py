"""Benchmark one large download from the local mirror: vcp against huggingface_hub and aria2c.

    python scripts/bench_download.py              # 1 GiB: raw loopback, then an emulated link
    python scripts/bench_download.py --size-mib 256 --link none --clients vcp,hf
    python scripts/bench_download.py --repo 1.5g --link none --clients vcp,vcp-cached,aria2c

The mirror (``vcp mirror serve``) runs in its own process, so that only the client's memory is
measured; every client runs in a fresh process, with a fresh (cold) cache, through a small wrapper
process that reports that one child's wall time and peak RSS (``RUSAGE_CHILDREN`` of a process with
exactly one child). Each download is checked with sha256 afterwards. The result is a markdown table
for docs/benchmarks.md. Exit status 1 when vcp's peak RSS exceeds ``--rss-limit-mb`` (150 MB, the
target of issue 3) or when a client failed or produced wrong bytes.

Nothing is contacted but 127.0.0.1: endpoints point at the mirror, and the clients' proxy variables
point at a dead local port with ``NO_PROXY`` for loopback, so a stray request fails instead of
leaving the machine. MB means 10**6 bytes throughout.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve()
REPO_ID = "bench/synthetic"
FILENAME = "model.bin"
MB = 1_000_000
MIB = 1 << 20
DEFAULT_SIZE_MIB = 1024
DEFAULT_RATE_MB = 50.0
DEFAULT_LATENCY_MS = 20.0
DEFAULT_RSS_LIMIT_MB = 150.0
DEFAULT_TIMEOUT_S = 900.0
CLIENTS = ("vcp", "vcp-1conn", "vcp-cached", "hf", "aria2c")
# --repo 1.5g (issue 9): the main file plus SHARDS files of SHARD_MIB (1 GiB + 16 x 32 MiB)
SHARDS = 16
SHARD_MIB = 32
MIRROR_START_TIMEOUT_S = 30.0
LOOPBACK = "127.0.0.1,localhost"  # the only hosts a client may reach without the dead proxy


@dataclass(frozen=True)
class Payload:
    """The synthetic file the mirror serves."""

    path: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class Link:
    """A scenario: what the mirror emulates (per-connection rate cap, latency per request)."""

    name: str
    rate: int | None = None  # bytes/s per response
    latency: float = 0.0  # seconds before each file answer

    @property
    def slug(self) -> str:
        """The name as a file name part."""
        return re.sub(r"[^A-Za-z0-9.+-]+", "_", self.name)

    def serve_args(self) -> list[str]:
        args = ["--rate", str(self.rate)] if self.rate else []
        return [*args, "--latency", str(self.latency)] if self.latency else args


@dataclass(frozen=True)
class Target:
    """What a client downloads: the mirror's URL, the repo at a commit, the expected files."""

    endpoint: str
    commit: str
    files: dict[str, Payload]

    @property
    def size(self) -> int:
        return sum(p.size for p in self.files.values())

    def url(self, name: str) -> str:
        return f"{self.endpoint}/{REPO_ID}/resolve/{self.commit}/{name}"


@dataclass
class Result:
    """One client's run in one scenario (the median wall time over ``--repeat`` runs)."""

    scenario: str
    client: str
    wall: float | None = None
    walls: tuple[float, ...] = ()
    rss_kib: int | None = None
    correct: bool | None = None
    note: str = ""

    @property
    def rss_mb(self) -> float | None:
        return None if self.rss_kib is None else self.rss_kib * 1024 / MB

    def row(self, size: int) -> str:
        if self.wall is None:
            return f"| {self.scenario} | {self.client} | - | - | - | - | {self.note} |"
        correct = "yes" if self.correct else f"**no** ({self.note})"
        runs = f"{min(self.walls):.2f}-{max(self.walls):.2f}" if len(self.walls) > 1 else "-"
        return (
            f"| {self.scenario} | {self.client} | {self.wall:.2f} | {runs} "
            f"| {size / MB / self.wall:.0f} | {self.rss_mb:.0f} | {correct} |"
        )


# -- the file and the mirror -------------------------------------------------------------------


def build_payload(work: Path, size_mib: int, *, tag: str = "") -> Payload:
    """A file of random bytes, written 1 MiB at a time and hashed while written; kept for reuse."""
    path = work / f"payload-{size_mib}MiB{tag}.bin"
    sidecar = path.with_name(path.name + ".sha256")
    size = size_mib * MIB
    if path.is_file() and path.stat().st_size == size and sidecar.is_file():
        return Payload(path, size, sidecar.read_text().strip())
    work.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as out:
        for _ in range(size_mib):
            chunk = os.urandom(MIB)  # random: no two ranges alike, so misplaced bytes show
            digest.update(chunk)
            out.write(chunk)
    os.replace(tmp, path)
    sidecar.write_text(digest.hexdigest() + "\n")
    return Payload(path, size, digest.hexdigest())


def build_repo(work: Path, args: argparse.Namespace) -> dict[str, Payload]:
    """The repo's files: one of ``--size-mib``, plus the 16 x 32 MiB shards for ``--repo 1.5g``."""
    files = {FILENAME: build_payload(work, args.size_mib)}
    if args.repo == "1.5g":
        for i in range(SHARDS):  # distinct bytes each: equal blobs would be fetched only once
            files[f"shard-{i:02d}.bin"] = build_payload(work, SHARD_MIB, tag=f"-{i:02d}")
    return files


def seed(root: Path, files: dict[str, Payload]) -> str:
    """Put the files in a mirror root as LFS files (hard-linked, not read into memory);
    returns the commit whose snapshot holds them."""
    from vcp.mirror import add_repo  # here, so the client modes below import nothing of vcp

    # Seeded by an earlier run: add_repo would hash every file again. The commit is the one
    # whose snapshot holds *these* payloads, not whatever refs/main names now (a run with another
    # size moves it, and clients pinned to it would then get a file of the wrong size and hash).
    earlier = seeded_commit(root, files)
    if earlier is not None:
        return earlier
    return add_repo(root, REPO_ID, {n: p.path for n, p in files.items()}, lfs=set(files))


def seeded_commit(root: Path, files: dict[str, Payload]) -> str | None:
    """The commit of a snapshot in ``root`` that holds exactly ``files``, if a run seeded one."""
    snapshots = root / f"models--{REPO_ID.replace('/', '--')}" / "snapshots"
    for snapshot in sorted(snapshots.glob("*")):
        held = {p.name: p.resolve().name for p in snapshot.iterdir() if p.is_file()}
        if held == {name: payload.sha256 for name, payload in files.items()}:
            return snapshot.name
    return None


@contextlib.contextmanager
def mirror(root: Path, link: Link, *, log: Path) -> Iterator[str]:
    """``vcp mirror serve`` in its own process on a free port; yields its URL."""
    cmd = [sys.executable, "-m", "vcp", "mirror", "serve", "--root", str(root), "--port", "0"]
    with log.open("w") as log_file:
        proc = subprocess.Popen(
            [*cmd, *link.serve_args()], stdout=log_file, stderr=subprocess.STDOUT, env=_env()
        )
    try:
        yield _wait_for_url(proc, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_for_url(proc: subprocess.Popen[bytes], log: Path) -> str:
    # The mirror logs "listening on http://127.0.0.1:PORT" once bound (port 0: any free one).
    deadline = time.monotonic() + MIRROR_START_TIMEOUT_S
    while time.monotonic() < deadline:
        found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", log.read_text())
        if found:
            return found.group(1)
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"the mirror did not start; see {log}:\n{log.read_text()[-2000:]}")


def _env(**extra: str) -> dict[str, str]:
    """The parent's environment minus anything that could redirect or authenticate a client."""
    # PYTHONDONTWRITEBYTECODE too: an installed vcp has its bytecode compiled (pip does that), but
    # an editable checkout run with it set compiles every vcp module from source at each start,
    # which costs the all-cached re-run about 0.3 s that no user pays.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HF_", "HUGGINGFACE_", "VCP_"))
        and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
        and k != "PYTHONDONTWRITEBYTECODE"
    }
    dead = "http://127.0.0.1:9"  # discard port: a request that escapes the mirror fails here
    for name in ("http_proxy", "https_proxy"):
        env[name] = env[name.upper()] = dead
    env["no_proxy"] = env["NO_PROXY"] = LOOPBACK
    return env | {"HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"} | extra


# -- measuring a client --------------------------------------------------------------------------


def measure(cmd: Sequence[str], *, env: dict[str, str], log: Path, timeout: float) -> dict:
    """Run ``cmd`` under the wrapper: exit code, wall seconds and peak RSS (KiB) of that process."""
    wrapper = [sys.executable, str(SCRIPT), "_measure", str(log), str(timeout), "--", *cmd]
    done = subprocess.run(wrapper, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _measure_main(log: str, timeout: str, cmd: list[str]) -> int:
    """The wrapper: this process has exactly one child, so RUSAGE_CHILDREN is that child's."""
    started = time.perf_counter()
    with open(log, "w") as out:
        try:
            rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, timeout=float(timeout))
            code = rc.returncode
        except subprocess.TimeoutExpired:
            code = -1
    wall = time.perf_counter() - started
    maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if sys.platform == "darwin":  # bytes there, KiB on Linux
        maxrss //= 1024
    print(json.dumps({"rc": code, "wall": wall, "rss_kib": maxrss}))
    return 0


def _hf_main(endpoint: str, commit: str, cache_dir: str, *names: str) -> int:
    """The huggingface_hub client, as a user would call it (one process, nothing else loaded)."""
    from huggingface_hub import hf_hub_download

    for name in names:
        path = hf_hub_download(
            REPO_ID, name, revision=commit, cache_dir=cache_dir, endpoint=endpoint
        )
        print(path)
    return 0


def vcp_config(run_dir: Path, target: Target, *, connections: int | None) -> Path:
    """A config with one Hub source, every file's sha256 pinned, the cache in ``run_dir``."""
    download = f"    max_connections_per_file: {connections}\n" if connections else "    {}\n"
    names = ", ".join(target.files)
    sums = ", ".join(f"{n}: 'sha256:{p.sha256}'" for n, p in target.files.items())
    text = (
        "merge_defaults: false\n"  # the bench source alone, not the default models too
        "models:\n"
        f"  cache_dir: '{run_dir / 'cache'}'\n"
        f"  hub:\n    endpoint: '{target.endpoint}'\n"
        f"  download:\n{download}"
        "  sources:\n"
        "    - name: bench\n"
        f"      hf: {{repo: {REPO_ID}, revision: '{target.commit}', files: [{names}]}}\n"
        f"      checksums: {{{sums}}}\n"
    )
    path = run_dir / "config.yaml"
    path.write_text(text)
    return path


def client_command(client: str, run_dir: Path, target: Target) -> list[str]:
    """The command line of ``client`` downloading ``target`` into ``run_dir``."""
    python = sys.executable
    if client in ("vcp", "vcp-1conn", "vcp-cached"):
        config = vcp_config(run_dir, target, connections=1 if client == "vcp-1conn" else None)
        return [python, "-m", "vcp", "models", "download", "--progress", "none", "-c", str(config)]
    if client == "hf":
        hf = [python, str(SCRIPT), "_hf", target.endpoint, target.commit, str(run_dir / "hf")]
        return [*hf, *target.files]
    if client == "aria2c":
        return [
            "aria2c", "-x8", "-s8", "--no-conf", "--dir", str(run_dir),
            "--input-file", str(aria2_input(run_dir, target)), "--file-allocation=none",
            "--summary-interval=0", "--console-log-level=warn", f"--no-proxy={LOOPBACK}",
        ]  # fmt: skip
    raise ValueError(f"unknown client {client!r}")


def aria2_input(run_dir: Path, target: Target) -> Path:
    """aria2c's input file: each file's URL with its name and sha256 (checked by aria2c)."""
    lines = [
        f"{target.url(n)}\n  out={n}\n  checksum=sha-256={p.sha256}\n"
        for n, p in target.files.items()
    ]
    path = run_dir / "aria2-input.txt"
    path.write_text("".join(lines))
    return path


def run_client(client: str, target: Target, *, scenario: str, args: argparse.Namespace) -> Result:
    """``--repeat`` fresh runs of ``client``: median wall time, highest peak RSS, all checked."""
    result = Result(scenario, client)
    if client == "aria2c" and shutil.which("aria2c") is None:
        result.note = "skipped: aria2c is not on PATH"
        return result
    walls: list[float] = []
    for attempt in range(args.repeat):
        slug = re.sub(r"[^A-Za-z0-9.+-]+", "_", f"{scenario}-{client}-{attempt}")
        run_dir = args.work / "runs" / slug
        shutil.rmtree(run_dir, ignore_errors=True)
        run_dir.mkdir(parents=True)
        os.sync()  # the previous run's dirty pages must not be written back on this run's time
        env = _env(HF_HOME=str(run_dir / "hf-home"), HF_ENDPOINT=target.endpoint)
        cmd = client_command(client, run_dir, target)
        log = args.work / "logs" / f"{slug}.log"
        if client == "vcp-cached":  # the same download again, every file already in the cache
            measure(cmd, env=env, log=log, timeout=args.timeout)
            os.sync()
        got = measure(cmd, env=env, log=log, timeout=args.timeout)
        correct, note = check(run_dir, target.files, rc=got["rc"], log=log)
        walls.append(got["wall"])
        result.rss_kib = max(result.rss_kib or 0, got["rss_kib"])
        result.correct = correct and result.correct is not False
        result.note = result.note or note
        if not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)
        print(
            f"  {scenario:>10} {client:<10} {got['wall']:6.1f} s  "
            f"{got['rss_kib'] / 1024:6.0f} MiB  {'ok' if correct else note}",
            file=sys.stderr,
        )
    result.wall = statistics.median(walls)
    result.walls = tuple(walls)
    return result


def check(run_dir: Path, files: dict[str, Payload], *, rc: int, log: Path) -> tuple[bool, str]:
    """Whether the client succeeded and left the exact payload bytes under ``run_dir``."""
    if rc != 0:
        return False, f"exit {rc}, see {log}"
    for name, payload in files.items():
        correct, note = check_file(run_dir, name, payload)
        if not correct:
            return False, f"{name}: {note}"
    return True, ""


def check_file(run_dir: Path, name: str, payload: Payload) -> tuple[bool, str]:
    found = [p for p in run_dir.rglob(name) if p.is_file()]  # follows snapshot symlinks
    if not found:
        return False, "no file"
    path = found[0].resolve()
    if path.stat().st_size != payload.size:
        return False, f"size {path.stat().st_size}"
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(8 * MIB):
            digest.update(block)
    return (True, "") if digest.hexdigest() == payload.sha256 else (False, "sha256 mismatch")


# -- report ------------------------------------------------------------------------------------


def machine_info(args: argparse.Namespace) -> list[str]:
    from importlib import metadata

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    aria = shutil.which("aria2c")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.system()} {platform.release()} {platform.machine()}, "
        f"{cores} usable cores (of {os.cpu_count()})",
        f"- python {platform.python_version()}; vcp {version('vcp')}, aiohttp "
        f"{version('aiohttp')}, huggingface_hub {version('huggingface_hub')}, "
        f"aria2c {'at ' + aria if aria else 'not on PATH'}",
        f"- files: {describe_repo(args)}, random bytes, LFS, sha256 pinned; "
        f"median of {args.repeat} run(s) per row (runs s: fastest-slowest)",
        f"- load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
    ]


def report(results: list[Result], *, size: int, args: argparse.Namespace) -> list[str]:
    lines = [
        "| scenario | client | wall s | runs s | MB/s | peak RSS MB | correct |",
        "|---|---|---:|---:|---:|---:|---|",
        *(r.row(size) for r in results),
        "",
        *machine_info(args),
        *ratios(results),
    ]
    return lines


def ratios(results: list[Result]) -> list[str]:
    """vcp's median wall time over aria2c's, per scenario (the 1.2x target of issue 9)."""
    walls = {(r.scenario, r.client): r.wall for r in results if r.wall is not None}
    return [
        f"- {scenario}: vcp / aria2c = {walls[scenario, 'vcp'] / aria:.2f}x"
        for (scenario, client), aria in walls.items()
        if client == "aria2c" and (scenario, "vcp") in walls
    ]


def describe_repo(args: argparse.Namespace) -> str:
    if args.repo == "1.5g":
        return f"{args.size_mib} MiB + {SHARDS} x {SHARD_MIB} MiB"
    return f"one file of {args.size_mib} MiB"


def rss_check(results: list[Result], *, limit_mb: float, size_mib: int) -> tuple[bool, str]:
    vcp_runs = [r for r in results if r.client.startswith("vcp") and r.rss_mb is not None]
    if not vcp_runs:
        return True, "RSS check: no vcp run measured"
    worst = max(vcp_runs, key=lambda r: r.rss_mb or 0.0)
    ok = (worst.rss_mb or 0.0) <= limit_mb
    verdict = "PASS" if ok else "FAIL"
    return ok, (
        f"RSS check: vcp peak RSS {worst.rss_mb:.0f} MB (worst run: {worst.client}, "
        f"{worst.scenario}) for {size_mib} MiB; limit {limit_mb:.0f} MB: {verdict}"
    )


# -- command line --------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time one large download from the local mirror with vcp, huggingface_hub "
        "and aria2c; print a markdown table."
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=REPO_ROOT / ".bench",
        help="scratch folder: payload, mirror root, runs, logs (default .bench/)",
    )
    parser.add_argument(
        "--size-mib",
        type=int,
        default=DEFAULT_SIZE_MIB,
        help="size of the synthetic file (default 1024)",
    )
    parser.add_argument(
        "--repo",
        choices=("single", "1.5g"),
        default="single",
        help="one file of --size-mib (default), or that file plus 16 x 32 MiB files "
        "(1.5g: the repo of issue 9 with the default size)",
    )
    parser.add_argument(
        "--link",
        choices=("none", "emulated", "all"),
        default="all",
        help="raw loopback, the emulated link, or both (default)",
    )
    parser.add_argument(
        "--rate-mb",
        type=float,
        default=DEFAULT_RATE_MB,
        help="emulated link: cap per connection in MB/s (default 50)",
    )
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=DEFAULT_LATENCY_MS,
        help="emulated link: delay before each file answer (default 20)",
    )
    parser.add_argument(
        "--clients",
        default=",".join(CLIENTS),
        help=f"comma-separated, from {', '.join(CLIENTS)} (default: all)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per client (median wall)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        help="seconds before a client run is abandoned",
    )
    parser.add_argument(
        "--rss-limit-mb",
        type=float,
        default=DEFAULT_RSS_LIMIT_MB,
        help="fail when vcp's peak RSS exceeds this (default 150)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the downloaded files")
    args = parser.parse_args(argv)
    args.work = args.work.resolve()
    args.clients = [c.strip() for c in args.clients.split(",") if c.strip()]
    unknown = set(args.clients) - set(CLIENTS)
    if unknown or args.repeat < 1 or args.size_mib < 1:
        parser.error(f"unknown clients {sorted(unknown)}" if unknown else "sizes must be >= 1")
    return args


def links(args: argparse.Namespace) -> list[Link]:
    emulated = Link(
        f"{args.rate_mb:g}MB/s+{args.latency_ms:g}ms",
        rate=int(args.rate_mb * MB),
        latency=args.latency_ms / 1000,
    )
    return {"none": [Link("loopback")], "emulated": [emulated]}.get(
        args.link, [Link("loopback"), emulated]
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    print(f"payload: {args.size_mib} MiB in {args.work}", file=sys.stderr)
    files = build_repo(args.work, args)
    size = sum(p.size for p in files.values())
    shards = "+shards" if args.repo == "1.5g" else ""
    root = args.work / f"mirror-{args.size_mib}MiB{shards}"
    commit = seed(root, files)
    (args.work / "logs").mkdir(parents=True, exist_ok=True)
    results: list[Result] = []
    for link in links(args):
        log = args.work / "logs" / f"mirror-{link.slug}.log"
        with mirror(root, link, log=log) as endpoint:
            target = Target(endpoint, commit, files)
            for client in args.clients:
                results.append(run_client(client, target, scenario=link.name, args=args))
    print("\n".join(report(results, size=size, args=args)))
    rss_ok, rss_line = rss_check(results, limit_mb=args.rss_limit_mb, size_mib=size // MIB)
    print(f"\n{rss_line}")
    bad = [f"{r.scenario}/{r.client}" for r in results if r.wall is not None and not r.correct]
    if bad:
        print(f"correctness check: FAIL ({', '.join(bad)})")
    print(f"\nbenchmark took {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0 if rss_ok and not bad else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["_measure"]:  # internal: the measuring wrapper (see measure())
        sys.exit(_measure_main(sys.argv[2], sys.argv[3], sys.argv[5:]))
    if sys.argv[1:2] == ["_hf"]:  # internal: the huggingface_hub client
        sys.exit(_hf_main(*sys.argv[2:]))
    sys.exit(main())
