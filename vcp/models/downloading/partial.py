"""The partial file of a download and what keeps it resumable.

``{final}.{random}.incomplete`` holds the bytes; ``.incomplete.json`` beside it says which version
of the file they belong to (the server's ETag and size) and, for ranged downloads, how far each
piece got. Blocking file work here runs in worker threads (anyio's, which a cancellation waits
for, so a descriptor is never closed under a running write).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from anyio import to_thread

from vcp.core.atomic import atomic_write_text
from vcp.core.checksums import Hasher
from vcp.models.downloading.ranges import DownloadPart

# Each connection holds one buffer of this size, and aiohttp hands out reads up to it: with 8
# files of up to 8 connections each, 1 MiB cost about 60 MB of peak RSS for no speed (issue 9).
CHUNK_BYTES = 256 << 10
STATE_SAVE_BYTES = 16 << 20  # piece progress is persisted for resume this often...
STATE_SAVE_SECONDS = 0.5  # ...or this often, whichever comes first


@dataclass
class Piece:
    """A byte span ``[start, stop)`` of a ranged download, received up to ``done``."""

    start: int
    stop: int
    done: int

    @classmethod
    def of(cls, segment: DownloadPart) -> Piece:
        """A piece not started yet."""
        return cls(segment.start, segment.stop, segment.start)

    @property
    def complete(self) -> bool:
        return self.done >= self.stop

    @property
    def received(self) -> int:
        return self.done - self.start


@dataclass
class PartialState:
    """What a partial file holds, persisted beside it so a later run can resume safely."""

    etag: str | None
    size: int | None
    pieces: list[Piece] | None = None  # for a ranged download
    weak: bool = False  # the ETag was weak (``W/``): it does not promise the same bytes
    last_modified: str | None = None  # the server's Last-Modified when the bytes came

    @classmethod
    def load(cls, partial: Path) -> PartialState | None:
        try:
            data = json.loads(_state_path(partial).read_text(encoding="utf-8"))
            # On disk, pieces are [start, stop, done] lists under "segments" (older runs' format).
            pieces = data.pop("segments", None)
            return cls(**data, pieces=None if pieces is None else [Piece(*p) for p in pieces])
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def save(self, partial: Path) -> None:
        pieces = None if self.pieces is None else [[p.start, p.stop, p.done] for p in self.pieces]
        data: dict[str, object] = {"etag": self.etag, "size": self.size, "segments": pieces}
        # Written only when set, so an earlier version can still read the file.
        if self.weak:
            data["weak"] = True
        if self.last_modified is not None:
            data["last_modified"] = self.last_modified
        atomic_write_text(_state_path(partial), json.dumps(data))

    @property
    def received(self) -> int:
        """Bytes of the file present (for a ranged download; else the partial file's size)."""
        return sum(p.received for p in self.pieces or ())

    def note_validators(self, headers: Mapping[str, str]) -> bool:
        """Take the validators of the reply the bytes now come from; True if they changed."""
        weak = headers.get("ETag", "").startswith("W/")
        modified = headers.get("Last-Modified")
        if (weak, modified) == (self.weak, self.last_modified):
            return False
        self.weak, self.last_modified = weak, modified
        return True

    def continued_by(self, headers: Mapping[str, str], *, pinned: bool) -> bool:
        """Whether a 206 with these headers continues the bytes present. It matters where no
        pinned hash would catch a splice: a weak ETag, or a Last-Modified unlike the one the
        bytes came with."""
        if pinned:
            return True
        weak = headers.get("ETag", "").startswith("W/")
        modified = headers.get("Last-Modified")
        known = self.last_modified
        return not weak and not self.weak and (known is None or modified == known)

    def resumes(self, wanted: PartialState) -> bool:
        """Whether these bytes are a prefix of the file ``wanted`` describes (same version).

        Only an ETag says which version of a file bytes came from: without one, start over.
        """
        return bool(self.etag) and (self.etag, self.size) == (wanted.etag, wanted.size)


def _state_path(partial: Path) -> Path:
    return partial.with_name(partial.name + ".json")


def discard_partial(partial: Path) -> None:
    for path in (partial, _state_path(partial)):
        with contextlib.suppress(OSError):
            path.unlink()


class Sink:
    """Appends to the partial file and hashes what it writes: one worker-thread hop per chunk."""

    def __init__(self, path: Path, offset: int, hasher: Hasher) -> None:
        self.file: BinaryIO = open(path, "r+b" if path.exists() else "w+b")  # noqa: SIM115
        self.file.truncate(offset)
        self.file.seek(offset)
        self.hasher = hasher

    def write(self, data: bytes | memoryview) -> None:
        self.file.write(data)
        self.hasher.update(data)

    def close(self) -> None:
        self.file.close()


def hash_prefix(path: Path, length: int, hasher: Hasher) -> None:
    with open(path, "rb") as fh:
        remaining = length
        while remaining:
            block = fh.read(min(CHUNK_BYTES, remaining))
            if not block:
                raise OSError(errno.EIO, f"partial file shorter than {length} bytes", str(path))
            hasher.update(block)
            remaining -= len(block)


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


class PrefixHasher:
    """Hashes the file in order as its pieces complete: the end needs no full second read.

    The bytes are read back with ``pread`` right after they were written, so they come from the
    page cache; only the last few pieces are left to hash when the transfer ends.
    """

    def __init__(self, fd: int, pieces: list[Piece], hasher: Hasher) -> None:
        self.fd = fd
        self.pieces = pieces
        self.hasher = hasher
        self.changed = asyncio.Event()

    def notify(self) -> None:
        self.changed.set()

    async def run(self) -> None:
        for piece in self.pieces:
            while not piece.complete:
                self.changed.clear()
                await self.changed.wait()
            await to_thread.run_sync(self._hash, piece.start, piece.stop)

    def _hash(self, start: int, stop: int) -> None:
        offset = start
        while offset < stop:
            data = os.pread(self.fd, min(CHUNK_BYTES, stop - offset), offset)
            if not data:
                raise OSError(errno.EIO, f"short read at byte {offset} of a partial download")
            self.hasher.update(data)
            offset += len(data)


class StateSaver:
    """Persists segment progress every few MiB or half second, off the event loop.

    What a killed process loses is at most that much per segment: the next run fetches it again.
    """

    def __init__(self, partial: Path, state: PartialState) -> None:
        self.partial = partial
        self.state = state
        self.unsaved = 0
        self.last = time.monotonic()

    async def maybe_save(self, n: int) -> None:
        self.unsaved += n
        now = time.monotonic()
        if self.unsaved >= STATE_SAVE_BYTES or now - self.last >= STATE_SAVE_SECONDS:
            self.unsaved, self.last = 0, now
            await to_thread.run_sync(self.save)

    def save(self) -> None:
        self.state.save(self.partial)


def size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def truncate(path: Path) -> None:
    with open(path, "r+b") as fh:
        fh.truncate(0)


def preallocate(path: Path, size: int) -> None:
    mode = "r+b" if path.exists() else "w+b"
    with open(path, mode) as fh:
        if os.fstat(fh.fileno()).st_size != size:
            fh.truncate(size)
