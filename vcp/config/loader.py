"""Build the settings once, at the edge: find the file, read it, validate, locate every problem."""

from __future__ import annotations

import difflib
import functools
import os
import re
import types
import typing
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import SettingsError

from vcp.config.environment import setting_names, unparsable_variables, warn_unknown
from vcp.config.merge import MERGE_KEY, MergedConfig, merge_documents
from vcp.config.schema import DetectorSettings, FieldError
from vcp.config.settings import ENV_NESTED_DELIMITER, ENV_PREFIX, Settings
from vcp.config.yaml_io import Loc, YamlDocument, load_yaml, parse_yaml
from vcp.errors import ConfigError, ConfigProblem

CONFIG_ENV = "VCP_CONFIG"
BUILTIN_NAME = "<built-in default.yaml>"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Every detector ``type`` (the discriminator of DetectorSettings): a tag in pydantic's error paths.
_DETECTOR_TAGS = frozenset(
    tag
    for kind in typing.get_args(DetectorSettings)
    for tag in typing.get_args(kind.model_fields["type"].annotation)
)


def config_path(path: Path | str | None = None) -> Path | None:
    """The file to read: ``path``, else ``$VCP_CONFIG``, else None (the built-in default)."""
    if path:
        return Path(path)
    env = os.environ.get(CONFIG_ENV)
    return Path(env) if env else None


def default_config_text() -> str:
    """The default configuration shipped inside the package."""
    return resources.files("vcp.config").joinpath("default.yaml").read_text(encoding="utf-8")


def load_document(path: Path | str | None = None) -> YamlDocument:
    """The user's YAML document (see ``config_path``), or the built-in default's when none is
    named. Settings come from it merged over the defaults: see ``settings_from_document``."""
    resolved = config_path(path)
    if resolved is None:
        return default_document()
    return load_yaml(resolved)


def default_document() -> YamlDocument:
    """The built-in default configuration, parsed (a fresh tree: callers may edit it)."""
    return parse_yaml(default_config_text(), source=BUILTIN_NAME)


def load_settings(path: Path | str | None = None) -> Settings:
    """Read, merge over the defaults and with the environment, validate; raises ConfigError with
    located problems."""
    return settings_from_document(load_document(path))


def merged_data(doc: YamlDocument) -> MergedConfig:
    """``doc`` merged over the built-in defaults (vcp.config.merge), each value's origin kept."""
    user = None if doc.source == BUILTIN_NAME else doc
    return merge_documents(_defaults(), user)


def merges_defaults(doc: YamlDocument) -> bool:
    """True when ``doc`` is a user's file merged over the built-in defaults (no
    ``merge_defaults: false`` in it)."""
    if doc.source == BUILTIN_NAME:
        return False
    return not (isinstance(doc.tree, dict) and doc.tree.get(MERGE_KEY) is False)


@functools.cache
def _defaults() -> YamlDocument:
    # Parsed once: the merge only reads it (load_document hands out fresh trees to edit).
    return default_document()


def settings_from_document(doc: YamlDocument) -> Settings:
    """Validate a loaded document, merged over the defaults (with environment overrides), into
    Settings.

    ``VCP_`` variables that name no setting are logged as warnings (with a did-you-mean); a
    variable whose value is wrong is blamed in the error, not the file.
    """
    names = setting_names(Settings, ENV_PREFIX, ENV_NESTED_DELIMITER)
    warn_unknown(os.environ, names, prefix=ENV_PREFIX, delimiter=ENV_NESTED_DELIMITER)
    merged = merged_data(doc)
    try:
        settings = Settings(**merged.data)
    except ValidationError as exc:
        raise ConfigError(list(_problems(exc, merged))) from None
    except SettingsError as exc:  # a section or list variable that is not JSON
        raise unparsable_variables(os.environ, names) from exc
    if doc.source != BUILTIN_NAME:  # remembered for the reports (their `vcp.config`)
        settings._config_file = Path(doc.source)
    return settings


def declared_in_file(doc: YamlDocument, settings: Settings) -> Settings:
    """``settings`` keeping only the sources and detectors ``doc`` itself declares (by name):
    what a command that edits the file (``vcp models pin``) may touch; the rest are defaults."""
    tree: dict[str, Any] = doc.tree if isinstance(doc.tree, dict) else {}
    models = tree.get("models")
    sources = _names(models.get("sources") if isinstance(models, dict) else None)
    detectors = _names(tree.get("detectors"))
    own_models = settings.models.model_copy(
        update={"sources": tuple(s for s in settings.models.sources if s.name in sources)}
    )
    return settings.model_copy(
        update={
            "models": own_models,
            "detectors": tuple(d for d in settings.detectors if d.name in detectors),
        }
    )


