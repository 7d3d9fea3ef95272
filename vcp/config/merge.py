"""A user's configuration merged over the shipped defaults, each value keeping its file and line.

The rules (docs/configuration.md, "How your file combines with the defaults"):

- a section or key the user does not write keeps its default; a section written empty
  (``detectors:`` with nothing under it) is the same as one left out;
- mappings merge key by key, at every depth;
- ``detectors`` and ``models.sources`` merge by ``name``: a user entry named like a default
  changes only the keys it gives, a new name adds an entry. The user's entries come first, in the
  user's order, then the defaults the user did not name. An entry that says *what* it is
  differently replaces the default whole instead: a detector with another ``type``, a source
  with its own ``hf`` or ``url`` (the default's checksums belong to the default's files);
- ``categories`` (a detector's, and ``actions.categories``) is replaced whole: what is listed is
  what runs; so is every other list (``retry_backoff_seconds: [1]``, ``files: [...]``);
- ``merge_defaults: false`` at the top of a file turns all of this off: the file stands alone.

Pure: no files, no environment. ``vcp.config.loader`` parses the two documents and validates the
result; it asks ``MergedConfig.origin`` where a bad value was written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from vcp.config.yaml_io import Loc, YamlDocument, plain_value
from vcp.errors import ConfigError, ConfigProblem

__all__ = ["MERGE_KEY", "NAMED_LISTS", "MergedConfig", "Origin", "merge_documents"]

# The one top-level key that is not a setting: ``merge_defaults: false`` opts out of merging.
MERGE_KEY = "merge_defaults"
# Lists whose entries are matched by their ``name`` key.
NAMED_LISTS: frozenset[Loc] = frozenset({("detectors",), ("models", "sources")})
# A key under which a mapping is replaced whole rather than merged.
_REPLACED_KEYS = frozenset({"categories"})
# Keys of a named entry that say what it is: giving a different one starts the entry afresh.
_IDENTITY_KEYS: dict[Loc, tuple[str, ...]] = {
    ("detectors",): ("type",),
    ("models", "sources"): ("hf", "url"),
}


@dataclass(frozen=True)
class Origin:
    """Where a value was written: a file (or ``<built-in default.yaml>``), 1-based line, column."""

    source: str
    line: int
    column: int


@dataclass
class MergedConfig:
    """The merged settings data, plain, and where each part of it came from."""

    data: dict[str, Any]
    origins: dict[Loc, Origin] = field(default_factory=dict)

    def origin(self, loc: Loc) -> Origin | None:
        """Where the deepest part of ``loc`` present in the merged data was written."""
        for end in range(len(loc), 0, -1):
            found = self.origins.get(loc[:end])
            if found is not None:
                return found
        return None


def merge_documents(defaults: YamlDocument, user: YamlDocument | None) -> MergedConfig:
    """``user`` merged over ``defaults`` by the rules above (``user`` None: the defaults alone).

    A user file with ``merge_defaults: false`` stands alone: nothing is taken from ``defaults``
    (a field it leaves out takes the schema's default; there are no default sources and
    detectors then).
    """
    merger = _Merger(defaults.source, user.source if user is not None else "")
    base = defaults.tree if defaults.tree is not None else CommentedMap()
    if user is None or user.tree is None:
        return MergedConfig(merger.copy(base, defaults.source, ()), merger.origins)
    if MERGE_KEY in user.tree and not _merge_wanted(user):
        return MergedConfig(merger.copy(user.tree, user.source, ()), merger.origins)
    return MergedConfig(merger.merge(base, user.tree, ()), merger.origins)


def _merge_wanted(user: YamlDocument) -> bool:
    value = user.tree[MERGE_KEY]
    if isinstance(value, bool):
        return value
    line, column = user.tree.lc.key(MERGE_KEY)
    problem = ConfigProblem(
        MERGE_KEY,
        f"must be true or false (got {value!r})",
        source=user.source,
        line=line + 1,
        column=column + 1,
    )
    raise ConfigError([problem], hint="false: this file is the whole configuration")


class _Merger:
    """Builds the merged plain data, recording each key's and list item's position as it goes."""

    def __init__(self, base_source: str, over_source: str) -> None:
        self.base_source = base_source
        self.over_source = over_source
        self.origins: dict[Loc, Origin] = {}

    def copy(self, node: Any, source: str, loc: Loc) -> Any:
        """One layer's node as plain data, positions recorded under ``loc``."""
        if isinstance(node, CommentedMap):
            out = {}
            for key, value in _items(node, loc):
                at = self._record(loc, str(key), source, node.lc.key(key))
                out[str(key)] = self.copy(value, source, at)
            return out
        if isinstance(node, CommentedSeq):
            return [
                self.copy(value, source, self._record(loc, i, source, node.lc.item(i)))
                for i, value in enumerate(node)
            ]
        return plain_value(node)

    def merge(self, base: Any, over: Any, loc: Loc) -> Any:
        """``over`` (the user's node) merged over ``base`` (the default's) at ``loc``."""
        if over is None and isinstance(base, CommentedMap | CommentedSeq):
            return self.copy(base, self.base_source, loc)  # `detectors:` written empty
        if loc[-1:] and loc[-1] in _REPLACED_KEYS:
            return self.copy(over, self.over_source, loc)
        if isinstance(base, CommentedMap) and isinstance(over, CommentedMap):
            return self._merge_mapping(base, over, loc)
        if loc in NAMED_LISTS and isinstance(base, CommentedSeq) and isinstance(over, CommentedSeq):
            return self._merge_named(base, over, loc)
        return self.copy(over, self.over_source, loc)

    def _merge_mapping(self, base: CommentedMap, over: CommentedMap, loc: Loc) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in base.items():
            if key not in over:
                at = self._record(loc, str(key), self.base_source, base.lc.key(key))
                out[str(key)] = self.copy(value, self.base_source, at)
        for key, value in _items(over, loc):
            at = self._record(loc, str(key), self.over_source, over.lc.key(key))
            if key in base:
                out[str(key)] = self.merge(base[key], value, at)
            else:
                out[str(key)] = self.copy(value, self.over_source, at)
        return out

    def _merge_named(self, base: CommentedSeq, over: CommentedSeq, loc: Loc) -> list[Any]:
        defaults = {_name(entry): entry for entry in base if _name(entry) is not None}
        out: list[Any] = []
        for i, entry in enumerate(over):
            at = self._record(loc, len(out), self.over_source, over.lc.item(i))
            default = defaults.pop(_name(entry), None)  # only the first entry of a name merges
            if default is not None and _same_kind(default, entry, _IDENTITY_KEYS[loc]):
                out.append(self.merge(default, entry, at))
            else:
                out.append(self.copy(entry, self.over_source, at))
        for i, entry in enumerate(base):
            if _name(entry) in defaults:  # the defaults the user did not name, in their order
                at = self._record(loc, len(out), self.base_source, base.lc.item(i))
                out.append(self.copy(entry, self.base_source, at))
        return out

    def _record(self, loc: Loc, part: str | int, source: str, position: Any) -> Loc:
        """Note where ``loc + part`` was written; return that path."""
        at = (*loc, part)
        if position is not None:  # None: a node added to the tree in memory, not read from text
            line, column = position
            self.origins[at] = Origin(source, int(line) + 1, int(column) + 1)
        return at


def _items(node: CommentedMap, loc: Loc) -> list[tuple[Any, Any]]:
    """A mapping's items, without the top-level ``merge_defaults`` (a loader directive)."""
    return [(k, v) for k, v in node.items() if loc or k != MERGE_KEY]


def _name(entry: Any) -> str | None:
    name = entry.get("name") if isinstance(entry, Mapping) else None
    return name if isinstance(name, str) else None


def _same_kind(default: CommentedMap, entry: Any, identity: tuple[str, ...]) -> bool:
    """True when ``entry`` changes ``default`` rather than describing something else."""
    if not isinstance(entry, CommentedMap):
        return False
    if identity == ("type",):
        return "type" not in entry or entry["type"] == default.get("type")
    return not any(key in entry for key in identity)
