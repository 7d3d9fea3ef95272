"""A nearly full disk for the model cache, without filling a real one."""

from __future__ import annotations

import functools
from types import SimpleNamespace

import pytest

from vcp.models import manager
from vcp.models.downloading.diskspace import check_disk_space


def nearly_full_disk(monkeypatch: pytest.MonkeyPatch, free: int = 1000) -> None:
    """Make the download's disk-space check see ``free`` bytes at the cache."""
    usage = functools.partial(check_disk_space, usage=lambda _: SimpleNamespace(free=free))
    monkeypatch.setattr(manager, "check_disk_space", usage)
