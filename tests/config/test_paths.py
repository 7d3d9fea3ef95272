"""The default model cache on each platform, asked of platformdirs' own per-platform classes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PureWindowsPath

import platformdirs
import pytest
from platformdirs.macos import MacOS
from platformdirs.unix import Unix
from platformdirs.windows import Windows

from vcp.config import ModelsSettings, default_cache_dir, load_settings

WriteConfig = Callable[..., Path]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake home directory; XDG_CACHE_HOME is already cleared by the autouse fixture."""
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def test_linux(home: Path) -> None:
    assert default_cache_dir(Unix) == home / ".cache" / "vcp" / "models"


def test_linux_honours_xdg_cache_home(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    assert default_cache_dir(Unix) == tmp_path / "xdg-cache" / "vcp" / "models"


def test_macos(home: Path) -> None:
    assert default_cache_dir(MacOS) == home / "Library" / "Caches" / "vcp" / "models"


def test_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    # platformdirs reads this override before asking Windows, so it answers on any OS.
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", r"C:\Users\ana\AppData\Local")
    got = PureWindowsPath(str(default_cache_dir(Windows)))
    # No author level between Local and vcp.
    assert got == PureWindowsPath(r"C:\Users\ana\AppData\Local\vcp\Cache\models")


def test_this_platform_uses_platformdirs_answer(home: Path) -> None:
    expected = Path(platformdirs.user_cache_dir("vcp", appauthor=False)) / "models"
    assert default_cache_dir() == expected
    assert ModelsSettings().resolved_cache_dir == expected


def test_looking_up_the_default_creates_nothing(home: Path) -> None:
    resolved = load_settings(None).models.resolved_cache_dir
    assert resolved == default_cache_dir()
    assert not resolved.exists()
    assert list(home.iterdir()) == []


def test_configured_cache_dir_wins(home: Path, write_config: WriteConfig, tmp_path: Path) -> None:
    path = write_config(f"models:\n  cache_dir: {tmp_path / 'big-disk'}\n")
    assert load_settings(path).models.resolved_cache_dir == tmp_path / "big-disk"


def test_configured_cache_dir_expands_home(home: Path, write_config: WriteConfig) -> None:
    path = write_config("models:\n  cache_dir: ~/models\n")
    assert load_settings(path).models.resolved_cache_dir == home / "models"


def test_null_cache_dir_means_the_platform_default(home: Path, write_config: WriteConfig) -> None:
    path = write_config("models:\n  cache_dir: null\n")
    assert load_settings(path).models.resolved_cache_dir == default_cache_dir()
