"""`make demo`: vcp's main command on the sample video, on a machine without internet access.

Seeds a local Hub-compatible mirror with the two default models (from the PyPI packages that carry
byte-identical copies), serves it on 127.0.0.1, and runs
`python -m vcp analyze tests/fixtures/sample.mp4 --download-models` against it with the built-in
default configuration: the real download, verify, load and analysis code, only the host differs.
The first run fetches both models (the nudity detector starts while whisper is still arriving);
run it again and nothing is downloaded. `--fresh` empties the demo's model cache first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
from pathlib import Path

from vcp.mirror import MirrorServer, seed_default_models

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "tests" / "fixtures" / "sample.mp4"


async def main(work: Path, extra: list[str], *, fresh: bool) -> int:
    mirror_root = work / "mirror"
    if not (mirror_root / ".seeded").exists():
        print(f"seeding the demo mirror in {mirror_root} ...", flush=True)
        seed_default_models(mirror_root)
        (mirror_root / ".seeded").touch()
    if fresh:
        shutil.rmtree(work / "cache", ignore_errors=True)
    report = work / "sample.vcp.json"
    async with MirrorServer(mirror_root) as mirror:
        env = {
            **os.environ,
            "HF_ENDPOINT": mirror.url,
            "VCP_MODELS__CACHE_DIR": str(work / "cache"),
        }
        args = ["analyze", str(SAMPLE.relative_to(REPO)), "--download-models", "-o", str(report)]
        command = [sys.executable, "-m", "vcp", *args, *extra]
        print(f"mirror: {mirror.url}   cache: {work / 'cache'}", flush=True)
        print("$ HF_ENDPOINT=... vcp " + " ".join(command[3:]), flush=True)
        process = await asyncio.create_subprocess_exec(*command, env=env, cwd=REPO)
        code = await process.wait()
        print(
            f"served {mirror.stats.bytes_served / 1e6:.1f} MB in {mirror.stats.count()} requests",
            flush=True,
        )
        return code


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=REPO / ".demo", help="demo folder")
    parser.add_argument("--fresh", action="store_true", help="start from an empty model cache")
    args, extra = parser.parse_known_args()
    sys.exit(asyncio.run(main(args.work, extra, fresh=args.fresh)))
