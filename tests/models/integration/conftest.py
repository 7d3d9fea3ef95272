"""Fixtures for the integration tests: the ModelManager against the real mirror on loopback.

A module provides ``mirror_root`` (the Hub-layout root its ``mirror`` serves), or defines its own
``mirror`` where it needs another one (a token, a root per test). ``settings_for`` points the
built-in default settings at a server; ``events`` records what the manager reports and
``fake_sleep`` stands in for its waits between retries.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from vcp_testing.events import Recorder
from vcp_testing.fakes import FakeSleep

from vcp.config import ModelsSettings
from vcp.mirror import Faults, MirrorServer


@pytest.fixture
async def mirror(mirror_root: Path, faults: Faults) -> AsyncIterator[MirrorServer]:
    """The mirror serving the module's ``mirror_root``, with this test's ``faults``."""
    async with MirrorServer(mirror_root, faults=faults) as server:
        yield server


@pytest.fixture
def settings_for(
    models_settings: Callable[..., ModelsSettings],
) -> Callable[..., ModelsSettings]:
    """``settings_for(server, *sources, **download)``: settings pointed at ``server``, built from
    the environment as it is now (HF_HUB_OFFLINE included)."""

    def build(server: MirrorServer, *sources: dict[str, Any], **download: Any) -> ModelsSettings:
        return models_settings(server.url, sources=list(sources), **download)

    return build


@pytest.fixture
def events() -> Recorder:
    """Every event the manager reports (pass it as ``on_event=``)."""
    return Recorder()


@pytest.fixture
def fake_sleep() -> FakeSleep:
    """The manager's ``sleep=``: records each wait and takes none."""
    return FakeSleep()
