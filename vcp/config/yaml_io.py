"""The one adapter between YAML files and vcp: ruamel.yaml in round-trip mode.

Round-trip loading keeps comments, key order and each node's line and column, so validation errors
point at ``file:line:col`` and later rewrites (``vcp models pin``) keep a user's comments.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, MarkedYAMLError, YAMLError
from ruamel.yaml.tokens import CommentToken

from vcp.config.yaml_budget import MAX_CONFIG_BYTES, check_aliases, too_large
from vcp.core.atomic import atomic_write_text
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
        return plain_value(self.tree) if self.tree is not None else {}


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


def plain_value(node: Any) -> Any:
    """A round-trip node as plain dicts, lists and builtin scalars."""
    if isinstance(node, Mapping):
        return {str(k): plain_value(v) for k, v in node.items()}
    if isinstance(node, Sequence) and not isinstance(node, str):
        return [plain_value(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    for kind in (str, int, float):  # ruamel's scalar subclasses -> builtins
        if isinstance(node, kind):
            return kind(node)
    return node


def load_yaml(path: Path) -> YamlDocument:
    """Read ``path``; a missing file or bad syntax is a located ConfigError."""
    try:
        text = _read_capped(path)
    except FileNotFoundError:
        raise ConfigError(
            [ConfigProblem("", "configuration file not found", source=str(path))],
            hint="check the path given with -c/--config or VCP_CONFIG",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        problem = ConfigProblem("", f"cannot read: {exc}", source=str(path))
        raise ConfigError([problem], hint="it must be a readable UTF-8 text file") from exc
    return parse_yaml(text, source=str(path))


def _read_capped(path: Path) -> str:
    # Read one byte past the cap rather than trusting stat(): /dev/zero or a FIFO has no size.
    with path.open("rb") as fh:
        data = fh.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise too_large(max(len(data), path.stat().st_size), source=str(path))
    return data.decode("utf-8")


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
        problem = ConfigProblem("", f"invalid YAML: {exc}", source=source)
        raise ConfigError([problem], hint="fix the YAML syntax") from exc
    except RecursionError:
        problem = ConfigProblem("", "invalid YAML: nested too deeply", source=source)
        raise ConfigError(
            [problem], hint="a configuration needs a few levels, not hundreds"
        ) from None
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
            ],
            hint="start from configs/default.yaml (`vcp config show` prints the settings)",
        )
    check_aliases(tree, source=source)
    return YamlDocument(source=source, tree=tree)


def dump_yaml(data: Any) -> str:
    """Render data (a round-trip tree or plain values) as YAML text."""
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def write_yaml(doc: YamlDocument, path: Path) -> None:
    """Write a (possibly edited) document back, atomically, comments preserved."""
    text = dump_yaml(doc.tree)
    atomic_write_text(path, text, durable=True)


# -- editing a round-trip tree without moving anyone's comments ------------------------------------
#
# ruamel keeps the comment lines that follow a value (a blank line, "# Vision: ..." before the next
# source) in the comment token of the last scalar before them, after its end-of-line comment. A key
# inserted or removed next to that scalar would carry those lines to the wrong place, so the helpers
# below move them along: they always stay just before whatever came next in the file.


def set_eol_comment(mapping: CommentedMap, key: Any, text: str) -> None:
    """Set the end-of-line comment of ``key`` (a scalar value), keeping the lines that follow it."""
    entry = mapping.ca.items.setdefault(key, [None, None, None, None])
    old = entry[2]
    head, rest = _split_token(old)
    column = _value_end(mapping, key) + 2
    if head.strip() and old is not None:
        column = max(column, old.column)
    entry[2] = CommentToken(f"# {text}\n{rest}", CommentMark(column), None)


def eol_comment(mapping: CommentedMap, key: Any) -> str | None:
    """The end-of-line comment of ``key`` without its ``#``, or None."""
    head, _ = _split_token((mapping.ca.items.get(key) or [None] * 4)[2])
    return head.strip().removeprefix("#").strip() or None


