"""``--json`` of ``vcp models list|verify|download``: one JSON document on stdout, for scripts.

Plain functions from the manager's result objects to JSON-ready dicts; sizes are bytes, paths are
absolute strings, checksums ``algorithm:hex``, and absent values ``null``. The shapes are described
in docs/models.md and kept stable: fields may be added, never renamed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vcp.errors import VcpError
from vcp.models.local import FileStatus, LocalModel, ModelStatus

if TYPE_CHECKING:
    from vcp.models.cache.inspection import SetAside, Verification
    from vcp.models.cache.manage import Doomed, Outcome
    from vcp.models.cache.usage import CacheUsage, ConfigUses, DiskEntry, Folder

__all__ = [
    "download_summary",
    "removal_entry",
    "status_entry",
    "usage_entry",
    "verification_entry",
    "write_json",
]


def _path(path: Path | None) -> str | None:
    return str(path) if path is not None else None


def _file_entry(file: FileStatus) -> dict[str, Any]:
    return {
        "name": file.name,
        "state": file.state.value,
        "size": file.size,
        "checksum": str(file.checksum) if file.checksum is not None else None,
        "path": _path(file.path),
    }


def status_entry(status: ModelStatus) -> dict[str, Any]:
    """A model's cache state, with each of its files (``list`` and ``verify``)."""
    return {
        "name": status.name,
        "state": status.state.value,
        "source": status.source or status.name,
        "size": status.size,
        "revision": status.revision,
        "path": _path(status.path),
        "files": [_file_entry(f) for f in status.files],
    }


def _aside_entry(aside: SetAside) -> dict[str, Any]:
    return {
        "model": aside.model,
        "file": aside.file,
        "path": str(aside.path),
        "moved_to": _path(aside.moved_to),
        "holder": aside.holder,
    }


def verification_entry(found: Verification) -> dict[str, Any]:
    """``verify``: each model's state, and the corrupt files moved to the quarantine."""
    return {
        "ok": not found.bad,
        "models": [status_entry(st) for st in found.statuses],
        "quarantined": [_aside_entry(a) for a in found.set_aside],
    }


def _ready_entry(name: str, model: LocalModel) -> dict[str, Any]:
    return {
        "name": name,
        "ok": True,
        "source": model.source,
        "revision": model.revision,
        "path": str(model.path),
        "size": sum(f.size for f in model.files.values()),
        "files": {n: {"size": f.size, "checksum": str(f.checksum)} for n, f in model.files.items()},
    }


def _failed_entry(name: str, error: VcpError) -> dict[str, Any]:
    return {
        "name": name,
        "ok": False,
        "error": {
            "type": type(error).__name__,
            "message": str(error),
            "where": error.where,
            "hint": error.hint,
        },
    }


def download_summary(
    outcomes: Mapping[str, LocalModel | VcpError], *, cache: Path
) -> dict[str, Any]:
    """What ``download`` made ready and what failed, in the order the models were asked for."""
    models = [
        _failed_entry(name, outcome)
        if isinstance(outcome, VcpError)
        else _ready_entry(name, outcome)
        for name, outcome in outcomes.items()
    ]
    failed = any(not m["ok"] for m in models)
    return {"ok": not failed, "cache": str(cache), "models": models}


def _entries(entries: Iterable[DiskEntry]) -> list[dict[str, Any]]:
    return [{"path": str(e.path), "size": e.size, "mtime": e.mtime} for e in entries]


def _folder_entry(folder: Folder, uses: ConfigUses) -> dict[str, Any]:
    return {
        "name": folder.label,
        "folder": folder.name,
        "kind": "hub" if folder.hub else "url",
        "size": folder.size,
        "files": len(folder.content),
        "used_by": list(uses.users(folder.name)),
        "revisions": [
            {
                "commit": r.commit,
                "refs": list(r.refs),
                "size": r.size,
                "files": r.files,
                "used_by": list(uses.users(folder.name, r.commit)),
            }
            for r in folder.revisions
        ],
        "partial": _entries(folder.partials),
        "partial_size": folder.partial_size,
    }


def usage_entry(usage: CacheUsage, uses: ConfigUses) -> dict[str, Any]:
    """``du``: each model folder with its revisions, then partials, quarantine, other, total."""
    return {
        "cache": str(usage.root),
        "models": [_folder_entry(f, uses) for f in usage.folders],
        "partial_size": sum(p.size for p in usage.partials),
        "quarantine": _entries(usage.quarantine),
        "quarantine_size": sum(q.size for q in usage.quarantine),
        "other_size": usage.other,
        "total": usage.total,
    }


def _doomed_entry(item: Doomed) -> dict[str, Any]:
    return {
        "what": item.what,
        "why": item.why,
        "size": item.size,
        "paths": [str(p) for p in item.paths],
    }


def removal_entry(outcome: Outcome) -> dict[str, Any]:
    """``rm`` and ``prune``: what went (or, with ``dry_run``, would go) and what was in use."""
    return {
        "dry_run": outcome.dry_run,
        "removed": [_doomed_entry(d) for d in outcome.removed],
        "skipped": [{**_doomed_entry(d), "holder": who} for d, who in outcome.skipped],
        "kept": list(outcome.kept),
        "freed": outcome.freed,
    }


def write_json(document: Mapping[str, Any] | Iterable[Any]) -> None:
    """Print ``document`` on stdout, indented, with a final newline."""
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()
