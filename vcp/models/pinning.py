"""Pinning a configuration: revisions become commits, files get hashes, deprecated sources go.

``vcp models pin`` in three layers:

    plan_hub(source, snapshot)    what pinning a Hub source changes, from the Hub's file list (pure)
    plan_url(source, recorded)    the same for a URL source, from vcp's verified download (pure)
    plan_upgrade(settings)        references to deprecated sources and their replacements (pure)
    apply_hub / apply_url / apply_upgrade     those edits on the ruamel round-trip tree
    pin_file(path, options)       the async shell: ask the Hub, edit the tree, write it atomically

Decisions a user can rely on: a checksum already pinned is never replaced silently; when the Hub
disagrees with it (or ``hf.files`` no longer selects a pinned file) nothing is written unless
``force`` is given. One failing source writes nothing at all. A file whose pins already agree is
not rewritten (byte for byte the same).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from anyio import to_thread
from ruamel.yaml.comments import CommentedMap

from vcp.config.loader import BUILTIN_NAME, format_loc, load_document, settings_from_document
from vcp.config.schema import ModelSource, ModelsSettings
from vcp.config.settings import Settings
from vcp.config.yaml_io import (
    YamlDocument,
    dump_yaml,
    eol_comment,
    insert_after,
    parse_yaml,
    remove,
    replace_scalar,
    set_eol_comment,
    write_yaml,
)
from vcp.errors import (
    ConfigError,
    ConfigProblem,
    DownloadError,
    IntegrityError,
    ModelNotFound,
    ModelUnavailable,
    VcpError,
)
from vcp.models.cache import ModelCache, url_folder
from vcp.models.checksums import Checksum
from vcp.models.concurrency import run_all
from vcp.models.events import Event, Retrying
from vcp.models.hub_api import HubFile, RepoSnapshot, is_commit
from vcp.models.registry import HuggingFaceRegistry, open_registry

__all__ = [
    "HubPin",
    "Line",
    "Mismatch",
    "PinOptions",
    "PinReport",
    "Reference",
    "Status",
    "UrlPin",
    "apply_hub",
    "apply_upgrade",
    "apply_url",
    "pin_document",
    "pin_file",
    "plan_hub",
    "plan_upgrade",
    "plan_url",
]

logger = logging.getLogger(__name__)

# The note a pin leaves on the revision line ("main, pinned 2026-11-23"); a later pin replaces it.
_PIN_NOTE = re.compile(r"^\S+, pinned \d{4}-\d{2}-\d{2};?\s*")


class Status(enum.Enum):
    """What ``pin`` did to (or found about) one source."""

    PINNED = "pinned"
    ALREADY = "already pinned"
    UNPINNED = "unpinned"
    STALE = "stale"
    UPGRADED = "upgraded"


@dataclass(frozen=True)
class Line:
    """One line of output: a status, the source's name and what it means."""

    status: Status
    name: str
    detail: str

    def __str__(self) -> str:
        return f"{self.status.value:<15}{self.name}  {self.detail}"


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


def apply_hub(node: CommentedMap, pin: HubPin, *, force: bool, today: date) -> None:
    """Write ``pin`` into a source's YAML node: the commit, then the checksums."""
    if not pin.revision_pinned:
        _pin_revision(node["hf"], pin, today)
    updates = {path: pin.checksums[path] for path in pin.missing}
    drops: list[str] = []
    if force:
        updates.update({m.file: m.hub for m in pin.mismatches if m.hub is not None})
        drops = [m.file for m in pin.mismatches if m.hub is None]
    if updates or drops:
        _pin_checksums(node, updates, drops)


def _pin_revision(hf: CommentedMap, pin: HubPin, today: date) -> None:
    note = f"{pin.revision}, pinned {today.isoformat()}"
    if hf.fa.flow_style():  # `hf: {repo: ..., files: [...]}` with a commit would not fit a line
        hf.fa.set_block_style()
    if "revision" not in hf:  # the default, main
        insert_after(hf, "repo" if "repo" in hf else None, "revision", pin.commit, comment=note)
        return
    kept = _PIN_NOTE.sub("", eol_comment(hf, "revision") or "")
    hf["revision"] = pin.commit
    set_eol_comment(hf, "revision", f"{note}; {kept}" if kept else note)


