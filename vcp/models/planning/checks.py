"""Pure checks of a plan: a pin against what the Hub or a server says, sizes, unverifiable files.

No I/O: each takes what is known and raises (or returns) the error a user sees.
"""

from __future__ import annotations

from vcp.core.checksums import Checksum
from vcp.errors import IntegrityError, ModelError, ModelUnavailable, PinMismatch
from vcp.models.hub.api import HubFile, RepoSnapshot
from vcp.models.planning.specs import FileSpec, RemoteFile


def check_listed_pin(spec: FileSpec, entry: HubFile, snapshot: RepoSnapshot) -> None:
    """The Hub's listed checksum of a pinned file is the pinned one (when of the same kind)."""
    _check_pin(
        spec,
        entry.checksum,
        got=f"{entry.checksum} (the Hub, at commit {snapshot.commit[:12]})",
        hint="the file on the Hub differs from the pinned one: if the change is intended, "
        f"update {spec.pin_setting} in the config (`vcp models pin` does it), or pin "
        "hf.revision to the commit you trust",
    )


def check_pin(spec: FileSpec, remote: RemoteFile) -> None:
    """The server's ETag of a pinned file is the pinned checksum (when of the same kind)."""
    _check_pin(
        spec,
        remote.checksum,
        got=f"{remote.checksum} (the server's ETag)",
        hint="the file on the server differs from the pinned one: pin the revision to the "
        f"commit you trust, or update {spec.pin_setting} in the config if the change is "
        "intended",
    )


def _check_pin(spec: FileSpec, served: Checksum | None, *, got: str, hint: str) -> None:
    pinned = spec.pinned
    if pinned and served and served.algorithm == pinned.algorithm and served != pinned:
        raise PinMismatch(
            pinned=str(pinned), got=got, url=spec.url, model=spec.model, file=spec.name, hint=hint
        )


def unverifiable(spec: FileSpec) -> ModelError:
    return ModelError(
        "the server gives no checksum for this file (its ETag is not a content hash) and none "
        "is configured, so the download could not be verified",
        model=spec.model,
        file=spec.name,
        hint=f"pin it in the config (checksums: {{{spec.name}: 'sha256:...'}}), or set "
        "`allow_unverified: true` on the source to accept it and record its computed sha256",
    )


def check_size(spec: FileSpec, remote: RemoteFile) -> None:
    if spec.size is not None and remote.size is not None and spec.size != remote.size:
        raise IntegrityError(
            what="size",
            expected=f"{spec.size} bytes (config)",
            got=f"{remote.size} bytes (server)",
            url=spec.url,
            model=spec.model,
            file=spec.name,
            hint="check the source's url and size in the config",
        )


def _what(error: ModelError) -> str:
    return f"{error.file}: {error.detail}" if error.file else error.detail


def none_worked(name: str, tried: list[tuple[str, ModelError]]) -> ModelError:
    if len(tried) == 1:
        return tried[0][1]
    lines = "; ".join(f"{source}: {_what(error)}" for source, error in tried)
    hints = " / ".join(dict.fromkeys(e.hint for _, e in tried if e.hint))
    return ModelUnavailable(
        f"no source could provide it (tried {len(tried)}): {lines}",
        model=name,
        hint=hints or "check the sources and their fallbacks in the config",
    )
