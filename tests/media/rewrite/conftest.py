"""The film the rewrite tests write a copy of; the session's films (``films``) are in
tests/conftest.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from vcp_testing.censor_films import Film


@pytest.fixture
def film(films: Callable[[str], Film]) -> Film:
    """A 6 s 320x240 H.264 + AAC (tones) + SRT film in tmp_path."""
    return films("mkv")
