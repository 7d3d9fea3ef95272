"""A ready model cache, settings for it, and an empty library folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from vcp_testing.analysis import config_data, fill_cache, write_config

from vcp.config import Settings


@pytest.fixture(scope="session")
def ready_cache(default_models_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model cache holding both default models, filled once from the mirror."""
    cache = tmp_path_factory.mktemp("watch-cache")
    fill_cache(default_models_root, cache)
    return cache


@pytest.fixture
def config(ready_cache: Path, tmp_path: Path) -> Path:
    """A config using ``ready_cache``; its endpoint is a closed port, so nothing downloads."""
    return write_config(tmp_path / "vcp.yaml", config_data("http://127.0.0.1:9", ready_cache))


@pytest.fixture
def settings(config: Path) -> Settings:
    return Settings.load(config)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "films"
    folder.mkdir()
    return folder