def _names(entries: Any) -> set[str]:
    if not isinstance(entries, list):
        return set()
    return {str(e["name"]) for e in entries if isinstance(e, dict) and "name" in e}


def require_detectors(settings: Settings, *, source: str | None = None) -> None:
    """Raise ConfigError unless ``settings`` enables a detector: an analysis without one would
    write an empty report, and an empty report reads as a clean film."""
    if any(detector.enabled for detector in settings.detectors):
        return
    problem = ConfigProblem(
        "detectors", "no detector is enabled: nothing would be analysed", source=source
    )
    raise ConfigError(
        [problem],
        hint="remove `enabled: false` from a detector, or leave `detectors:` out to use the "
        "defaults (`vcp config show` prints what runs)",
    )


# -- turning pydantic's errors into located, readable problems ------------------------------------


def _problems(exc: ValidationError, merged: MergedConfig) -> Iterator[ConfigProblem]:
    for err in exc.errors():
        loc: Loc = tuple(err["loc"])
        error = err.get("ctx", {}).get("error")
        if isinstance(error, FieldError):
            loc, message = loc + error.loc, str(error)
        else:
            message = _message(err, loc)
        env_var = _env_var_for(loc)
        if env_var:
            yield ConfigProblem(format_loc(loc), message, source=f"environment variable {env_var}")
            continue
        origin = merged.origin(_untagged(loc))
        if origin is None:
            yield ConfigProblem(format_loc(loc), message)
            continue
        yield ConfigProblem(
            format_loc(loc), message, source=origin.source, line=origin.line, column=origin.column
        )


def _untagged(loc: Loc) -> Loc:
    """``loc`` without the tag pydantic puts in a tagged union's path (``nudenet``)."""
    return tuple(part for i, part in enumerate(loc) if not _is_tag(loc, i))


def format_loc(loc: Loc) -> str:
    """``('models', 'sources', 1, 'checksum')`` -> ``models.sources[1].checksum``."""
    out = ""
    for i, part in enumerate(loc):
        if _is_tag(loc, i):
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _IDENTIFIER.match(part):  # a file name used as a key: checksums['model.bin']
            out += f"[{part!r}]"
        else:
            out += f".{part}" if out else part
    return out


def _is_tag(loc: Loc, i: int) -> bool:
    return i == 2 and loc[0] == "detectors" and loc[i] in _DETECTOR_TAGS


def _message(err: ErrorDetails, loc: Loc) -> str:
    kind, msg = err["type"], err["msg"]
    if kind in _RANGE_ERRORS:
        return _range_message(err, loc)
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return _unknown_field(loc)
    if kind == "missing":
        return "required field is missing"
    tags = ", ".join(sorted(_DETECTOR_TAGS))
    if kind == "union_tag_invalid":
        return f"unknown type {err['input'].get('type')!r}; use one of: {tags}"
    if kind == "union_tag_not_found":
        return f"missing 'type'; use one of: {tags}"
    shown = repr(err["input"])
    return f"{msg[0].lower()}{msg[1:]} (got {shown})" if len(shown) < 60 else msg


# Pydantic's errors for a number outside its field's bounds, or not finite (inf, nan, 1e400).
_RANGE_ERRORS = frozenset(
    {"greater_than", "greater_than_equal", "less_than", "less_than_equal", "finite_number"}
)


def _range_message(err: ErrorDetails, loc: Loc) -> str:
    """``must be from 5 to 1800 (got 1e12)``: the whole range, whichever bound was crossed."""
    finite = "a finite number " if err["type"] == "finite_number" else ""
    text = f"must be {finite}{_allowed(_constraints_at(loc))}".rstrip()
    return f"{text} (got {_shown(err['input'])})"


def _allowed(constraints: list[Any]) -> str:
    """``from 0 to 60``, ``above 0 and at most 1``, ``at least 1024``... from the constraints."""
    bound = {
        name: _number(getattr(item, name))
        for item in constraints
        for name in ("ge", "gt", "le", "lt")
        if getattr(item, name, None) is not None
    }
    if "ge" in bound and "le" in bound:
        return f"from {bound['ge']} to {bound['le']}"
    sides = [
        f"at least {bound['ge']}" if "ge" in bound else "",
        f"above {bound['gt']}" if "gt" in bound else "",
        f"at most {bound['le']}" if "le" in bound else "",
        f"below {bound['lt']}" if "lt" in bound else "",
    ]
    return " and ".join(side for side in sides if side)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _shown(value: Any) -> str:
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return repr(value)
        return value.strip()
    return repr(value)