def _pin_checksums(node: CommentedMap, updates: dict[str, str], drops: Sequence[str]) -> None:
    checksums = node.get("checksums")
    if checksums is None:
        insert_after(node, "hf", "checksums", CommentedMap(updates))
        return
    if not checksums:  # `checksums: {}` grows into a block, one file per line
        checksums.fa.set_block_style()
    for path in drops:
        remove(checksums, path)
    for path, value in updates.items():
        if path in checksums:
            replace_scalar(checksums, path, value)
        else:
            insert_after(checksums, None, path, value)


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


def stale_error(pins: Sequence[HubPin]) -> IntegrityError:
    """The error for stale pins that ``force`` was not given to replace."""
    first = pins[0]
    mismatch = first.mismatches[0]
    count = sum(len(p.mismatches) for p in pins)
    got = (
        f"{mismatch.hub} (the Hub, at commit {first.commit[:12]})"
        if mismatch.hub is not None
        else f"no such file selected by hf.files at commit {first.commit[:12]}"
    )
    return IntegrityError(
        what="pinned checksum",
        expected=mismatch.pinned,
        got=got,
        model=first.name,
        file=mismatch.file,
        hint=f"nothing was written: {count} pinned checksum(s) disagree with the Hub (listed "
        "above). If the change is one you trust, run `vcp models pin --force` to replace them; "
        "otherwise pin hf.revision to the commit you trust",
    )


# -- URL sources ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class UrlPin:
    """A URL source: its configured checksum, or the one vcp recorded for its verified download."""

    name: str
    configured: Checksum | None
    recorded: Checksum | None

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


def apply_url(node: CommentedMap, pin: UrlPin, *, today: date) -> None:
    """Write the recorded checksum into a URL source's node (right after ``url``)."""
    assert pin.recorded is not None
    value, note = str(pin.recorded), f"the verified download's, pinned {today.isoformat()}"
    if "checksum" in node:  # `checksum: null`
        node["checksum"] = value
        set_eol_comment(node, "checksum", note)
    else:
        insert_after(node, "url", "checksum", value, comment=note)
    if node.get("algorithm", pin.recorded.algorithm) != pin.recorded.algorithm:
        node["algorithm"] = pin.recorded.algorithm


