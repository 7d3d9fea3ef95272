"""The one adapter between YAML files and vcp: ruamel.yaml in round-trip mode.

Round-trip loading keeps comments, key order and each node's line and column, so validation errors
point at ``file:line:col`` and later rewrites (``vcp models pin``) keep a user's comments.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from vcp.errors import ConfigError, ConfigProblem

Loc = tuple[str | int, ...]


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    # ruamel writes None as an empty value; keep the explicit `null` users write (`cache_dir: null`)
    # so that rewriting a file changes only what was edited.
    yaml.representer.add_representer(type(None), _represent_null)
    return yaml


def _represent_null(representer: Any, _data: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


@dataclass
class YamlDocument:
    """A loaded YAML file: its round-trip tree (comments and positions kept) and its name."""

    source: str
    tree: Any

    def locate(self, loc: Loc) -> tuple[int, int] | None:
        """1-based (line, column) of the deepest node of ``loc`` present in the file."""
        node, found = self.tree, None
        for part in loc:
            position, node = _step(node, part)
            if position is _SKIP:
                continue
            if position is None:
                break
            found = position
        return (found[0] + 1, found[1] + 1) if found else None

    def plain(self) -> dict[str, Any]:
        """The document as plain dicts, lists and scalars, ready for validation."""
        return _plain(self.tree) if self.tree is not None else {}


_SKIP: Any = object()


def _step(node: Any, part: str | int) -> tuple[Any, Any]:
    if isinstance(node, CommentedMap):
        if part in node:
            return node.lc.key(part), node[part]
        # Tagged unions put the tag ("nudenet") in the error path; it is not a key in the file.
        if isinstance(part, str) and node.get("type") == part:
            return _SKIP, node
    if isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
        return node.lc.item(part), node[part]
    return None, None


def _plain(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, Sequence) and not isinstance(node, str):
        return [_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    for kind in (str, int, float):  # ruamel's scalar subclasses -> builtins
        if isinstance(node, kind):
            return kind(node)
    return node


def load_yaml(path: Path) -> YamlDocument:
    """Read ``path``; a missing file or bad syntax is a located ConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            [ConfigProblem("", "configuration file not found", source=str(path))],
            hint="check the path given with -c/--config or VCP_CONFIG",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigProblem("", f"cannot read: {exc}", source=str(path))]) from exc
    return parse_yaml(text, source=str(path))


def parse_yaml(text: str, *, source: str) -> YamlDocument:
    """Parse YAML text; syntax errors become a ConfigError at the offending line."""
    try:
        tree = _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = ConfigProblem(
            "",
            f"invalid YAML: {exc.problem or exc.context}",
            source=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        )
        raise ConfigError([problem], hint="fix the YAML syntax at that line") from exc
    except YAMLError as exc:
        raise ConfigError([ConfigProblem("", f"invalid YAML: {exc}", source=source)]) from exc
    if tree is not None and not isinstance(tree, CommentedMap):
        raise ConfigError(
            [
                ConfigProblem(
                    "",
                    "the top level must be a mapping (models:, detectors:, ...)",
                    source=source,
                    line=1,
                    column=1,
                )
            ]
        )
    return YamlDocument(source=source, tree=tree)


def dump_yaml(data: Any) -> str:
    """Render data (a round-trip tree or plain values) as YAML text."""
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def write_yaml(doc: YamlDocument, path: Path) -> None:
    """Write a (possibly edited) document back, atomically, comments preserved."""
    text = dump_yaml(doc.tree)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
