"""Fixtures for the configuration tests: a clean environment and small YAML files in tmp_path."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from vcp.config import Settings, load_settings
from vcp.config.yaml_io import dump_yaml
from vcp.errors import ConfigError

Document = str | Mapping[str, Any]

# Variables that change what the loader returns besides the VCP_ and HF_ families.
_PLATFORM_VARS = ("XDG_CACHE_HOME", "WIN_PD_OVERRIDE_LOCAL_APPDATA")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may depend on the developer's own VCP_*, HF_* or cache variables."""
    for name in list(os.environ):
        if name.upper().startswith(("VCP_", "HF_")) or name in _PLATFORM_VARS:
            monkeypatch.delenv(name)


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write YAML (dedented text, or plain data to dump) to a file in tmp_path; return its path."""

    def write(doc: Document, name: str = "vcp.yaml") -> Path:
        text = textwrap.dedent(doc).lstrip("\n") if isinstance(doc, str) else dump_yaml(doc)
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def load(write_config: Callable[..., Path]) -> Callable[[Document], Settings]:
    """Validate a document through the real loader (file, environment, schema)."""

    def run(doc: Document) -> Settings:
        return load_settings(write_config(doc))

    return run


@pytest.fixture
def problems(write_config: Callable[..., Path]) -> Callable[[Document], list[str]]:
    """``field: message`` for every problem the loader reports; fails the test if none."""

    def run(doc: Document) -> list[str]:
        with pytest.raises(ConfigError) as info:
            load_settings(write_config(doc))
        return [f"{p.field}: {p.message}" for p in info.value.problems]

    return run