# -- deprecated sources --------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """A reference to a deprecated source at ``loc`` in the YAML tree, and what it becomes.

    ``new`` None: the entry goes (a fallbacks list that already names the replacement, or a
    replacement that would be its own fallback).
    """

    loc: tuple[str | int, ...]
    owner: str  # the detector or source holding the reference
    old: str
    new: str | None

    def __str__(self) -> str:
        what = "" if self.new is not None else ", removed (already there)"
        return f"{format_loc(self.loc)} ({self.owner}){what}"


def plan_upgrade(settings: Settings) -> list[Reference]:
    """Every reference to a deprecated source, following chains of replacements."""
    final = _replacements(settings.models)
    refs = [
        Reference(("detectors", i, "model"), d.name, d.model, final[d.model])
        for i, d in enumerate(settings.detectors)
        if d.model in final
    ]
    for i, source in enumerate(settings.models.sources):
        kept: list[str] = []
        for j, name in enumerate(source.fallbacks):
            target = final.get(name, name)
            if target == name:
                kept.append(name)
                continue
            new = None if target == source.name or target in kept else target
            kept += [new] if new else []
            refs.append(Reference(("models", "sources", i, "fallbacks", j), source.name, name, new))
    return refs


def _replacements(models: ModelsSettings) -> dict[str, str]:
    by_name = {s.name: s for s in models.sources}
    final: dict[str, str] = {}
    for source in models.sources:
        seen = [source.name]
        current = source
        while current.deprecated is not None:
            nxt = current.deprecated.replacement
            if nxt in seen:
                chain = " -> ".join([*seen, nxt])
                raise ConfigError(
                    [ConfigProblem("models.sources", f"deprecated replacements loop: {chain}")],
                    hint="give one of them a replacement that is not deprecated",
                )
            seen.append(nxt)
            current = by_name[nxt]
        if len(seen) > 1:
            final[source.name] = seen[-1]
    return final


def apply_upgrade(tree: CommentedMap, refs: Sequence[Reference]) -> None:
    """Point each reference at its replacement; removals last, from the end of each list."""
    for ref in refs:
        if ref.new is not None:
            replace_scalar(_parent(tree, ref.loc), ref.loc[-1], ref.new)
    for ref in sorted((r for r in refs if r.new is None), key=lambda r: r.loc, reverse=True):
        remove(_parent(tree, ref.loc), ref.loc[-1])


def _parent(tree: Any, loc: tuple[str | int, ...]) -> Any:
    node = tree
    for part in loc[:-1]:
        node = node[part]
    return node


def upgrade_lines(refs: Sequence[Reference]) -> list[Line]:
    by_old: dict[tuple[str, str], list[Reference]] = {}
    for ref in refs:
        target = ref.new or "(removed)"
        by_old.setdefault((ref.old, target), []).append(ref)
    return [
        Line(Status.UPGRADED, old, f"-> {new}: " + ", ".join(str(r) for r in group))
        for (old, new), group in by_old.items()
    ]


# -- the async shell -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PinOptions:
    """``check``: change nothing; ``force``: replace stale pins; ``upgrade``: move references to
    deprecated sources; ``offline``: only the metadata cache (None: the settings decide)."""

    check: bool = False
    force: bool = False
    upgrade: bool = False
    offline: bool | None = None


@dataclass
class PinReport:
    """What ``pin`` found and did: a line per source, whether the file changed, a blocking error."""

    lines: list[Line]
    changed: bool = False
    error: VcpError | None = None

    @property
    def ok(self) -> bool:
        """True when no source is unpinned or stale."""
        return not any(line.status in (Status.UNPINNED, Status.STALE) for line in self.lines)


async def pin_file(
    path: Path | str | None, *, options: PinOptions, today: date | None = None
) -> PinReport:
    """Pin the sources of the config file ``path`` (None: $VCP_CONFIG, or with ``check`` the
    built-in default) and rewrite it in place, comments kept, when anything changed."""
    doc = load_document(path)
    if doc.source == BUILTIN_NAME and not options.check:
        raise ConfigError(
            [ConfigProblem("", "`vcp models pin` rewrites a config file", source=doc.source)],
            hint="name the file with -c FILE (or VCP_CONFIG); `configs/default.yaml` is a copy of "
            "the built-in default to start from",
        )
    settings = settings_from_document(doc)
    report = await pin_document(doc, settings, options=options, today=today or date.today())
    if report.changed:
        # Validate what will be written: an edit must never leave a file vcp cannot read.
        settings_from_document(parse_yaml(dump_yaml(doc.tree), source=doc.source))
        await to_thread.run_sync(write_yaml, doc, Path(doc.source))
    return report


async def pin_document(
    doc: YamlDocument, settings: Settings, *, options: PinOptions, today: date
) -> PinReport:
    """Pin ``doc``'s sources in its tree (not written); with ``check`` only report."""
    _check_tree_matches(doc, settings)
    refs = plan_upgrade(settings) if options.upgrade else []
    models = settings.models
    snapshots = await _resolve_all(models, offline=options.offline)
    cache = ModelCache(models.resolved_cache_dir)
    hub = {s.name: plan_hub(s, snapshots[s.name]) for s in models.sources if s.hf is not None}
    urls = await to_thread.run_sync(
        lambda: {s.name: plan_url(s, cache) for s in models.sources if s.url is not None}
    )
    if options.check:
        return PinReport([_line(s.name, hub, urls, options) for s in models.sources])
    for pin in hub.values():
        if pin.unmatched:
            raise _not_found(pin, snapshots[pin.name])
    stale = [p for p in hub.values() if p.stale]
    if stale and not options.force:
        lines = [hub_line(p, check=False) for p in stale]
        return PinReport(lines, error=stale_error(stale))
    return _apply(doc, refs, hub, urls, options=options, today=today)


def _apply(
    doc: YamlDocument,
    refs: list[Reference],
    hub: dict[str, HubPin],
    urls: dict[str, UrlPin],
    *,
    options: PinOptions,
    today: date,
) -> PinReport:
    nodes = {str(n.get("name")): n for n in _source_nodes(doc.tree)}
    changed = bool(refs)
    apply_upgrade(doc.tree, refs)
    for pin in hub.values():
        if pin.changes(force=options.force):
            apply_hub(nodes[pin.name], pin, force=options.force, today=today)
            changed = True
    for url in urls.values():
        if url.configured is None and url.recorded is not None:
            apply_url(nodes[url.name], url, today=today)
            changed = True
    lines = upgrade_lines(refs) + [_line(name, hub, urls, options) for name in nodes]
    return PinReport(lines, changed=changed)


def _line(name: str, hub: dict[str, HubPin], urls: dict[str, UrlPin], options: PinOptions) -> Line:
    if name in hub:
        return hub_line(hub[name], check=options.check, force=options.force)
    return urls[name].line(check=options.check)


