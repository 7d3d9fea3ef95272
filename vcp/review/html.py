"""Shared pieces of the review pages: the template, escaping, colours, clock times, summaries."""

from __future__ import annotations

import json
from collections.abc import Iterable
from html import escape
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vcp.report import Report

__all__ = ["e", "flagged_seconds", "hms", "json_for_script", "palette", "render_document"]

# Colour-blind-friendly (Okabe-Ito, then Tableau); categories take them in name order.
_COLOURS = ("#d55e00", "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#8c564b", "#7f7f7f")


def e(value: object) -> str:
    """``value`` as text safe inside HTML content and quoted attributes."""
    return escape(str(value), quote=True)


def hms(seconds: float) -> str:
    """``H:MM:SS`` (or ``M:SS`` under an hour) for a timeline tick or a film length."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def palette(categories: Iterable[str]) -> dict[str, str]:
    """A colour per category, stable for a given set of names."""
    names = sorted(set(categories), key=str.lower)
    return {name: _COLOURS[i % len(_COLOURS)] for i, name in enumerate(names)}


def flagged_seconds(report: Report) -> dict[str, float]:
    """Seconds flagged per category (overlaps counted once), allowed segments left out."""
    spans: dict[str, list[tuple[float, float]]] = {}
    for segment in report.segments:
        if not segment.allow:
            spans.setdefault(segment.category, []).append((segment.start, segment.end))
    return {category: _covered(times) for category, times in sorted(spans.items())}


def _covered(spans: list[tuple[float, float]]) -> float:
    total, reach = 0.0, float("-inf")
    for start, end in sorted(spans):
        start = max(start, reach)
        if end > start:
            total += end - start
        reach = max(reach, end)
    return total


def json_for_script(data: Any) -> str:
    """JSON that cannot end or confuse the ``<script>`` block it sits in."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, code)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_document(*, title: str, body: str, report_name: str = "", data: Any = None) -> str:
    """The whole page: template, inline CSS, body, and (with ``data``) the report and script."""
    return _asset("review.html").format(
        title=e(title),
        report_name=e(report_name),
        css=_asset("review.css"),
        body=body,
        report_json=json_for_script(data) if data is not None else "null",
        script=f"<script>\n{_asset('review.js')}</script>" if data is not None else "",
    )


def _asset(name: str) -> str:
    return resources.files("vcp.review").joinpath(name).read_text(encoding="utf-8")
