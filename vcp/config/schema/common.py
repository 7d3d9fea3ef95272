"""What every section of the schema shares: the strict base model, located errors, path checks."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from vcp.core.relpaths import safe_relpath
from vcp.errors import UnsafePathError

_GLOB_CHARS = frozenset("*?[")


class FieldError(ValueError):
    """A check in a model validator that belongs to one sub-field (``loc`` relative to the model).

    Pydantic reports model-validator errors at the model itself; the loader reads ``loc`` from this
    exception to point the user at the exact line of the offending field.
    """

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


class _Section(BaseModel):
    """A section of the configuration: frozen, and an unknown key is an error, not ignored.

    Every number is finite (``inf``, ``.nan`` and ``1e400``, which YAML reads as infinity, are
    refused) and every numeric field has a lower and an upper bound (tests/config checks both).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def unique_names(section: str, names: Iterable[str]) -> dict[str, int]:
    """Each name's index in ``section``'s list; FieldError at the second use of a name."""
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in seen:
            raise FieldError(
                (section, i, "name"), f"{name!r} is already the name of {section}[{seen[name]}]"
            )
        seen[name] = i
    return seen


def is_pattern(name: str) -> bool:
    """True when a file entry is a glob pattern rather than a literal file name."""
    return any(c in _GLOB_CHARS for c in name)


def _check_relpath(name: str) -> str:
    """``name`` if it is a safe relative path inside a repository (the downloader's own rule)."""
    try:
        safe_relpath(name)
    except UnsafePathError:
        message = f"{name!r} is not a safe relative file name inside the repository"
        raise ValueError(message) from None
    return name


def _check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"expected an http(s) URL, got {value!r}")
    return value
