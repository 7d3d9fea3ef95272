"""The content ids the Hub uses, computed independently of vcp: sha256 and the git blob sha1.

An LFS file's etag is the sha256 of its bytes; a regular git file's is its git blob sha1.
"""

from __future__ import annotations

import hashlib
import sys

import pytest

from vcp.core.checksums import Hasher


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def git_sha1(data: bytes) -> str:
    """The id git gives ``data`` as a blob: sha1 of ``blob <size>\\0`` followed by the bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class HashedBytes:
    """Counts every byte the model manager hashes, wherever it does (all of it goes through Hasher).

    A test proves "nothing was read again" by comparing the count with the bytes it expects to be
    hashed once, instead of spying on the names of private functions that may move. Hashing by the
    mirror (its ETags), which runs in the same process, is left out: the first caller outside
    ``vcp.core`` decides whose hashing it is.
    """

    def __init__(self) -> None:
        self.total = 0

    def install(self, monkeypatch: pytest.MonkeyPatch) -> HashedBytes:
        real = Hasher.update

        def counting(hasher: Hasher, data: bytes | bytearray | memoryview) -> None:
            if _caller_module().startswith("vcp.models."):
                self.total += memoryview(data).nbytes
            real(hasher, data)

        monkeypatch.setattr(Hasher, "update", counting)
        return self


def _caller_module() -> str:
    frame = sys._getframe(2)  # above counting()
    while frame is not None:
        name = str(frame.f_globals.get("__name__", ""))
        if not name.startswith("vcp.core."):
            return name
        frame = frame.f_back  # type: ignore[assignment]
    return ""
