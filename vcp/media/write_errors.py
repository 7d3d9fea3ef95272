"""A failed write of an output, told apart from a broken input, for the media writers (the
censored copy, the chapters copy).

PyAV raises the system's errors while it muxes (its own OSError subclasses carry the errno), so a
full disk looks like any other FFmpeg failure unless the errno is read. An output that cannot be
written is an ``OutputError`` naming the output, worded as ``vcp.core.atomic.write_output`` words
it for every other output vcp writes; the input is not to blame.
"""

from __future__ import annotations

import errno
from pathlib import Path

from vcp.errors import OutputError

__all__ = ["WRITE_ERRNOS", "output_write_error"]

# The system refused to store more: a full disk or quota, a file size limit (FAT32's 4 GiB,
# RLIMIT_FSIZE), a read-only or permission-denied folder. EIO stays out: a read can fail so too.
WRITE_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM}
)


def output_write_error(exc: BaseException, output: Path) -> OutputError | None:
    """The OutputError for ``exc`` if it is a refused write (``output``: the final name, not a
    temporary one), else None."""
    if not isinstance(exc, OSError) or exc.errno not in WRITE_ERRNOS:
        return None
    return OutputError(
        output,
        f"cannot write it: {exc.strerror or exc}",
        hint="check the free space and the permissions of that folder; nothing was changed",
    )
