"""Atomic file replacement: write a temporary file beside the target, then rename it over.

Readers see the old content or the new one, never half of a file. The one helper for every
temp-then-rename in vcp: cache records, snapshot links, lock records, YAML rewrites, the mirror
(``replace_atomically``, ``atomic_write_text``), and every output a command writes for the user:
reports, review pages, player files, censored films (``write_output``, ``write_text_output``,
which turn an OSError into an OutputError).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from vcp.errors import OutputError

__all__ = [
    "atomic_write_text",
    "fsync_dir",
    "replace_atomically",
    "temp_beside",
    "write_output",
    "write_text_output",
]


def temp_beside(target: Path, *, suffix: str = ".tmp") -> Path:
    """A fresh hidden name in ``target``'s folder (the same file system, so a rename is atomic),
    ending in ``suffix``."""
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}{suffix}")


def replace_atomically(
    target: Path, fill: Callable[[Path], object], *, tmp: Path | None = None
) -> None:
    """``fill(tmp)`` creates the new content beside ``target``, which it then replaces.

    If filling or renaming fails the temporary file is removed and the error propagates, so no
    stray file is left behind and ``target`` keeps its old content.
    """
    tmp = temp_beside(target) if tmp is None else tmp
    try:
        fill(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write_text(path: Path, text: str, *, durable: bool = False) -> None:
    """Write a small text file so readers see the old or the new content, never half.

    ``durable`` flushes the content to disk before the rename (for files a user edits).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(path, lambda tmp: _write_text(tmp, text, durable=durable))


def _write_text(path: Path, text: str, *, durable: bool) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(text)
        if durable:
            fh.flush()
            os.fsync(fh.fileno())


def write_output(
    target: Path,
    fill: Callable[[Path], object],
    *,
    suffix: str = ".tmp",
    durable: bool = False,
) -> Path:
    """Write one of the user's outputs: ``fill(tmp)`` creates it under a hidden temporary name
    beside ``target`` (ending in ``suffix``: a muxer guesses the container from it), which then
    replaces ``target``; returns ``target``.

    The file is created by ``fill`` (open() or a muxer), so it gets the umask's permissions like
    any file the user makes (mkstemp's 0600 would hide it from the other users of a library).
    ``durable`` flushes it to disk before the rename. An OSError (a full disk, a folder that went
    away, a file size limit) becomes an OutputError; the temporary file is removed and ``target``
    keeps its old content. vcp's own errors raised by ``fill`` pass through unchanged.
    """

    def fill_and_flush(tmp: Path) -> None:
        fill(tmp)
        if durable:
            _fsync_file(tmp)

    try:
        replace_atomically(target, fill_and_flush, tmp=temp_beside(target, suffix=suffix))
    except OSError as exc:
        raise OutputError.not_written(target, exc) from exc
    return target


def write_text_output(target: Path, text: str, *, durable: bool = False) -> Path:
    """``write_output`` for text: UTF-8 with ``\\n`` line ends on every platform."""

    def fill(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline="\n") as out:
            out.write(text)

    return write_output(target, fill, durable=durable)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Persist a rename in ``path`` (POSIX; a no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
