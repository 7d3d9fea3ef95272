"""Where vcp keeps things on disk when the configuration does not say."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from platformdirs.api import PlatformDirsABC

APP_NAME = "vcp"
MODELS_SUBDIR = "models"


def default_cache_dir(dirs: type[PlatformDirsABC] = platformdirs.PlatformDirs) -> Path:
    """The platform's user cache directory for vcp, plus ``models``.

    Linux ``~/.cache/vcp/models`` (``$XDG_CACHE_HOME`` honoured), macOS
    ``~/Library/Caches/vcp/models``, Windows ``%LOCALAPPDATA%\\vcp\\Cache\\models``. ``dirs``
    selects another platform's rules, which is how the tests check all three on one machine.
    """
    # appauthor=False keeps Windows from inserting an author directory level.
    return Path(dirs(APP_NAME, appauthor=False).user_cache_dir) / MODELS_SUBDIR
