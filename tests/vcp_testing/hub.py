"""Hub repos as vcp sees them: a source as a config declares it, and where files land in the cache.

The cache follows huggingface_hub's layout: ``models--org--name/blobs/<etag>`` for verified files,
``<etag>.<random>.incomplete`` (and its ``.json`` state) beside them for partial downloads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def hf_source(
    name: str, repo: str, files: list[str], *, revision: str = "main", **extra: Any
) -> dict[str, Any]:
    """A Hub source as a config declares it (branch ``main`` unless told otherwise)."""
    return {"name": name, "hf": {"repo": repo, "revision": revision, "files": files}, **extra}


def blob(cache: Path, repo: str, etag: str) -> Path:
    """Where the cache keeps the verified file of ``repo`` with this etag."""
    return cache / ("models--" + repo.replace("/", "--")) / "blobs" / etag


def leftovers(cache: Path) -> list[Path]:
    """Partial downloads (and their state files) anywhere in the cache."""
    return sorted(p for p in cache.rglob("*") if ".incomplete" in p.name)
