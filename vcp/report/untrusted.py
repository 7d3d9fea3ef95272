"""A report is user-editable input: the checks that keep a hostile one from crashing its reader.

``parse_json`` refuses what Python's ``json`` accepts and the rest of vcp cannot use: ``NaN`` and
``Infinity``, integers too long to convert, and nesting deeper than any report has (200,000 ``[``
would otherwise end in a ``RecursionError``). Number literals that overflow to infinity
(``1e999``) are refused by the report models (``allow_inf_nan=False``) where they are typed, and
here in the free-form parts (``input.streams``). ``check_times`` refuses times no film has
(``"end": 1e300`` would make player files, stills and cuts of absurd length). All raise
``ReportError`` naming the place.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from vcp.errors import ReportError

if TYPE_CHECKING:
    from vcp.report.model import Report

__all__ = ["MAX_DEPTH", "MAX_SECONDS", "check_times", "parse_json"]

# A report nests 5 levels (segments[i].detections[j].box[k]) plus what ffprobe-like stream
# entries hold; 32 is far above both and far below Python's recursion limit.
MAX_DEPTH = 32
# About 11.6 days: longer than any film or recording vcp is used on, and small enough that every
# time in milliseconds, frames or pixels of a timeline stays an ordinary number.
MAX_SECONDS = 1_000_000.0

_HINT = "fix that value, or re-run `vcp analyze` to write the report again"
# Typed all the way down: pydantic refuses a wrong shape at its first level and a non-finite
# float anywhere, so the walk below skips the bulk of a report.
_TYPED = ("segments", "inference")


class _NotFinite(ValueError):
    def __init__(self, literal: str) -> None:
        super().__init__(literal)
        self.literal = literal


def parse_json(text: str, *, source: str) -> object:
    """``text`` as JSON without ``NaN``/``Infinity`` and at most ``MAX_DEPTH`` levels deep.

    ``source`` names the file in errors; a bad constant is located at its line and column.
    """
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ReportError(
            f"invalid JSON: {exc.msg}",
            where=f"{source}:{exc.lineno}:{exc.colno}",
            hint="fix the JSON there, or re-run `vcp analyze` to write the report again",
        ) from None
    except _NotFinite as exc:
        raise _not_finite(exc.literal, _locate(text, exc.literal, source)) from None
    except RecursionError:
        raise _too_deep(source) from None
    except ValueError as exc:  # an integer literal longer than Python converts (4300 digits)
        raise ReportError(f"invalid JSON: {exc}", where=source, hint=_HINT) from None
    _check_free_form(data, source)
    return data


def check_times(report: Report, *, source: str) -> None:
    """Refuse a report with a time (film length, segment or hit) above ``MAX_SECONDS``."""
    for field, seconds in _times(report):
        if seconds > MAX_SECONDS:
            raise ReportError(
                f"{field}: {seconds:g} s is longer than any film "
                f"(times are at most {MAX_SECONDS:,.0f} s)",
                where=source,
                hint=_HINT,
            )


def _times(report: Report) -> Iterator[tuple[str, float]]:
    yield "input.duration", report.input.duration
    for i, segment in enumerate(report.segments):
        yield f"segments.{i}.start", segment.start
        yield f"segments.{i}.end", segment.end
        for j, hit in enumerate(segment.detections):
            yield f"segments.{i}.detections.{j}.start", hit.start
            yield f"segments.{i}.detections.{j}.end", hit.end


def _refuse_constant(literal: str) -> float:
    raise _NotFinite(literal)


def _locate(text: str, literal: str, source: str) -> str:
    """``source:line:col`` of the first ``literal`` outside a string (best effort)."""
    found = re.search(rf'(?<![\w."]){re.escape(literal)}(?![\w."])', text)
    if found is None:
        return source
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
    return f"{source}:{line}:{column}"


def _check_free_form(data: object, source: str) -> None:
    """Refuse nesting over ``MAX_DEPTH`` and non-finite floats outside ``segments``."""
    top = {k: v for k, v in data.items() if k not in _TYPED} if isinstance(data, dict) else data
    level = [top]
    for _ in range(MAX_DEPTH):
        children = [c for value in level for c in _children(value)]
        for child in children:
            if isinstance(child, float) and not math.isfinite(child):
                raise _not_finite(repr(child), source)
        level = [c for c in children if isinstance(c, dict | list)]
        if not level:
            return
    raise _too_deep(source)


def _children(value: object) -> Iterator[object]:
    if isinstance(value, dict):
        yield from value.values()
    elif isinstance(value, list):
        yield from value


def _not_finite(literal: str, where: str) -> ReportError:
    return ReportError(
        f"{literal} is not a finite number (every number in a report must be)",
        where=where,
        hint=_HINT,
    )


def _too_deep(source: str) -> ReportError:
    return ReportError(
        f"the JSON nests deeper than {MAX_DEPTH} levels; no report does",
        where=source,
        hint="pass the .vcp.json file `vcp analyze` wrote",
    )
