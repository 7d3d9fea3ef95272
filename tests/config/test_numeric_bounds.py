"""Every numeric setting has a range that makes sense, non-finite numbers are refused, and the
one located line a user reads for a value outside it says the allowed range."""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import annotated_types
import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from vcp.config import Settings, load_settings
from vcp.config.loader import format_loc
from vcp.errors import ConfigError

WriteConfig = Callable[..., Path]

_SPEECH = "  - name: profanity\n    type: speech-profanity\n    model: whisper-tiny-en\n"


def _lines(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(
    ("yaml", "line", "expected"),
    [
        (
            "detectors:\n" + _SPEECH + "    window_seconds: 1e12\n",
            5,
            "detectors[0].window_seconds: must be from 5 to 1800 (got 1000000000000.0)",
        ),
        (
            "processing:\n  frame_interval_seconds: .inf\n",
            2,
            "processing.frame_interval_seconds: must be a finite number from 0.04 to 600 (got inf)",
        ),
        (
            "processing:\n  merge_gap_seconds: -1\n",
            2,
            "processing.merge_gap_seconds: must be from 0 to 600 (got -1)",
        ),
        (
            "detectors:\n" + _SPEECH + "    overlap_seconds: 1e400\n",
            5,
            "detectors[0].overlap_seconds: must be a finite number from 0 to 60 (got inf)",
        ),
        (
            "models:\n  download:\n    max_concurrent_files: 0\n",
            3,
            "models.download.max_concurrent_files: must be from 1 to 64 (got 0)",
        ),
        (
            "models:\n  download:\n    connect_timeout_seconds: 0\n",
            3,
            "models.download.connect_timeout_seconds: must be from 0.1 to 86400 (got 0)",
        ),
        (
            "models:\n  download:\n    retry_backoff_seconds: [1, .nan]\n",
            3,
            "models.download.retry_backoff_seconds[1]: must be a finite number from 0 to 3600 "
            "(got nan)",
        ),
    ],
    ids=[
        "window 1e12",
        "frame interval inf",
        "merge gap -1",
        "overlap 1e400",
        "files",
        "timeout",
        "nan",
    ],
)
def test_a_value_out_of_range_is_one_located_line_with_the_range(
    write_config: WriteConfig, yaml: str, line: int, expected: str
) -> None:
    path = write_config(yaml)
    problems = _lines(path)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}:{line}:")
    assert problems[0].endswith(expected)


def test_config_validate_prints_the_range(write_config: WriteConfig, run: Any) -> None:
    path = write_config("processing:\n  frame_interval_seconds: .inf\n")
    result = run("config", "validate", "-c", path)
    assert result.returncode == 2
    assert "frame_interval_seconds: must be a finite number from 0.04 to 600 (got inf)" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


def test_an_environment_value_out_of_range_names_the_variable_and_the_range(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VCP_PROCESSING__FRAME_INTERVAL_SECONDS", "inf")
    with pytest.raises(ConfigError) as info:
        load_settings()
    (problem,) = [str(p) for p in info.value.problems]
    assert problem == (
        "environment variable VCP_PROCESSING__FRAME_INTERVAL_SECONDS: "
        "processing.frame_interval_seconds: must be a finite number from 0.04 to 600 (got inf)"
    )


# -- every numeric field, found by walking the schema ----------------------------------------------


def _numeric_fields(
    model: type[BaseModel], loc: tuple[str, ...] = ()
) -> Iterator[tuple[str, FieldInfo, list[Any]]]:
    """``(path, field, constraints)`` of every int/float setting (tuple items included)."""
    for name, field in model.model_fields.items():
        yield from _walk(field.annotation, (*loc, name), field, list(field.metadata))


def _walk(
    annotation: Any, loc: tuple[str, ...], field: FieldInfo, metadata: list[Any]
) -> Iterator[tuple[str, FieldInfo, list[Any]]]:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation in (int, float):
        yield format_loc(loc), field, metadata
    elif origin is typing.Annotated:
        yield from _walk(args[0], loc, field, [*metadata, *args[1:]])
    elif origin in (typing.Union, types.UnionType, tuple, dict, list):
        items = args[1:] if origin is dict else args
        for arg in items:
            if arg is not Ellipsis and arg is not type(None):
                yield from _walk(arg, loc, field, _item_metadata(metadata))
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield from _numeric_fields(annotation, loc)


def _item_metadata(metadata: list[Any]) -> list[Any]:
    # A container's length limits do not bound its items; an Annotated item has its own bounds.
    lengths = annotated_types.MaxLen | annotated_types.MinLen
    return [m for m in metadata if not isinstance(m, lengths)]


def _bounds(metadata: list[Any]) -> tuple[float | None, float | None]:
    low = high = None
    for item in metadata:
        for constraint in getattr(item, "metadata", [item]):
            if isinstance(constraint, annotated_types.Ge | annotated_types.Gt):
                low = float(getattr(constraint, "ge", getattr(constraint, "gt", 0)))
            if isinstance(constraint, annotated_types.Le | annotated_types.Lt):
                high = float(getattr(constraint, "le", getattr(constraint, "lt", 0)))
    return low, high


_NUMERIC = list(_numeric_fields(Settings))


def test_the_walk_finds_the_numeric_settings() -> None:
    names = {path for path, _, _ in _NUMERIC}
    assert {
        "processing.frame_interval_seconds",
        "detectors.window_seconds",
        "models.download.retry_backoff_seconds",
        "actions.video.crf",
        "models.sources.size",
    } <= names
    assert len(names) > 30


@pytest.mark.parametrize(("path", "field", "metadata"), _NUMERIC, ids=[p for p, _, _ in _NUMERIC])
def test_every_numeric_setting_has_a_lower_and_an_upper_bound(
    path: str, field: FieldInfo, metadata: list[Any]
) -> None:
    low, high = _bounds(metadata)
    assert low is not None and high is not None, f"{path} is not bounded: {metadata}"
    assert math.isfinite(low) and math.isfinite(high) and low < high
    if isinstance(field.default, int | float) and not isinstance(field.default, bool):
        assert low <= field.default <= high


def test_no_section_takes_infinity_or_nan() -> None:
    sections: list[type[BaseModel]] = []
    stack: list[type[BaseModel]] = [Settings]
    while stack:
        model = stack.pop()
        for field in model.model_fields.values():
            for inner in _models_in(field.annotation):
                if inner not in sections:
                    sections.append(inner)
                    stack.append(inner)
    assert sections
    for section in sections:
        assert section.model_config.get("allow_inf_nan") is False, section.__name__


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)
