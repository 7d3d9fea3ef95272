"""What pinning a config changes, computed before anything is edited.

    plan_hub(source, snapshot)    a Hub source against the Hub's file list at its revision (pure)
    plan_url(source, cache)       a URL source against vcp's record of its verified download
                                  (reads the cache: blocking, but never the network)
    PinPlan                       those for every source, plus the references ``--upgrade`` moves
    hub_line / UrlPin.line        what the user reads about each source

A checksum already pinned is never replaced silently: a pin the Hub disagrees with (or one
``hf.files`` no longer selects) makes its source stale, and ``StalePins`` is raised for it unless
``force`` is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vcp.config.schema import ModelSource
from vcp.core.checksums import Checksum
from vcp.core.hub_names import is_commit, url_folder
from vcp.errors import StalePins
from vcp.models.cache.store import ModelCache
from vcp.models.hub.api import HubFile, RepoSnapshot
from vcp.models.pinning.report import Line, Status
from vcp.models.pinning.upgrade import Reference

__all__ = [
    "HubPin",
    "Mismatch",
    "PinPlan",
    "StalePins",
    "stale_pins",
    "UrlPin",
    "hub_line",
    "plan_hub",
    "plan_url",
]


# -- Hub sources --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    """A pinned checksum the Hub disagrees with; ``hub`` None: hf.files no longer selects it."""

    file: str
    pinned: str
    hub: str | None

    def __str__(self) -> str:
        if self.hub is None:
            return f"{self.file!r} is pinned ({self.pinned}) but hf.files no longer selects it"
        return f"{self.file!r} pinned {self.pinned}, the Hub has {self.hub}"


@dataclass(frozen=True)
class HubPin:
    """A Hub source against the Hub's file list at its revision."""

    name: str
    repo: str
    revision: str  # as configured: branch, tag or commit
    commit: str  # what it resolves to now
    checksums: dict[str, str]  # every selected file -> the Hub's identity, in hf.files order
    missing: tuple[str, ...]  # selected files without a pin
    mismatches: tuple[Mismatch, ...]
    unmatched: tuple[str, ...]  # hf.files entries that match nothing

    @property
    def revision_pinned(self) -> bool:
        return is_commit(self.revision)

    @property
    def stale(self) -> bool:
        return bool(self.mismatches or self.unmatched)

    @property
    def complete(self) -> bool:
        return self.revision_pinned and not self.missing and not self.stale

    def changes(self, *, force: bool) -> bool:
        return not self.revision_pinned or bool(self.missing) or (force and self.stale)

    def problems(self) -> list[str]:
        """Why ``--check`` fails for this source (empty when it is fully pinned)."""
        out = [str(m) for m in self.mismatches]
        out += [f"hf.files entry {u!r} matches nothing in {self.repo}" for u in self.unmatched]
        if not self.revision_pinned:
            out.append(f"revision {self.revision!r} is not a commit (now {self.commit[:12]})")
        if self.missing:
            out.append("no checksum for " + ", ".join(self.missing))
        return out


def plan_hub(source: ModelSource, snapshot: RepoSnapshot) -> HubPin:
    """Compare a Hub source's pins with the Hub's file list (``snapshot``) at its revision.

    A pin with another algorithm than the Hub's identity of the file (an ``md5:`` pin, a
    ``sha256:`` pin of a regular git file) cannot be compared without the bytes: it is kept and
    counts as pinned (downloads still verify it).
    """
    assert source.hf is not None
    selected, unmatched = _selection(snapshot, source.hf.files)
    hub = {f.path: str(f.checksum) for f in selected}
    missing = [path for path in hub if path not in source.checksums]
    mismatches = [
        Mismatch(path, source.checksums[path], checksum)
        for path, checksum in hub.items()
        if path in source.checksums and _disagree(source.checksums[path], checksum)
    ]
    mismatches += [
        Mismatch(path, pinned, None)
        for path, pinned in source.checksums.items()
        if path not in hub and path not in unmatched
    ]
    return HubPin(
        source.name,
        source.hf.repo,
        source.hf.revision,
        snapshot.commit,
        hub,
        tuple(missing),
        tuple(mismatches),
        tuple(unmatched),
    )


def _selection(snapshot: RepoSnapshot, patterns: Iterable[str]) -> tuple[list[HubFile], list[str]]:
    # In the order of hf.files (then by name within a pattern), so new checksums read like it.
    chosen: dict[str, HubFile] = {}
    unmatched = []
    for pattern in patterns:
        files, missed = snapshot.select([pattern])
        unmatched += missed
        for entry in files:
            chosen.setdefault(entry.path, entry)
    return list(chosen.values()), unmatched


