"""Bounds on what a YAML file may cost to read: its size, and what its aliases expand to.

An alias (``*name``) is a reference, so nine lines of nested aliases (a "billion laughs") parse in
milliseconds into a tree that would take 9**9 values to walk. ruamel shares the referenced objects,
so the cost appears only later, when the tree is turned into plain data and validated. Measuring the
expanded size with one memoised walk over the shared objects is linear in the file, and refuses the
document before anything expands it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from vcp.errors import ConfigError, ConfigProblem

__all__ = ["MAX_ALIAS_VALUES", "MAX_CONFIG_BYTES", "check_aliases", "too_large"]

MAX_CONFIG_BYTES = 1 << 20  # 1 MiB: the default configuration is about 10 KiB
MAX_ALIAS_VALUES = 10_000  # values aliases may add in one file; real configs reuse a few dozen

_ALIAS_HINT = "write the values out, or reuse fewer nested &anchors with *aliases"


def too_large(size: int, *, source: str) -> ConfigError:
    """The error for a configuration file of ``size`` bytes, over ``MAX_CONFIG_BYTES``."""
    problem = ConfigProblem(
        "", f"the file is {size} bytes, more than a configuration may be (1 MiB)", source=source
    )
    return ConfigError([problem], hint="point -c/--config or VCP_CONFIG at the YAML configuration")


def check_aliases(tree: Any, *, source: str, budget: int = MAX_ALIAS_VALUES) -> None:
    """Raise a ConfigError at the alias that makes the document expand past ``budget`` values."""
    sizes: dict[int, int] = {}
    spent = 0
    for parent, key, child in _edges(tree):
        spent += _size(child, sizes, set())
        if spent > budget:
            line, column = _position(parent, key)
            message = (
                f"aliases expand to more than {budget} values (a YAML bomb?); "
                "vcp does not expand them"
            )
            problem = ConfigProblem("", message, source=source, line=line, column=column)
            raise ConfigError([problem], hint=_ALIAS_HINT)


def _edges(tree: Any) -> Iterator[tuple[Any, Any, Any]]:
    """Every container met a second time (an alias), with its parent and key, in file order.

    A depth-first walk that descends into each object once, however often it is referenced: the
    cost of the repeats is what ``_size`` measures.
    """
    seen: set[int] = {id(tree)}
    stack: list[tuple[Any, Any, Any]] = [(None, None, tree)]
    while stack:
        parent, key, node = stack.pop()
        if id(node) in seen and parent is not None:
            yield parent, key, node
            continue
        seen.add(id(node))
        containers = [
            (k, c) for k, c in _children(node) if isinstance(c, CommentedMap | CommentedSeq)
        ]
        stack.extend((node, k, c) for k, c in reversed(containers))


def _children(node: Any) -> Iterator[tuple[Any, Any]]:
    if isinstance(node, CommentedMap):
        yield from node.items()  # merged keys (`<<: *base`) included
    elif isinstance(node, CommentedSeq):
        yield from enumerate(node)


def _size(node: Any, sizes: dict[int, int], path: set[int]) -> int:
    """How many values ``node`` stands for once every alias in it is expanded (memoised)."""
    if not isinstance(node, CommentedMap | CommentedSeq):
        return 1
    if id(node) in sizes:
        return sizes[id(node)]
    if id(node) in path:  # a node that contains itself would expand forever
        return MAX_ALIAS_VALUES + 1
    path.add(id(node))
    total = 1 + sum(_size(child, sizes, path) for _, child in _children(node))
    path.discard(id(node))
    sizes[id(node)] = total
    return total


def _position(parent: Any, key: Any) -> tuple[int | None, int | None]:
    """1-based line and column of ``parent[key]``, else of ``parent`` (merged keys have none)."""
    try:
        line, column = (
            parent.lc.key(key) if isinstance(parent, CommentedMap) else parent.lc.item(key)
        )
    except (KeyError, IndexError, TypeError, AttributeError):
        line, column = parent.lc.line, parent.lc.col
    if line is None:
        return None, None
    return int(line) + 1, int(column) + 1
