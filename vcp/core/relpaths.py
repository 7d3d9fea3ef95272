"""Checks that a remote file name stays inside the cache.

File names come from configs and from servers' listings (``siblings[].rfilename``, tree ``path``),
so a hostile or broken server could name ``../../.bashrc``. Every name is checked before it
becomes a path on disk.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path, PurePosixPath

from vcp.errors import UnsafePathError

__all__ = ["join_under", "safe_relpath"]

_DRIVE = re.compile(r"[A-Za-z]:")


def safe_relpath(name: str, *, model: str | None = None) -> PurePosixPath:
    """``name`` as a relative POSIX path, or raise ``UnsafePathError`` saying why it is refused."""
    reason = _problem(name)
    if reason is not None:
        raise UnsafePathError(name, reason, model=model)
    return PurePosixPath(name)


def _problem(name: str) -> str | None:
    if not name:
        return "the name is empty"
    if "\0" in name:
        return "it contains a NUL byte"
    if any(unicodedata.category(char) == "Cc" for char in name):
        return "it contains a control character"
    if "\\" in name:
        # A backslash is a separator on Windows, so "a\..\..\x" would escape there.
        return "it contains a backslash"
    if name.startswith("/"):
        return "it is an absolute path"
    if _DRIVE.match(name):
        return "it starts with a Windows drive letter"
    parts = name.split("/")
    if ".." in parts:
        return "it contains a '..' component"
    if "." in parts:
        return "it contains a '.' component"
    if "" in parts:
        return "it contains an empty component (double or trailing slash)"
    return None


def join_under(root: Path, name: str, *, model: str | None = None) -> Path:
    """``root / name`` after ``safe_relpath``, double-checked to stay under ``root``.

    The check is lexical (``os.path.normpath``): symlinks already inside ``root`` are trusted.
    """
    relative = safe_relpath(name, model=model)
    target = root.joinpath(*relative.parts)
    base = os.path.normpath(root)
    resolved = os.path.normpath(target)
    # Belt and braces: safe_relpath should make this unreachable.
    if resolved == base or os.path.commonpath([base, resolved]) != base:
        raise UnsafePathError(name, f"it resolves outside {root}", model=model)
    return target
