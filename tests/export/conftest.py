"""Fixtures of the export tests; the film, its report and `run` are in tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def no_padding(tmp_path: Path) -> Path:
    """A config whose actions add no padding, so edits match the report's segments exactly."""
    path = tmp_path / "no-padding.yaml"
    path.write_text("actions:\n  padding:\n    audio: 0\n    video: 0\n")
    return path
