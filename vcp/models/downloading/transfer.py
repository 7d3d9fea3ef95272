"""One file's transfer: resume, one stream or ranged segments, verify, then move into place.

Bytes go to ``{final}.{random}.incomplete`` (state beside it in ``.json``), are fsynced, checked
against the expected size and hash, and only then renamed to the final name. A partial file
survives any interruption and is continued next time with ``Range`` + ``If-Range: <etag>``, so
a changed file on the server restarts cleanly instead of being spliced.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from anyio import to_thread

from vcp.config.schema import DownloadSettings
from vcp.core.checksums import Checksum, Hasher
from vcp.errors import IntegrityError
from vcp.models.cache.store import ModelCache
from vcp.models.concurrency import run_all
from vcp.models.context import Context
from vcp.models.downloading.outcome import (
    adopt_partial,
    check_and_commit,
    local_error,
    too_many_restarts,
)
from vcp.models.downloading.partial import (
    CHUNK_BYTES,
    PartialState,
    Piece,
    PrefixHasher,
    Sink,
    StateSaver,
    discard_partial,
    hash_prefix,
    preallocate,
    size_of,
    truncate,
)
from vcp.models.downloading.ranges import (
    DownloadPart,
    RangeReply,
    ResumeAction,
    classify_range_reply,
    plan_resume,
    range_header,
    split_segments,
    worth_segments,
)
from vcp.models.events import BytesReceived, DownloadEvent, DownloadStarted
from vcp.models.http.client import Http, Reply
from vcp.models.http.failures import Transient
from vcp.models.http.policy import RetryPolicy
from vcp.models.http.retrying import Waited, with_retries
from vcp.models.http.speed import MinSpeed
from vcp.models.planning.specs import FileSpec, RemoteFile

logger = logging.getLogger(__name__)
T = TypeVar("T")

_POSITIONAL_IO = hasattr(os, "pwrite") and hasattr(os, "pread")  # not on Windows: one stream
MAX_PIECES = 1024  # a ranged download is cut into at most this many pieces
MAX_RESTARTS = 3  # times a run may throw away the bytes it has and start the file over
UNVERIFIED_ALGORITHM = "sha256"


class _RangeIgnored(Exception):
    """The server answered a ranged request with the whole file."""


@dataclass
class FileDownload:
    """Fetch ``spec`` (as ``remote`` describes it) into ``final``, verified."""

    spec: FileSpec
    remote: RemoteFile
    final: Path
    expected: Checksum | None
    cache: ModelCache
    ctx: Context
    manual_path: Path | None = None  # where a user could put the file by hand
    partial: Path = field(init=False)
    state: PartialState = field(init=False)
    received: int = 0  # bytes of the file present, including those resumed from disk
    furthest: int = 0  # the most bytes of the file present at once in this run: "progress"
    restarts: int = 0  # times this run threw away the bytes present and started over
    resumed: bool = False  # bytes of an earlier run were continued (verified only at the end)
    waited: Waited = field(default_factory=Waited)  # between attempts, all pieces together

    @property
    def http(self) -> Http:
        return self.ctx.http

    @property
    def settings(self) -> DownloadSettings:
        return self.ctx.download

    @property
    def policy(self) -> RetryPolicy:
        return self.ctx.policy

    def emit(self, event: DownloadEvent) -> None:
        self.ctx.emit(event)

    @property
    def algorithm(self) -> str:
        return self.expected.algorithm if self.expected else UNVERIFIED_ALGORITHM

    async def run(self) -> Checksum:
        """Transfer, verify and move into place; returns the verified checksum.

        Bytes resumed from an earlier run that then fail verification (a partial damaged on
        disk, or by an earlier server) are dropped and the file is fetched once more from the
        first byte, in this run."""
        try:
            return await self._attempt()
        except IntegrityError:
            if not self.resumed:
                raise
            logger.info("%s: resumed bytes failed verification; fetching anew", self.spec.label)
            self.resumed, self.received = False, 0
            return await self._attempt()

    async def _attempt(self) -> Checksum:
        # Not in a worker thread: a cancellation while the thread ran would orphan the state
        # file it writes. It is a few small file operations, and the try below cleans up.
        try:
            self.partial, self.state = self._adopt_partial()
        except OSError as exc:
            raise self._os_error(exc, self.final) from exc
        try:
            if self._segmentable():
                checksum = await self._segmented(self.state)
            else:
                checksum = await self._single()
            await to_thread.run_sync(self._verify_and_commit, checksum)
        except IntegrityError:
            await to_thread.run_sync(discard_partial, self.partial)
            raise
        except OSError as exc:
            raise self._os_error(exc, self.partial) from exc
        except BaseException:
            # Cancelled or failed before a byte was written: nothing to resume, so leave no
            # state file behind (an orphan ``.incomplete.json`` is never found nor cleaned up).
            if not size_of(self.partial):
                discard_partial(self.partial)
            raise
        return checksum

    # -- choosing and resuming the partial file ------------------------------------------------

    def _adopt_partial(self) -> tuple[Path, PartialState]:
        wanted = PartialState(etag=self.remote.etag, size=self.remote.size)
        partial, state = adopt_partial(
            self.cache, self.final, wanted, pinned=self.expected is not None, label=self.spec.label
        )
        self.resumed = bool(size_of(partial))
        return partial, state

    def _segmentable(self) -> bool:
        # pieces are written with pwrite and hashed with pread
        return _POSITIONAL_IO and worth_segments(self.remote, self.settings)

    # -- one stream ----------------------------------------------------------------------------

    async def _single(self) -> Checksum:
        # A drop after progress continues from the last byte at once; only an attempt that got
        # no further than an earlier one counts against the retries.
        return await self._with_retries(self._stream_once, progress=lambda: self.furthest)

    async def _stream_once(self) -> Checksum:
        size = self.remote.size
        present = await to_thread.run_sync(size_of, self.partial)
        # Without an ETag there is no If-Range validator: the bytes present cannot be trusted.
        action, offset = plan_resume(present if self.remote.etag else 0, size)
        if present and not offset:
            await self._start_over(f"{present} bytes present could not be continued")
        hasher = Hasher(self.algorithm, size=size)
        if offset:
            await to_thread.run_sync(hash_prefix, self.partial, offset, hasher)
        if action is ResumeAction.COMPLETE:  # every byte is already here: verify, no request
            self.received = offset
            return hasher.checksum()
        headers = (
            {"Range": range_header(offset), "If-Range": f'"{self.remote.etag}"'} if offset else {}
        )
        async with self.http.request("GET", self.spec.url, self.spec, headers=headers) as reply:
            reply.check_body(self.spec)
            if offset:
                kind = classify_range_reply(
                    reply.status,
                    reply.headers.get("Content-Range"),
                    requested_start=offset,
                    expected_size=size,
                )
                if kind is RangeReply.UNSATISFIABLE and offset == size:
                    self.received = offset
                    return hasher.checksum()
                if kind is RangeReply.PARTIAL and not self._same_version(reply):
                    await self._start_over("the server's validator changed", truncate_now=True)
                    return await self._stream_once()  # once: no bytes are left to resume
                if kind is not RangeReply.PARTIAL:  # ignored Range / changed file: start over
                    logger.info(
                        "%s: server sent %s to a resume request; restarting",
                        self.spec.label,
                        kind.name,
                    )
                    why = f"the server answered a resume request with {kind.name}"
                    await self._start_over(why, truncate_now=kind is not RangeReply.FULL)
                    offset, hasher = 0, Hasher(self.algorithm, size=size)
                    if kind is not RangeReply.FULL:
                        raise Transient(f"unusable reply to a resume request ({kind.name})")
            else:
                await self._note_version(reply)
            self.received = offset
            self.emit(DownloadStarted(self.spec.model, self.spec.name, size, resumed_from=offset))
            await self._receive(reply, Sink(self.partial, offset, hasher))
        if size is not None and self.received != size:
            raise Transient(f"connection closed after {self.received} of {size} bytes")
        return hasher.checksum()

    async def _receive(self, reply: Reply, sink: Sink) -> None:
        """Append the body to the partial file, never past the file's size."""
        size = self.remote.size
        # ``sink`` is opened by the caller, not in a thread: a cancellation must not lose it.
        try:
            async with contextlib.aclosing(
                reply.chunks(CHUNK_BYTES, min_speed=self._min_speed)
            ) as chunks:
                async for chunk in chunks:
                    room = len(chunk) if size is None else size - self.received
                    data = chunk[:room]
                    await to_thread.run_sync(sink.write, data)
                    self._count(len(data))
                    if len(data) < len(chunk):
                        # More than the file's size: the bytes it should be are here and the
                        # hash decides; writing the rest would make a file that never verifies.
                        logger.warning(
                            "%s: the server sent more than the %d bytes listed; the rest is "
                            "ignored",
                            self.spec.label,
                            size,
                        )
                        return
        finally:
            sink.close()

    @property
    def _min_speed(self) -> MinSpeed:
        s = self.settings
        return MinSpeed(s.min_speed_bytes_per_second, s.min_speed_window_seconds)

    async def _start_over(self, why: str, *, truncate_now: bool = False) -> None:
        """Count a restart from the first byte, or fail when this run has made too many."""
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            raise too_many_restarts(self.spec, self.restarts, why, self.manual_path or self.final)
        logger.info("%s: starting over: %s", self.spec.label, why)
        if truncate_now:
            await to_thread.run_sync(truncate, self.partial)

    async def _note_version(self, reply: Reply) -> None:
        """Keep the validators of the reply the bytes come from, for a later resume."""
        if self.state.note_validators(reply.headers):
            await to_thread.run_sync(self.state.save, self.partial)

    def _same_version(self, reply: Reply) -> bool:
        return self.state.continued_by(reply.headers, pinned=self.expected is not None)

    # -- ranged segments -----------------------------------------------------------------------

    async def _segmented(self, state: PartialState) -> Checksum:
        size = self.remote.size
        assert size is not None
        if not state.pieces:
            state.pieces = [Piece.of(segment) for segment in self._pieces(size)]
        await to_thread.run_sync(preallocate, self.partial, size)
        self.received = state.received
        pending = [piece for piece in state.pieces if not piece.complete]
        connections = max(1, min(self.settings.max_connections_per_file, len(pending)))
        self.emit(
            DownloadStarted(
                self.spec.model,
                self.spec.name,
                size,
                resumed_from=self.received,
                connections=connections,
            )
        )
        fd = os.open(self.partial, os.O_RDWR)
        saver = StateSaver(self.partial, state)
        follower = PrefixHasher(fd, state.pieces, Hasher(self.algorithm, size=size))
        queue = iter(pending)  # shared: each connection takes the next piece, in file order
        try:
            workers = [self._worker(fd, queue, saver, follower) for _ in range(connections)]
            await run_all([*workers, follower.run()])
        except _RangeIgnored:
            logger.warning("%s: server ignored Range; fetching it as one stream", self.spec.label)
            state.pieces = None
            await to_thread.run_sync(state.save, self.partial)
            await self._start_over("the server ignored Range", truncate_now=True)
            self.received = 0
            return await self._single()
        finally:
            os.close(fd)
            await to_thread.run_sync(saver.save)
        return follower.hasher.checksum()

    def _pieces(self, size: int) -> list[DownloadPart]:
        # Pieces of about segment_min_bytes, taken in order by the connections, so the finished
        # prefix of the file grows steadily and is hashed while the rest still downloads.
        count = min(MAX_PIECES, max(1, size // self.settings.segment_min_bytes))
        return split_segments(size, connections=count, min_segment=self.settings.segment_min_bytes)

    async def _worker(
        self, fd: int, queue: Iterator[Piece], saver: StateSaver, follower: PrefixHasher
    ) -> None:
        for piece in queue:
            await self._run_piece(fd, piece, saver)
            follower.notify()

    async def _run_piece(self, fd: int, piece: Piece, saver: StateSaver) -> None:
        if not piece.complete:
            fetch = functools.partial(self._fetch_range, fd, piece, saver)
            await self._with_retries(fetch, progress=lambda: piece.done)

    async def _fetch_range(self, fd: int, piece: Piece, saver: StateSaver) -> None:
        start, stop = piece.done, piece.stop
        headers = {"Range": range_header(start, stop), "If-Range": f'"{self.remote.etag}"'}
        async with self.http.request("GET", self.spec.url, self.spec, headers=headers) as reply:
            kind = classify_range_reply(
                reply.status,
                reply.headers.get("Content-Range"),
                requested_start=start,
                expected_size=self.remote.size,
            )
            reply.check_body(self.spec)
            if kind is RangeReply.FULL or (
                kind is RangeReply.PARTIAL and not self._same_version(reply)
            ):
                raise _RangeIgnored
            if kind is not RangeReply.PARTIAL:
                raise Transient(f"unusable reply to a range request ({kind.name})")
            body = reply.chunks(CHUNK_BYTES, min_speed=self._min_speed)
            async with contextlib.aclosing(body) as chunks:
                async for chunk in chunks:
                    data = chunk[: piece.stop - piece.done]
                    await to_thread.run_sync(os.pwrite, fd, data, piece.done)
                    piece.done += len(data)
                    self._count(len(data))
                    await saver.maybe_save(len(data))
                    if piece.complete:
                        return
        if not piece.complete:
            raise Transient(f"range ended early at byte {piece.done} of {piece.stop}")

    # -- shared helpers ------------------------------------------------------------------------

    def _count(self, n: int) -> None:
        self.received += n
        self.furthest = max(self.furthest, self.received)
        self.emit(
            BytesReceived(self.spec.model, self.spec.name, n, self.received, self.remote.size)
        )

    async def _with_retries(
        self, op: Callable[[], Awaitable[T]], *, progress: Callable[[], int]
    ) -> T:
        return await with_retries(
            op,
            spec=self.spec,
            policy=self.policy,
            emit=self.ctx.emit,
            sleep=self.ctx.sleep,
            place=self.manual_path or self.final,
            progress=progress,
            waited=self.waited,
        )

    def _verify_and_commit(self, checksum: Checksum) -> None:
        expected_size = self.remote.size if self.remote.size is not None else self.spec.size
        check_and_commit(
            self.partial, self.final, checksum,
            expected=self.expected, expected_size=expected_size, spec=self.spec, cache=self.cache,
        )  # fmt: skip

    def _os_error(self, exc: OSError, path: Path) -> Exception:
        remaining = (self.remote.size or 0) - self.received
        return local_error(exc, path, spec=self.spec, cache=self.cache, remaining=remaining)


__all__ = ["FileDownload", "PartialState", "discard_partial"]