def replace_scalar(node: CommentedMap | CommentedSeq, key: Any, value: Any) -> None:
    """Replace a scalar (a mapping's value or a list item); an end-of-line comment after it moves
    right by as much as the value grew, so it stays as far from the value as before."""
    grow = len(str(value)) - len(str(node[key]))
    node[key] = value
    if isinstance(node, CommentedMap):
        token = (node.ca.items.get(key) or [None] * 4)[2]
    elif node.fa.flow_style():  # `[a, b]  # ...`: one comment after the whole list
        token = node.ca.comment[0] if node.ca.comment else None
    else:
        token = (node.ca.items.get(key) or [None])[0]
    if grow > 0 and token is not None and _split_token(token)[0].strip():
        token.start_mark.column += grow


def insert_after(
    mapping: CommentedMap, after: Any, key: Any, value: Any, *, comment: str | None = None
) -> None:
    """Insert ``key: value`` right after ``after`` (the end when None), comments kept in place."""
    keys = list(mapping)
    if after is None and keys:
        after = keys[-1]
    rest = _take_trailing(mapping, after) if after is not None else ""
    mapping.insert(keys.index(after) + 1 if after is not None else 0, key, value)
    if comment is not None:
        set_eol_comment(mapping, key, comment)
    _give_trailing(mapping, key, rest)


def remove(node: CommentedMap | CommentedSeq, key: Any) -> None:
    """Delete a key (or a list index); the comment lines after it stay where they were."""
    keys = list(node) if isinstance(node, CommentedMap) else list(range(len(node)))
    position = keys.index(key)
    rest = _take_trailing(node, key)
    node.ca.items.pop(key, None)
    del node[key]
    if position > 0:
        _give_trailing(node, keys[position - 1], rest)


def _is_block(value: Any) -> bool:
    if not isinstance(value, CommentedMap | CommentedSeq) or not value:
        return False
    return not value.fa.flow_style()


def _holder(node: CommentedMap | CommentedSeq, key: Any) -> tuple[Any, Any, int]:
    """The container, key and slot of the comment token after ``key``'s value (deepest last)."""
    value = node[key]
    if _is_block(value):
        last = list(value)[-1] if isinstance(value, CommentedMap) else len(value) - 1
        return _holder(value, last)
    # A mapping keeps a key's end-of-line comment in slot 2, a sequence an item's in slot 0.
    return node, key, 2 if isinstance(node, CommentedMap) else 0


def _split_token(token: CommentToken | None) -> tuple[str, str]:
    """A token's value as (end-of-line comment, the lines after it)."""
    if token is None:
        return "", ""
    head, _, rest = token.value.partition("\n")
    return head, rest


def _take_trailing(node: Any, key: Any) -> str:
    container, at, slot = _holder(node, key)
    entry = container.ca.items.get(at)
    token = entry[slot] if entry else None
    head, rest = _split_token(token)
    if token is not None and rest:
        if head.strip():
            token.value = head + "\n"
        else:
            entry[slot] = None
    return rest


def _give_trailing(node: Any, key: Any, rest: str) -> None:
    if not rest:
        return
    container, at, slot = _holder(node, key)
    entry = container.ca.items.setdefault(at, [None, None, None, None])
    token = entry[slot]
    if token is None:
        entry[slot] = CommentToken("\n" + rest, CommentMark(0), None)
    else:
        token.value = token.value + ("" if token.value.endswith("\n") else "\n") + rest


def _value_end(mapping: CommentedMap, key: Any) -> int:
    """The column just after ``key``'s value as it will be written (a guess for new keys)."""
    try:
        _, column = mapping.lc.value(key)
    except (KeyError, TypeError):  # a key added since loading: `key: value` at the map's column
        column = (mapping.lc.col or 0) + len(str(key)) + 2
    return int(column) + len(str(mapping[key]))
