"""Atomic file replacement: write a temporary file beside the target, then rename it over.

Readers see the old content or the new one, never half of a file. The one helper for every
temp-then-rename in vcp (cache records, snapshot links, lock records, YAML rewrites, the mirror).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path


def temp_beside(target: Path) -> Path:
    """A fresh hidden name in ``target``'s folder (the same file system, so a rename is atomic)."""
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")


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
