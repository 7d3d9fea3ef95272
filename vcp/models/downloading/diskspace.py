"""Refuse to start downloads that cannot fit: fail in a second, not after an hour of transfer."""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Protocol

from vcp.errors import DiskSpaceError

__all__ = ["DiskUsage", "check_disk_space", "existing_ancestor", "required_bytes"]


class DiskUsage(Protocol):
    """What ``check_disk_space`` reads from a usage function (``shutil.disk_usage`` returns one)."""

    @property
    def free(self) -> int: ...


def required_bytes(pending_bytes: int, factor: float) -> int:
    """Free bytes needed for ``pending_bytes`` of downloads with a safety ``factor``, rounded up."""
    if pending_bytes < 0 or not 0 <= factor < math.inf:
        raise ValueError(f"need pending_bytes >= 0 and factor >= 0, got {pending_bytes}, {factor}")
    # Exact decimal arithmetic: in floats 100 * 1.1 is 110.00000000000001, which would round up
    # to 111 and refuse a disk with exactly the 110 bytes the user's factor asks for.
    return math.ceil(pending_bytes * Fraction(repr(factor)))


def existing_ancestor(path: Path) -> Path:
    """``path`` if it exists, else its nearest existing parent (the cache may not exist yet)."""
    current = path
    while not current.exists() and current.parent != current:
        current = current.parent
    return current


def check_disk_space(
    path: Path,
    *,
    pending_bytes: int,
    factor: float,
    usage: Callable[[Path], DiskUsage] = shutil.disk_usage,
    model: str | None = None,
) -> None:
    """Raise ``DiskSpaceError`` if free space at ``path`` is below ``factor * pending_bytes``.

    Free space exactly equal to the requirement passes; nothing pending never raises (and does not
    even measure, so an unreachable cache does not block a fully cached model).
    """
    needed = required_bytes(pending_bytes, factor)
    if needed == 0:
        return
    available = usage(existing_ancestor(path)).free
    if available < needed:
        raise DiskSpaceError(required=needed, available=available, path=path, model=model)


def free_bytes(path: Path, *, usage: Callable[[Path], DiskUsage] = shutil.disk_usage) -> int:
    """Free bytes at ``path`` (or its nearest existing parent); 0 when it cannot be measured."""
    try:
        return usage(existing_ancestor(path)).free
    except OSError:
        return 0
