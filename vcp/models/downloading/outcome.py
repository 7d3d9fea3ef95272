"""The ends of one file's transfer: which partial file to continue, the final check and move
into place, and the errors a transfer ends with (blocking file work; called from
``transfer.FileDownload``, in a worker thread where it may take time)."""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

from vcp.core.atomic import fsync_dir
from vcp.core.checksums import Checksum
from vcp.errors import DiskSpaceError, DownloadError, IntegrityError, ModelError
from vcp.models.cache.store import ModelCache
from vcp.models.downloading.diskspace import free_bytes
from vcp.models.downloading.partial import PartialState, discard_partial, fsync_file
from vcp.models.planning.specs import FileSpec

__all__ = ["adopt_partial", "check_and_commit", "local_error", "mismatch", "too_many_restarts"]

logger = logging.getLogger("vcp.models.downloading.transfer")  # one logger for a transfer's story


def adopt_partial(
    cache: ModelCache, final: Path, wanted: PartialState, *, pinned: bool, label: str
) -> tuple[Path, PartialState]:
    """The partial file to continue (its state), or a new one; stale partials are discarded.

    Without a pinned hash nothing would catch old and new bytes spliced together, so only a
    strong validator (not a weak ``W/`` ETag) may vouch for the bytes present.
    """
    adopted: tuple[Path, PartialState] | None = None
    for candidate in cache.partials(final):
        state = PartialState.load(candidate)
        resumable = state is not None and state.resumes(wanted) and (pinned or not state.weak)
        if adopted is None and state is not None and resumable:
            adopted = (candidate, state)
        else:  # another version of the file, or no way to validate it: start over
            logger.info("discarding stale partial download %s", candidate)
            discard_partial(candidate)
    if adopted:
        logger.info("resuming %s from %s", label, adopted[0])
        return adopted
    partial = cache.new_partial(final)
    wanted.save(partial)
    return partial, wanted


def check_and_commit(
    partial: Path,
    final: Path,
    checksum: Checksum,
    *,
    expected: Checksum | None,
    expected_size: int | None,
    spec: FileSpec,
    cache: ModelCache,
) -> None:
    """Size and hash checked, then fsync, rename into place and record: never an unverified
    file under its final name."""
    size = partial.stat().st_size
    if expected_size is not None and size != expected_size:
        raise mismatch(spec, final, "size", f"{expected_size} bytes", f"{size} bytes")
    if expected is not None and checksum != expected:
        raise mismatch(spec, final, "checksum", str(expected), str(checksum))
    if expected is None:
        logger.warning(
            "%s has no known checksum; accepted because allow_unverified is set (%s)",
            spec.label,
            checksum,
        )
    fsync_file(partial)
    os.replace(partial, final)
    fsync_dir(final.parent)
    discard_partial(partial)
    cache.record(final, checksum)


def mismatch(spec: FileSpec, final: Path, what: str, expected: str, got: str) -> IntegrityError:
    """The downloaded bytes are not the file the source names."""
    return IntegrityError(
        what=what,
        expected=expected,
        got=got,
        path=final,
        url=spec.url,
        model=spec.model,
        file=spec.name,
        hint=(
            "the downloaded file was removed; run again to fetch it again. If the model was "
            f"changed upstream on purpose, update {spec.pin_setting} in the config"
        ),
    )


def local_error(
    exc: OSError, path: Path, *, spec: FileSpec, cache: ModelCache, remaining: int
) -> Exception:
    """Local trouble, not the source's: a ModelError (not a DownloadError), so no fallback
    source is tried for it; a full disk is a DiskSpaceError."""
    if exc.errno == errno.ENOSPC:
        return DiskSpaceError(
            required=max(remaining, 1),
            available=free_bytes(cache.root),
            path=cache.root,
            model=spec.model,
        )
    return ModelError(
        f"cannot write {exc.filename or path}: {exc.strerror or exc}",
        model=spec.model,
        file=spec.name,
        where=str(exc.filename or path),
        hint="check that the cache directory (models.cache_dir) is writable and has room",
    )


def too_many_restarts(spec: FileSpec, restarts: int, why: str, place: Path) -> DownloadError:
    """A run threw the bytes away and started the file over once too often."""
    return DownloadError(
        f"started the file over {restarts} times and gave up (last: {why})",
        url=spec.url,
        path=place,
        model=spec.model,
        file=spec.name,
        hint="the server keeps losing the bytes already received (it ignores Range requests and "
        "drops the connection, changes the file, or sends something other than the file): run "
        f"again later, use another source, or download the file by hand to {place}",
    )
