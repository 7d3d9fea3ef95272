"""A film's fingerprint: its size, its modification time and a fast hash of a few sampled blocks.

Hashing a whole 20 GB film to learn whether it changed would take minutes; reading sixteen 64 KiB
blocks (the first, the last and fourteen spread between them) takes milliseconds and still
changes when the film is re-encoded, cut, re-muxed or replaced by another of the same size. A
film whose size and sampled hash match is the same film even when its modification time moved
(copied, touched, restored from a backup); ``matches`` says so, ``unchanged`` also wants the time.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["BLOCK_SIZE", "BLOCKS", "Fingerprint", "fingerprint"]

BLOCK_SIZE = 64 * 1024
BLOCKS = 16
_ALGORITHM = "blake2b-128"


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """``size`` in bytes, ``mtime_ns`` as the file system says, ``sample`` the hash of the sampled
    blocks (``algorithm:hexdigest``)."""

    size: int
    mtime_ns: int
    sample: str

    def matches(self, other: Fingerprint) -> bool:
        """The same content as far as the sampled blocks can tell (the time may differ)."""
        return self.size == other.size and self.sample == other.sample

    def unchanged(self, other: Fingerprint) -> bool:
        """The same content and the same modification time."""
        return self.matches(other) and self.mtime_ns == other.mtime_ns

    def to_json(self) -> dict[str, Any]:
        return {"size": self.size, "mtime_ns": self.mtime_ns, "sample": self.sample}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fingerprint:
        return cls(int(data["size"]), int(data["mtime_ns"]), str(data["sample"]))


def fingerprint(path: Path, *, blocks: int = BLOCKS, block_size: int = BLOCK_SIZE) -> Fingerprint:
    """Read ``blocks`` blocks of ``path`` spread over its length (all of it when small) and hash
    them with the size; OSError when the file cannot be read. Blocking: call it in a thread."""
    with open(path, "rb") as fh:
        info = os.fstat(fh.fileno())
        digest = hashlib.blake2b(digest_size=16)
        digest.update(info.st_size.to_bytes(8, "little"))
        for offset in _offsets(info.st_size, blocks=blocks, block_size=block_size):
            fh.seek(offset)
            digest.update(fh.read(block_size))
    return Fingerprint(info.st_size, info.st_mtime_ns, f"{_ALGORITHM}:{digest.hexdigest()}")


def _offsets(size: int, *, blocks: int, block_size: int) -> list[int]:
    """Where the sampled blocks start: every block of a small file, else ``blocks`` spread
    evenly from the first to the last."""
    if size <= blocks * block_size:
        return list(range(0, size, block_size))
    last = size - block_size
    return [round(i * last / (blocks - 1)) for i in range(blocks)]