def _constraints_at(loc: Loc) -> list[Any]:
    """The numeric constraints (``annotated_types.Ge``...) of the setting at ``loc``."""
    found: list[tuple[Any, list[Any]]] = [(Settings, [])]
    for i, part in enumerate(loc):
        if _is_tag(loc, i):
            found = [(t, m) for t, m in found if _is_detector_type(t, str(part))]
            continue
        found = [step for t, m in found for step in _descend(t, m, part)]
    return [c for _, metadata in found for item in metadata for c in _flatten(item)]


def _descend(
    annotation: Any, metadata: list[Any], part: str | int
) -> Iterator[tuple[Any, list[Any]]]:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        yield from _descend(args[0], [*metadata, *args[1:]], part)
    elif origin in (typing.Union, types.UnionType):
        for arg in args:
            yield from _descend(arg, metadata, part)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(str(part))
        if field is not None:
            yield from _unwrapped(field.annotation, list(field.metadata))
    elif origin in (tuple, list) and isinstance(part, int):
        for arg in args:
            if arg is not Ellipsis:
                yield from _unwrapped(arg, [])
    elif origin is dict and len(args) == 2:
        yield from _unwrapped(args[1], [])


def _unwrapped(annotation: Any, metadata: list[Any]) -> Iterator[tuple[Any, list[Any]]]:
    """``annotation`` without ``Annotated``/``Optional`` wrappers, their constraints kept."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        yield from _unwrapped(args[0], [*metadata, *args[1:]])
    elif origin in (typing.Union, types.UnionType):
        for arg in args:
            if arg is not type(None):
                yield from _unwrapped(arg, metadata)
    else:
        yield annotation, metadata


def _is_detector_type(annotation: Any, tag: str) -> bool:
    field = getattr(annotation, "model_fields", {}).get("type")
    return field is not None and tag in typing.get_args(field.annotation)


def _flatten(item: Any) -> Iterator[Any]:
    """A ``Field(ge=..)`` used inside ``Annotated`` holds its constraints in ``metadata``."""
    yield from getattr(item, "metadata", None) or [item]


def _unknown_field(loc: Loc) -> str:
    name = str(loc[-1])
    known = sorted(_fields_at(loc[:-1]))
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"unknown field {name!r}; did you mean {close[0]!r}?"
    if known:
        return f"unknown field {name!r}; known fields: {', '.join(known)}"
    return f"unknown field {name!r}"


def _fields_at(loc: Loc) -> set[str]:
    """Field names valid at ``loc`` (best effort, for did-you-mean hints)."""
    models: list[type[BaseModel]] = [Settings]
    for part in loc:
        if part in _DETECTOR_TAGS:  # only the fields of the detector type the entry names
            models = [model for model in models if _is_detector_type(model, str(part))]
            continue
        if isinstance(part, int):
            continue
        nxt: list[type[BaseModel]] = []
        for model in models:
            field = model.model_fields.get(part)
            if field is not None:
                nxt.extend(_models_in(field.annotation))
        models = nxt
    return {name for model in models for name in model.model_fields}


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        yield from _models_in(typing.get_args(annotation)[0])
        return
    if origin in (tuple, list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from _models_in(arg)


def _env_var_for(loc: Loc) -> str | None:
    """The environment variable that supplied the value at ``loc``, if one did."""
    environ = {k.upper(): k for k in os.environ}
    parts = [str(p).upper() for i, p in enumerate(loc) if not _is_tag(loc, i)]
    for n in range(len(parts), 0, -1):
        name = ENV_PREFIX + ENV_NESTED_DELIMITER.join(parts[:n])
        if name in environ:
            return environ[name]
    if tuple(parts[:3]) == ("MODELS", "HUB", "ENDPOINT") and "HF_ENDPOINT" in os.environ:
        return "HF_ENDPOINT"
    return None


def source_location(doc: YamlDocument, settings: Settings, name: str) -> str | None:
    """``file:line`` where model source ``name`` is declared (the user's file, else the built-in
    default it came from), for error messages."""
    if not any(source.name == name for source in settings.models.sources):
        return None
    origin = merged_data(doc).origin(("models", "sources", _source_index(settings, name)))
    if origin is None:
        return None
    return f"{origin.source}:{origin.line} (models.sources[{_source_index(settings, name)}])"


def _source_index(settings: Settings, name: str) -> int:
    return next(i for i, s in enumerate(settings.models.sources) if s.name == name)
