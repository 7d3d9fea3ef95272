"""What the mirror knows of a repo beyond the Hub cache layout: ``ROOT/.mirror/repos.json``.

    {"acme/gated": {"gated": "manual"}, "acme/tiny": {"git_tags": ["v1.0"], "downloads": 20}}

Writers (``vcp.mirror.seed``) use ``read_repo_metas``, which refuses a malformed file rather than
overwrite it. The server uses ``RepoMetaFile``, which re-reads the file when it changes and, if it
is malformed, logs one warning and serves as if it were empty: a typo must not turn every request
into a 500.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path, PurePosixPath
from typing import Any, Literal

__all__ = ["META_FILE", "Gated", "RepoMeta", "RepoMetaFile", "read_repo_metas"]

logger = logging.getLogger(__name__)

META_FILE = PurePosixPath(".mirror/repos.json")

Gated = Literal[False, "auto", "manual"]


@dataclass(frozen=True)
class RepoMeta:
    """What the mirror knows of a repo beyond the cache layout (``ROOT/.mirror/repos.json``).

    ``git_tags`` names the refs that are tags (the other refs are branches, ``refs/pr/N`` pull
    requests). ``gated`` and ``private`` repos need the mirror's token (gated: only to download
    files); a ``disabled`` repo refuses everything. The rest is what the Hub's API reports
    (``model_tags`` is its ``tags`` list: library, task, language, license).
    """

    git_tags: tuple[str, ...] = ()
    gated: Gated = False
    private: bool = False
    disabled: bool = False
    model_tags: tuple[str, ...] = ()
    pipeline_tag: str | None = None
    library_name: str | None = None
    downloads: int = 0
    likes: int = 0

    def __post_init__(self) -> None:
        if self.gated not in (False, "auto", "manual"):
            raise ValueError(f'gated is false, "auto" or "manual", got {self.gated!r}')
        for name in ("git_tags", "model_tags"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise TypeError(f"{name} is a list of names, got the string {value!r}")
            object.__setattr__(self, name, tuple(value))  # frozen: lists become tuples

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RepoMeta:
        """Read one repo's entry; unknown keys are ignored. TypeError/ValueError if malformed."""
        if not isinstance(data, Mapping):
            raise TypeError(f"a repo's entry is a JSON object, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_json(self) -> dict[str, Any]:
        """The entry to store: only what differs from the defaults."""
        default = asdict(RepoMeta())
        return {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in asdict(self).items()
            if v != default[k]
        }


def read_repo_metas(root: Path) -> dict[str, RepoMeta]:
    """Every repo's ``RepoMeta`` from ``ROOT/.mirror/repos.json`` (empty when there is none).

    ValueError when the file is not a JSON object of repo id -> ``RepoMeta`` fields: a writer
    must not silently drop what it cannot read (the server uses ``HubLayout.repo_metas``).
    """
    path = Path(root) / META_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from exc
    return _parse_repo_metas(text, path)


def _parse_repo_metas(text: str, path: Path) -> dict[str, RepoMeta]:
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise TypeError(f"expected a JSON object, got {type(data).__name__}")
        return {str(repo_id): RepoMeta.from_json(entry) for repo_id, entry in data.items()}
    except (ValueError, TypeError) as exc:  # JSONDecodeError is a ValueError
        raise ValueError(f"{path} is not valid ({exc}); fix or delete it") from exc


class RepoMetaFile:
    """``ROOT/.mirror/repos.json`` as the server reads it; thread-safe, never raises.

    The parsed file is kept until the file changes (another inode, size or time), so an edit
    applies at once and a malformed file is reported once per change, not once per request.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._seen: tuple[int, ...] | None = None
        self._metas: Mapping[str, RepoMeta] = {}

    def read(self) -> Mapping[str, RepoMeta]:
        """Every repo's ``RepoMeta``; empty when the file is missing or malformed."""
        signature = _signature(self.root / META_FILE)
        with self._lock:
            if signature is None:
                self._seen, self._metas = None, {}
            elif signature != self._seen:
                self._seen, self._metas = signature, self._load()
            return self._metas

    def _load(self) -> Mapping[str, RepoMeta]:
        try:
            return read_repo_metas(self.root)
        except ValueError as exc:
            # Empty means default flags: private, gated and disabled repos are open until fixed.
            logger.warning("%s; serving every repo with default flags until it changes", exc)
            return {}


def _signature(path: Path) -> tuple[int, ...] | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError:
        return (-1,)  # unreadable: read_repo_metas reports why
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
