"""The public results of model management: a ready model, its files, a model's cache status.

Plain frozen data. How the cache is inspected to build them is in ``vcp.models.cache.inspection``.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from vcp.core.checksums import Checksum

logger = logging.getLogger(__name__)


class FileState(enum.Enum):
    """A file's state in the cache."""

    CACHED = "cached"  # present and verified
    MISSING = "missing"
    PARTIAL = "partial"  # an interrupted download waits to be resumed
    CORRUPT = "corrupt"  # present but its content does not match


@dataclass(frozen=True)
class LocalFile:
    """One verified file of a ready model."""

    path: Path
    size: int
    checksum: Checksum


@dataclass(frozen=True)
class LocalModel:
    """A model whose files are all verified in the cache; what detectors load."""

    name: str
    path: Path  # Hub: the snapshot directory; URL source: the file itself
    revision: str | None  # the commit, for Hub sources
    files: Mapping[str, LocalFile]
    source: str  # the source that provided it (differs from ``name`` after a fallback)

    def file(self, name: str) -> Path:
        """The path of one file of the model."""
        return self.files[name].path


@dataclass(frozen=True)
class FileStatus:
    name: str
    state: FileState
    path: Path | None
    size: int | None
    checksum: Checksum | None


@dataclass(frozen=True)
class ModelStatus:
    """A model's state in the cache, worked out without the network."""

    name: str
    state: FileState  # the worst of its files' states
    files: tuple[FileStatus, ...]
    revision: str | None
    path: Path | None
    source: str | None = None  # the fallback source that holds it, when not the model's own

    @property
    def size(self) -> int:
        return sum(f.size or 0 for f in self.files if f.state is FileState.CACHED)
