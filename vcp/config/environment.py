"""Which ``VCP_*`` variables are settings, and what to say about those that are not.

pydantic-settings reads only the variables whose names it expects, so a misspelt section
(``VCP_MODLES__CACHE_DIR``) or a single underscore (``VCP_MODELS_CACHE_DIR``) would be ignored in
silence and the user left wondering why the cache went elsewhere. A misspelt *field* inside a known
section already fails validation (the schema forbids unknown keys); this module covers the rest.
"""

from __future__ import annotations

import difflib
import json
import logging
import typing
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel

from vcp.errors import ConfigError, ConfigProblem

__all__ = ["NOT_SETTINGS", "setting_names", "unknown_variables", "unparsable_variables"]

logger = logging.getLogger(__name__)

# VCP_ variables that are read elsewhere and are not settings.
NOT_SETTINGS = frozenset({"VCP_CONFIG", "VCP_MIRROR_TOKEN"})


def setting_names(model: type[BaseModel], prefix: str, delimiter: str) -> dict[str, bool]:
    """Every variable name that sets a field of ``model``, nested sections included; the value
    says whether the variable takes JSON (a section, a list or a mapping) rather than a scalar."""
    names: dict[str, bool] = {}
    for field, info in model.model_fields.items():
        name = f"{prefix}{field}".upper()
        section = _section(info.annotation)
        names[name] = section is not None or _is_container(info.annotation)
        if section is not None:
            names.update(setting_names(section, name + delimiter, delimiter))
    return names


def _section(annotation: Any) -> type[BaseModel] | None:
    """The model a field nests (``Optional`` unwrapped), or None for scalars and lists."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, typing.Annotated):
        found = [m for arg in typing.get_args(annotation) if (m := _section(arg)) is not None]
        return found[0] if len(found) == 1 else None
    return None


def _is_container(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, typing.Annotated):
        return any(_is_container(arg) for arg in typing.get_args(annotation))
    return origin in (list, tuple, dict, set, frozenset) or annotation in (list, tuple, dict)


def unknown_variables(
    environ: Mapping[str, str], names: Mapping[str, bool], *, prefix: str, delimiter: str
) -> Iterator[tuple[str, str | None]]:
    """``(variable, closest setting name or None)`` for each ``prefix`` variable that sets nothing.

    A variable inside a known section (``VCP_MODELS__X``) is left to validation, which reports an
    unknown field as an error with its own did-you-mean.
    """
    sections = tuple(name + delimiter for name in names)
    for variable in sorted(environ):
        upper = variable.upper()
        if not upper.startswith(prefix) or upper in NOT_SETTINGS or upper in names:
            continue
        if upper.startswith(sections):
            continue
        close = difflib.get_close_matches(upper, [*names, *NOT_SETTINGS], n=1, cutoff=0.75)
        yield variable, close[0] if close else None


def warn_unknown(environ: Mapping[str, str], names: Mapping[str, bool], **naming: str) -> None:
    """Log a warning, with a did-you-mean, for each variable ``unknown_variables`` finds."""
    for variable, close in unknown_variables(environ, names, **naming):
        guess = f"; did you mean {close}?" if close else ""
        logger.warning(
            "environment variable %s is not a vcp setting and is ignored%s", variable, guess
        )


def unparsable_variables(environ: Mapping[str, str], names: Mapping[str, bool]) -> ConfigError:
    """The error for values pydantic-settings could not parse as JSON, naming each variable."""
    problems = []
    for variable in sorted(environ):
        if not names.get(variable.upper()):
            continue
        try:
            json.loads(environ[variable])
        except ValueError as exc:
            problems.append(
                ConfigProblem(
                    "", f"not valid JSON: {exc}", source=f"environment variable {variable}"
                )
            )
    if not problems:  # pydantic-settings failed on something else: say what we know
        problems.append(ConfigProblem("", "a VCP_ variable's value could not be parsed"))
    return ConfigError(
        problems,
        hint="sections and lists take JSON, e.g. "
        'VCP_MODELS__DOWNLOAD__RETRY_BACKOFF_SECONDS="[1, 2]"',
    )
