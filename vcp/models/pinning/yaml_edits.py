"""Pins written into a config's ruamel round-trip tree, so every comment and blank line stays.

    apply_hub / apply_url / apply_upgrade    the edits of one plan
    apply_plan(tree, plan)                   all of a ``PinPlan``'s edits; whether any was made
    check_tree_matches(tree, settings)       the tree holds the sources the settings came from

A pin leaves a note on what it replaced ("main, pinned 2026-11-23"), so the diff a user reviews
says where the commit came from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from ruamel.yaml.comments import CommentedMap

from vcp.config.settings import Settings
from vcp.config.yaml_io import eol_comment, insert_after, remove, replace_scalar, set_eol_comment
from vcp.errors import ConfigError, ConfigProblem
from vcp.models.pinning.plan import HubPin, PinPlan, UrlPin
from vcp.models.pinning.upgrade import Reference

__all__ = ["apply_hub", "apply_plan", "apply_upgrade", "apply_url", "check_tree_matches"]

# The note a pin leaves on the revision line ("main, pinned 2026-11-23"); a later pin replaces it.
_PIN_NOTE = re.compile(r"^\S+, pinned \d{4}-\d{2}-\d{2};?\s*")


def apply_plan(tree: CommentedMap, plan: PinPlan, *, force: bool, today: date) -> bool:
    """Make every edit of ``plan`` in ``tree``; True when anything changed."""
    nodes = {str(n.get("name")): n for n in _source_nodes(tree)}
    changed = bool(plan.refs)
    apply_upgrade(tree, plan.refs)
    for pin in plan.hub.values():
        if pin.changes(force=force):
            apply_hub(nodes[pin.name], pin, force=force, today=today)
            changed = True
    for url in plan.urls.values():
        if url.changes():
            apply_url(nodes[url.name], url, today=today)
            changed = True
    return changed


# -- Hub sources --------------------------------------------------------------------------------


def apply_hub(node: CommentedMap, pin: HubPin, *, force: bool, today: date) -> None:
    """Write ``pin`` into a source's YAML node: the commit, then the checksums."""
    if not pin.revision_pinned:
        _pin_revision(node["hf"], pin, today=today)
    updates = {path: pin.checksums[path] for path in pin.missing}
    drops: list[str] = []
    if force:
        updates.update({m.file: m.hub for m in pin.mismatches if m.hub is not None})
        drops = [m.file for m in pin.mismatches if m.hub is None]
    if updates or drops:
        _pin_checksums(node, updates, drops=drops)


def _pin_revision(hf: CommentedMap, pin: HubPin, *, today: date) -> None:
    note = f"{pin.revision}, pinned {today.isoformat()}"
    if hf.fa.flow_style():  # `hf: {repo: ..., files: [...]}` with a commit would not fit a line
        hf.fa.set_block_style()
    if "revision" not in hf:  # the default, main
        insert_after(hf, "repo" if "repo" in hf else None, "revision", pin.commit, comment=note)
        return
    kept = _PIN_NOTE.sub("", eol_comment(hf, "revision") or "")
    hf["revision"] = pin.commit
    set_eol_comment(hf, "revision", f"{note}; {kept}" if kept else note)


def _pin_checksums(node: CommentedMap, updates: dict[str, str], *, drops: Sequence[str]) -> None:
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


# -- URL sources and deprecated ones -------------------------------------------------------------


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


# -- reading the tree ----------------------------------------------------------------------------


def check_tree_matches(tree: CommentedMap | None, settings: Settings) -> None:
    """Raise ``ConfigError`` unless ``tree`` has the sources and detectors of ``settings``."""
    # pin edits the file; the settings may differ from it only by values, not by which sources
    # and detectors exist (VCP_MODELS__SOURCES would make the two disagree).
    in_file = [str(n.get("name")) for n in _source_nodes(tree)]
    detectors = [str(n.get("name")) for n in _items(tree, "detectors")]
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
