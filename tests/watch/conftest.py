"""Settings for the shared ready model cache (``ready_cache`` and ``config`` in tests/conftest.py)
and an empty library folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from vcp.config import Settings


@pytest.fixture
def settings(config: Path) -> Settings:
    return Settings.load(config)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "films"
    folder.mkdir()
    return folder