def _disagree(pinned: str, hub: str) -> bool:
    a, b = Checksum.parse(pinned), Checksum.parse(hub)
    return a.algorithm == b.algorithm and a != b


def hub_line(pin: HubPin, *, check: bool, force: bool = False) -> Line:
    """What the user reads about a Hub source (``check``: whether it is fully pinned)."""
    where = f"{pin.repo}@{pin.commit[:12]}"
    if pin.stale and (check or not force):
        return Line(Status.STALE, pin.name, f"{where}: " + "; ".join(pin.problems()))
    if check:
        if pin.complete:
            return Line(Status.PINNED, pin.name, f"{where}, {_files(len(pin.checksums))}")
        return Line(Status.UNPINNED, pin.name, f"{pin.repo}: " + "; ".join(pin.problems()))
    if not pin.changes(force=force):
        return Line(Status.ALREADY, pin.name, f"{where}, {_files(len(pin.checksums))}")
    done = [] if pin.revision_pinned else [f"{pin.repo} {pin.revision} -> {pin.commit[:12]}"]
    if pin.revision_pinned:
        done.append(where)
    if pin.missing:
        done.append(f"{len(pin.missing)} checksum(s) added")
    if force and pin.mismatches:
        done.append("replaced: " + "; ".join(str(m) for m in pin.mismatches))
    return Line(Status.PINNED, pin.name, ", ".join(done))


def _files(n: int) -> str:
    return f"{n} file{'s' if n != 1 else ''} with checksums"


def stale_pins(pins: Sequence[HubPin]) -> StalePins:
    """The error for pins the Hub disagrees with: the first mismatch, and a line per source."""
    first = pins[0]
    mismatch = first.mismatches[0]
    got = (
        f"{mismatch.hub} (the Hub, at commit {first.commit[:12]})"
        if mismatch.hub is not None
        else f"no such file selected by hf.files at commit {first.commit[:12]}"
    )
    return StalePins(
        pinned=mismatch.pinned,
        got=got,
        model=first.name,
        file=mismatch.file,
        count=sum(len(p.mismatches) for p in pins),
        pins=pins,
        lines=[hub_line(p, check=False) for p in pins],
    )


# -- URL sources ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class UrlPin:
    """A URL source: its configured checksum, or the one vcp recorded for its verified download."""

    name: str
    configured: Checksum | None
    recorded: Checksum | None

    def changes(self) -> bool:
        """True when pinning writes the recorded checksum into the config."""
        return self.configured is None and self.recorded is not None

    def line(self, *, check: bool) -> Line:
        if self.configured is not None:
            status = Status.PINNED if check else Status.ALREADY
            return Line(status, self.name, f"url, {self.configured.algorithm}")
        if self.recorded is not None and not check:
            return Line(Status.PINNED, self.name, f"url, {self.recorded} (verified download)")
        if self.recorded is not None:
            how = "`vcp models pin` can take it from the verified download in the cache"
        else:
            how = (
                "add checksum: (and algorithm:), or download it once (allow_unverified: true) "
                "and run `vcp models pin` again"
            )
        return Line(Status.UNPINNED, self.name, f"url source without checksum: {how}")


def plan_url(source: ModelSource, cache: ModelCache) -> UrlPin:
    """The URL source's pin, and the checksum of its verified download if vcp has one. Blocking."""
    configured = source.expected_checksum(source.local_filename)
    if configured is not None:
        return UrlPin(source.name, configured, None)
    path = cache.folder(url_folder(source.name)) / source.local_filename
    record = cache.recorded(path)
    try:
        untouched = record is not None and record.matches(path.stat())
    except OSError:
        untouched = False
    recorded = Checksum.parse(record.checksum) if record and untouched else None
    return UrlPin(source.name, None, recorded)


# -- every source --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PinPlan:
    """What ``pin`` found for every source of a config, and the references ``--upgrade`` moves."""

    hub: dict[str, HubPin]
    urls: dict[str, UrlPin]
    refs: tuple[Reference, ...] = ()

    def stale(self) -> list[HubPin]:
        return [pin for pin in self.hub.values() if pin.stale]

    def line(self, name: str, *, check: bool, force: bool) -> Line:
        """What the user reads about the source ``name``."""
        if name in self.hub:
            return hub_line(self.hub[name], check=check, force=force)
        return self.urls[name].line(check=check)