def _check_tree_matches(doc: YamlDocument, settings: Settings) -> None:
    # pin edits the file; the settings may differ from it only by values, not by which sources
    # and detectors exist (VCP_MODELS__SOURCES would make the two disagree).
    in_file = [str(n.get("name")) for n in _source_nodes(doc.tree)]
    detectors = [str(n.get("name")) for n in _items(doc.tree, "detectors")]
    if in_file != [s.name for s in settings.models.sources] or detectors != [
        d.name for d in settings.detectors
    ]:
        raise ConfigError(
            [ConfigProblem("models.sources", "the environment replaces the file's sources")],
            hint="unset VCP_MODELS__SOURCES / VCP_DETECTORS: `vcp models pin` edits the file",
        )


def _source_nodes(tree: CommentedMap | None) -> list[CommentedMap]:
    models = tree.get("models") if tree else None
    return _items(models, "sources")


def _items(mapping: Any, key: str) -> list[CommentedMap]:
    # A list in the file, or nothing (`models:` or `detectors:` left empty or out).
    found = mapping.get(key) if isinstance(mapping, dict) else None
    return list(found or [])


async def _resolve_all(models: ModelsSettings, *, offline: bool | None) -> dict[str, RepoSnapshot]:
    hub_sources = [s for s in models.sources if s.hf is not None]
    if not hub_sources:
        return {}
    found: dict[str, RepoSnapshot] = {}
    limit = asyncio.Semaphore(models.download.max_concurrent_files)
    async with open_registry(models, offline=offline, emit=_log_event) as registry:

        async def one(source: ModelSource) -> None:
            async with limit:
                found[source.name] = await _resolve(registry, source)

        await run_all(one(s) for s in hub_sources)
    return found


async def _resolve(registry: HuggingFaceRegistry, source: ModelSource) -> RepoSnapshot:
    """The Hub's file list at the source's revision, asked afresh (offline: the cached one)."""
    hf = source.hf
    assert hf is not None
    try:
        snapshot = await registry.snapshot(hf.repo, hf.revision, model=source.name, refresh=True)
    except ModelUnavailable as exc:
        raise ModelUnavailable(
            f"no cached file list for {hf.repo}@{hf.revision}, and offline mode is on",
            model=source.name,
            hint="run `vcp models pin` with network access (without --offline / HF_HUB_OFFLINE)",
        ) from exc
    except DownloadError as exc:
        if exc.code == "RevisionNotFound" and hf.is_commit:
            raise await _vanished(registry, source, exc) from None
        raise await registry.explain(exc, repo=hf.repo, revision=hf.revision) from None
    if registry.offline:
        logger.info("%s: pinned from the cached file list of %s", source.name, hf.repo)
    return snapshot


async def _vanished(
    registry: HuggingFaceRegistry, source: ModelSource, exc: DownloadError
) -> ModelNotFound:
    assert source.hf is not None
    repo, commit = source.hf.repo, source.hf.revision
    branches, tags = await registry.refs(repo, model=source.name)
    known = f"branches: {', '.join(branches) or '-'}; tags: {', '.join(tags) or '-'}"
    error = ModelNotFound(
        f"pinned commit {commit} is no longer in {repo}",
        url=exc.url,
        status=exc.status,
        model=source.name,
        code=exc.code,
        hint=f"its history was rewritten or the commit deleted. {repo} has {known}: set "
        f"hf.revision of {source.name!r} to one of them, make sure its files are ones you trust, "
        "and run `vcp models pin --force`",
    )
    error.__cause__ = exc
    return error


def _not_found(pin: HubPin, snapshot: RepoSnapshot) -> ModelNotFound:
    listing = ", ".join(f.path for f in snapshot.files[:12]) or "no files"
    return ModelNotFound(
        f"{', '.join(map(repr, pin.unmatched))} not found in {pin.repo} at {pin.revision} "
        f"({pin.commit[:12]})",
        model=pin.name,
        code="EntryNotFound",
        hint=f"check hf.files in the config; the repo has: {listing}",
    )


def _log_event(event: Event) -> None:
    # The registry's only events are retries; a wait of seconds should not look like a hang.
    if isinstance(event, Retrying):
        logger.warning(
            "%s: the Hub did not answer (%s); asking again in %.0f s",
            event.model,
            event.reason,
            event.delay,
        )
