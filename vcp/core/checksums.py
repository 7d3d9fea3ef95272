"""Checksums: parsing ``algo:hex`` strings, hashing streams and files, reading Hub ETags.

Pure code: no sockets and no event loop. ``hash_file`` blocks, so async callers run it in a worker
thread (``anyio.to_thread.run_sync``) to keep the downloads flowing.
"""

from __future__ import annotations

import hashlib
import os
import string
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DEFAULT_ALGORITHM",
    "HEX_LENGTHS",
    "Checksum",
    "Hasher",
    "check_hex",
    "checksum_from_etag",
    "hash_file",
]

#: Supported algorithms and the length of their hex digests.
HEX_LENGTHS: dict[str, int] = {
    "sha256": 64,
    "sha1": 40,
    "sha512": 128,
    "md5": 32,
    "blake2b": 128,
    "git-sha1": 40,
}
DEFAULT_ALGORITHM = "sha256"

_HEX_DIGITS = frozenset(string.hexdigits)


def _check_algorithm(algorithm: str) -> None:
    if algorithm not in HEX_LENGTHS:
        known = ", ".join(HEX_LENGTHS)
        raise ValueError(f"unknown algorithm {algorithm!r}; use one of {known}")


def check_hex(algorithm: str, hexdigest: str) -> str:
    """Return ``hexdigest`` lowercased, or raise ValueError with a message fit for a user."""
    _check_algorithm(algorithm)
    if not hexdigest:
        raise ValueError(f"empty digest for {algorithm}")
    if not _HEX_DIGITS.issuperset(hexdigest):
        raise ValueError(f"{hexdigest!r} is not a hex string")
    expected = HEX_LENGTHS[algorithm]
    if len(hexdigest) != expected:
        raise ValueError(f"expected {expected} hex digits for {algorithm}, got {len(hexdigest)}")
    return hexdigest.lower()


@dataclass(frozen=True)
class Checksum:
    """An algorithm and a lowercase hex digest; ``str()`` gives ``algorithm:hexdigest``."""

    algorithm: str
    hexdigest: str

    def __post_init__(self) -> None:
        # Normalise here so two spellings of one digest compare equal.
        object.__setattr__(self, "hexdigest", check_hex(self.algorithm, self.hexdigest))

    @classmethod
    def parse(cls, text: str, default_algorithm: str = DEFAULT_ALGORITHM) -> Checksum:
        """Parse ``"sha256:ABCD..."`` or a bare hex digest (taken as ``default_algorithm``)."""
        algorithm, sep, hexdigest = text.strip().rpartition(":")
        if not sep:
            algorithm = default_algorithm
        return cls(algorithm.strip().lower(), hexdigest.strip())

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.hexdigest}"


class Hasher:
    """Incremental hash for one of ``HEX_LENGTHS``' algorithms.

    ``git-sha1`` is git's blob id, ``sha1(b"blob <size>\\0" + data)``, the identity the Hub gives
    regular (non-LFS) files; its header holds the size, so ``size`` must be known up front.
    """

    def __init__(self, algorithm: str, size: int | None = None) -> None:
        _check_algorithm(algorithm)
        self.algorithm = algorithm
        if algorithm == "git-sha1":
            if size is None:
                raise ValueError("git-sha1 needs the file size before hashing")
            self._hash = hashlib.sha1(b"blob %d\0" % size)
        else:
            self._hash = hashlib.new(algorithm)

    def update(self, data: bytes | bytearray | memoryview) -> None:
        """Feed more bytes."""
        self._hash.update(data)

    def hexdigest(self) -> str:
        """The lowercase hex digest of everything fed so far."""
        return self._hash.hexdigest()

    def checksum(self) -> Checksum:
        """The digest so far as a ``Checksum``."""
        return Checksum(self.algorithm, self.hexdigest())


def hash_file(path: Path, algorithm: str, *, chunk_size: int = 1 << 20) -> Checksum:
    """Hash a file in ``chunk_size`` reads (never the whole file in memory). Blocking."""
    with path.open("rb") as f:
        # git-sha1's header needs the size; take it from the open file, not a second lookup.
        size = os.fstat(f.fileno()).st_size if algorithm == "git-sha1" else None
        hasher = Hasher(algorithm, size)
        while chunk := f.read(chunk_size):
            hasher.update(chunk)
    return hasher.checksum()


def checksum_from_etag(etag: str | None) -> Checksum | None:
    """What a Hub ETag says about the content, or None for an opaque (non-Hub) ETag.

    The Hub's ETag is the sha256 of an LFS file or the git blob sha1 of a regular one, quoted and
    sometimes weak (``W/"..."``). Other servers send arbitrary tags, which prove nothing.
    """
    if not etag:
        return None
    tag = etag.strip()
    if tag[:2] in ("W/", "w/"):
        tag = tag[2:]
    tag = tag.strip('"')
    algorithm = {64: "sha256", 40: "git-sha1"}.get(len(tag))
    if algorithm is None or not _HEX_DIGITS.issuperset(tag):
        return None
    return Checksum(algorithm, tag)
