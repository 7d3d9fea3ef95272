"""A nearly full disk for the model cache, without filling a real one; a really full one, small."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from vcp.models import manager
from vcp.models.downloading.diskspace import check_disk_space


def nearly_full_disk(monkeypatch: pytest.MonkeyPatch, free: int = 1000) -> None:
    """Make the download's disk-space check see ``free`` bytes at the cache."""
    usage = functools.partial(check_disk_space, usage=lambda _: SimpleNamespace(free=free))
    monkeypatch.setattr(manager, "check_disk_space", usage)


@contextlib.contextmanager
def small_filesystem(folder: Path, *, kib: int) -> Iterator[Path]:
    """A ``kib`` KiB tmpfs mounted at ``folder`` (made if missing) while the block runs: writes
    past it fail with ENOSPC, as on a full disk. Skips the test where mounting is not allowed
    (it needs root, or CAP_SYS_ADMIN)."""
    folder.mkdir(parents=True, exist_ok=True)
    mount = shutil.which("mount")
    if mount is None or os.geteuid() != 0:
        pytest.skip("a small tmpfs for a full disk needs root and mount(8)")
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False, capture_output=True)
