"""Pinning a configuration: revisions become commits, files get hashes, deprecated sources go.

``vcp models pin`` in layers, each in its own module:

    plan.py        plan_hub / plan_url / PinPlan: what pinning changes (pure)
    upgrade.py     plan_upgrade: references to deprecated sources (pure)
    yaml_edits.py  apply_hub / apply_url / apply_upgrade: the edits on the ruamel tree
    report.py      Status, Line, PinReport: what the user reads
    pin.py (here)  pin_file / pin_document: the async shell that asks the Hub (through
                   the registry), edits the tree and writes it atomically

Decisions a user can rely on: a checksum already pinned is never replaced silently; when the Hub
disagrees with it (or ``hf.files`` no longer selects a pinned file) nothing is written and
``StalePins`` is raised unless ``force`` is given. One failing source writes nothing at all. A file
whose pins already agree is not rewritten (byte for byte the same).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from anyio import to_thread

from vcp.config.loader import (
    BUILTIN_NAME,
    declared_in_file,
    load_document,
    settings_from_document,
)
from vcp.config.schema import ModelSource, ModelsSettings
from vcp.config.settings import Settings
from vcp.config.yaml_io import YamlDocument, dump_yaml, parse_yaml, write_yaml
from vcp.errors import ConfigError, ConfigProblem, DownloadError, ModelNotFound, ModelUnavailable
from vcp.models.cache.store import ModelCache
from vcp.models.concurrency import run_all
from vcp.models.events import DownloadEvent, Retrying
from vcp.models.hub.api import RepoSnapshot
from vcp.models.hub.registry import HuggingFaceRegistry, open_registry
from vcp.models.pinning.plan import (
    HubPin,
    Mismatch,
    PinPlan,
    StalePins,
    UrlPin,
    hub_line,
    plan_hub,
    plan_url,
    stale_pins,
)
from vcp.models.pinning.report import Line, PinReport, Status
from vcp.models.pinning.upgrade import Reference, plan_upgrade, upgrade_lines
from vcp.models.pinning.yaml_edits import (
    apply_hub,
    apply_plan,
    apply_upgrade,
    apply_url,
    check_tree_matches,
)

# The shell's own names, and the layers' public ones for callers that import them from here.
__all__ = [
    "HubPin",
    "Line",
    "Mismatch",
    "PinOptions",
    "PinPlan",
    "PinReport",
    "Reference",
    "StalePins",
    "Status",
    "UrlPin",
    "apply_hub",
    "apply_upgrade",
    "apply_url",
    "hub_line",
    "pin_document",
    "pin_file",
    "plan_hub",
    "plan_upgrade",
    "plan_url",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PinOptions:
    """``check``: change nothing; ``force``: replace stale pins; ``upgrade``: move references to
    deprecated sources; ``offline``: only the metadata cache (None: the settings decide)."""

    check: bool = False
    force: bool = False
    upgrade: bool = False
    offline: bool | None = None


async def pin_file(
    path: Path | str | None, *, options: PinOptions, today: date | None = None
) -> PinReport:
    """Pin the sources of the config file ``path`` (None: $VCP_CONFIG, or with ``check`` the
    built-in default) and rewrite it in place, comments kept, when anything changed.

    Raises what ``pin_document`` raises; nothing is written then.
    """
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
    """Pin ``doc``'s sources in its tree (not written); with ``check`` only report.

    Raises ``StalePins`` when a pinned checksum disagrees with the Hub and ``force`` is not given,
    ``ModelNotFound`` when an ``hf.files`` entry matches nothing; the tree is untouched then.
    """
    # Only what the file declares is pinned and edited: the defaults merged under it are not
    # in the file (and the built-in default is pinned already).
    settings = declared_in_file(doc, settings)
    check_tree_matches(doc.tree, settings)
    refs = tuple(plan_upgrade(settings)) if options.upgrade else ()
    snapshots = await _resolve_all(settings.models, offline=options.offline)
    plan = await _plan(settings.models, snapshots=snapshots, refs=refs)
    names = [s.name for s in settings.models.sources]
    if options.check:
        return PinReport([plan.line(n, check=True, force=options.force) for n in names])
    for pin in plan.hub.values():
        if pin.unmatched:
            raise _not_found(pin, snapshots[pin.name])
    stale = plan.stale()
    if stale and not options.force:
        raise stale_pins(stale)
    changed = apply_plan(doc.tree, plan, force=options.force, today=today)
    lines = [plan.line(n, check=False, force=options.force) for n in names]
    return PinReport(upgrade_lines(refs) + lines, changed=changed)


async def _plan(
    models: ModelsSettings, *, snapshots: dict[str, RepoSnapshot], refs: tuple[Reference, ...]
) -> PinPlan:
    cache = ModelCache(models.resolved_cache_dir)
    hub = {s.name: plan_hub(s, snapshots[s.name]) for s in models.sources if s.hf is not None}
    urls = await to_thread.run_sync(
        lambda: {s.name: plan_url(s, cache) for s in models.sources if s.url is not None}
    )
    return PinPlan(hub, urls, refs)


# -- asking the Hub ------------------------------------------------------------------------------


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
            raise await _vanished(registry, source, cause=exc) from None
        raise await registry.explain(exc, repo=hf.repo, revision=hf.revision) from None
    if registry.offline:
        logger.info("%s: pinned from the cached file list of %s", source.name, hf.repo)
    return snapshot


async def _vanished(
    registry: HuggingFaceRegistry, source: ModelSource, *, cause: DownloadError
) -> ModelNotFound:
    assert source.hf is not None
    refs = await registry.refs(source.hf.repo, model=source.name)
    return ModelNotFound.vanished_commit(
        cause, repo=source.hf.repo, commit=source.hf.revision, refs=refs
    )


def _not_found(pin: HubPin, snapshot: RepoSnapshot) -> ModelNotFound:
    return ModelNotFound.missing_files(
        pin.unmatched,
        repo=pin.repo,
        revision=pin.revision,
        commit=pin.commit,
        listing=[f.path for f in snapshot.files],
        model=pin.name,
    )


def _log_event(event: DownloadEvent) -> None:
    # The registry's only events are retries; a wait of seconds should not look like a hang.
    if isinstance(event, Retrying):
        logger.warning(
            "%s: the Hub did not answer (%s); asking again in %.0f s",
            event.model,
            event.reason,
            event.delay,
        )
