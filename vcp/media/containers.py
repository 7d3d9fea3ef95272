"""The one boundary between vcp and PyAV's containers: every file vcp reads or writes with PyAV is
opened here, and PyAV's failures become vcp's errors here, once (as httpx's
``map_httpcore_exceptions`` does for httpcore).

``open_input(path)`` opens a film for demuxing and decoding. A file that cannot be opened is a
``MediaError`` at ``path``: ``<name>: not a media file PyAV can read (...)`` when FFmpeg does not
recognise it, ``<name>: cannot read the file: ...`` when the system refuses it. An error PyAV raises
later inside the ``with`` block is a ``MediaError`` too (``<name>: <doing> failed: ...``), except a
write the system refused (a full disk, a size limit): that belongs to the output written in the
same block, and passes through as the OSError it is, so that ``vcp.core.atomic.write_output``
names the output. vcp's own errors pass through unchanged.

``open_output(path)`` opens a file for muxing. A system error opening or writing it passes through
likewise; a container PyAV cannot write is an ``OutputError``.

``reason(exc)`` is how a PyAV or system error reads after a ``where``: FFmpeg's messages repeat the
file name, their ``strerror`` does not.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import av
import av.error

from vcp.errors import MediaError, OutputError

__all__ = [
    "REFUSED_WRITES",
    "UNDECODABLE_HINT",
    "is_refused_write",
    "open_input",
    "open_output",
    "reason",
]

# The system refused to store more: a full disk or quota, a file size limit (FAT32's 4 GiB,
# RLIMIT_FSIZE), a read-only or permission-denied folder. EIO stays out: a read can fail so too.
REFUSED_WRITES = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM}
)
# What PyAV raises: its FFmpegError (whose subclasses with an errno are OSErrors too), and the
# system's own OSError from Python-side I/O.
_PYAV_ERRORS = (av.error.FFmpegError, OSError)
_UNREADABLE_HINT = "check that this is a complete video or audio file; re-download or re-export it"
UNDECODABLE_HINT = (
    "the stream is damaged or uses a codec PyAV cannot decode; re-export or re-download the file"
)
_UNOPENABLE_HINT = "check that the file is still there and readable (its permissions, the disk)"


def reason(exc: BaseException) -> str:
    """What went wrong, to read after the file's name: an OS or FFmpeg error's ``strerror`` (its
    ``str()`` repeats the file name), else its text."""
    return str(getattr(exc, "strerror", None) or exc)


def is_refused_write(exc: BaseException) -> bool:
    """True for an OSError (PyAV's included) saying the system refused to store what was written."""
    return isinstance(exc, OSError) and exc.errno in REFUSED_WRITES


@contextmanager
def open_input(
    path: str | os.PathLike[str],
    *,
    doing: str = "reading the file",
    hint: str = _UNREADABLE_HINT,
) -> Iterator[Any]:
    """``path`` open for demuxing and decoding (tags that are not valid text are dropped, not
    fatal), closed when the block ends.

    MediaError at ``path`` when it cannot be opened, or when PyAV fails inside the block:
    ``"<name>: <doing> failed: <reason>"`` with ``hint``. A refused write passes through (see the
    module's docstring), and so do vcp's own errors. Open the output first when a block writes
    one (``with open_output(tmp) as out, open_input(film) as inp:``), so that a failure to open
    the output is not taken for the input's.
    """
    where = os.fspath(path)
    try:
        container = av.open(where, metadata_errors="ignore")
    except _PYAV_ERRORS as exc:
        raise unopenable(where, exc) from exc
    try:
        with container:
            yield container
    except av.error.FFmpegError as exc:
        if is_refused_write(exc):
            raise
        raise _located(f"{doing} failed: {reason(exc)}", where, hint) from exc


def unopenable(where: str, exc: BaseException) -> MediaError:
    """The MediaError for a file at ``where`` that PyAV could not open (``exc``)."""
    if isinstance(exc, OSError):  # the system's refusal (no such file, permission denied...)
        return _located(f"cannot read the file: {reason(exc)}", where, _UNOPENABLE_HINT)
    return _located(f"not a media file PyAV can read ({reason(exc)})", where, _UNREADABLE_HINT)


def _located(message: str, where: str, hint: str) -> MediaError:
    # The file's name starts the message (as an OutputError's does), so that it says which file
    # wherever it is shown alone, in a log line or a report's warnings; ``where`` has the path.
    return MediaError(f"{os.path.basename(where)}: {message}", where=where, hint=hint)


@contextmanager
def open_output(
    path: str | os.PathLike[str], *, format: str | None = None, shown_as: Path | None = None
) -> Iterator[Any]:
    """``path`` open for muxing (the container ``format`` names, else the one its suffix names),
    its trailer written and closed when the block ends.

    A system error opening or writing it passes through as the OSError it is: the caller's
    ``vcp.core.atomic.write_output`` turns it into the one OutputError for an output that could
    not be written. A container PyAV cannot write is an OutputError naming ``shown_as`` (the final
    name, when ``path`` is a temporary one).
    """
    where = os.fspath(path)
    try:
        container = av.open(where, "w", format=format)
    except OSError:
        raise
    except (av.error.FFmpegError, ValueError) as exc:  # ValueError: no container fits the name
        raise OutputError(
            shown_as or Path(where),
            f"PyAV cannot write this kind of file: {reason(exc)}",
            hint="name it .mkv (Matroska holds any stream) or .mp4",
        ) from exc
    with container:
        yield container
