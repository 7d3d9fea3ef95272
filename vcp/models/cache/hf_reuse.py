"""Reusing blobs from the user's own Hugging Face cache instead of downloading them again.

huggingface_hub (and transformers, faster-whisper...) keep files in the same layout vcp uses, often
under ``~/.cache/huggingface/hub``. A blob there with the right hash is linked (or copied) into
vcp's cache: same bytes, no transfer.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Mapping
from functools import partial
from pathlib import Path

from vcp.core.atomic import fsync_dir, replace_atomically
from vcp.core.checksums import Checksum, hash_file
from vcp.models.cache.store import ModelCache
from vcp.models.planning.specs import FileSpec

logger = logging.getLogger(__name__)


def hf_cache_dirs(environ: Mapping[str, str] | None = None) -> list[Path]:
    """Where huggingface_hub keeps its cache: ``HF_HUB_CACHE``, ``HF_HOME/hub``, the default."""
    env = os.environ if environ is None else environ
    candidates = []
    if env.get("HF_HUB_CACHE"):
        candidates.append(Path(env["HF_HUB_CACHE"]))
    if env.get("HF_HOME"):
        candidates.append(Path(env["HF_HOME"]) / "hub")
    candidates.append(Path.home() / ".cache" / "huggingface" / "hub")
    return list(dict.fromkeys(p.expanduser() for p in candidates))


def reuse_blob(
    cache: ModelCache,
    spec: FileSpec,
    final: Path,
    expected: Checksum,
    *,
    environ: Mapping[str, str] | None = None,
) -> Path | None:
    """Link or copy a verified copy of ``final``'s blob from another Hub cache; returns its path."""
    for root in hf_cache_dirs(environ):
        candidate = root / spec.folder / "blobs" / final.name
        if _same_file(candidate, final) or not candidate.is_file():
            continue
        if hash_file(candidate, expected.algorithm) != expected:
            logger.warning("ignoring %s: its content does not match %s", candidate, expected)
            continue
        replace_atomically(final, partial(_link_or_copy, candidate), tmp=cache.new_partial(final))
        fsync_dir(final.parent)
        cache.record(final, expected)
        logger.info("%s: reused %s from the Hugging Face cache", spec.label, candidate)
        return candidate
    return None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _link_or_copy(source: Path, dest: Path) -> None:
    try:
        os.link(source, dest)  # same bytes, no extra space
    except OSError:
        shutil.copyfile(source, dest)
