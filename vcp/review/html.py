"""Shared pieces of the review pages: the template, escaping, colours, clock times, summaries."""

from __future__ import annotations

import colorsys
import hashlib
import json
import math
from collections.abc import Iterable
from html import escape
from importlib import resources
from typing import TYPE_CHECKING, Any

from vcp.actions.intervals import union

if TYPE_CHECKING:
    from vcp.report import Report

__all__ = [
    "MAX_ROWS",
    "amount",
    "category_colour",
    "e",
    "flagged_seconds",
    "hms",
    "json_for_script",
    "palette",
    "render_document",
    "tick_label",
    "tick_times",
]

# A page lists at most this many segments (and takes stills for those): a hostile or broken report
# of 100,000 segments must still give a page a browser opens at once. The page says so.
MAX_ROWS = 1000

# The known categories keep their colours on every page (Okabe-Ito: colour-blind-friendly); any
# other takes a colour derived from its name alone, so a category looks the same in every film.
_KNOWN_COLOURS = {
    "profanity": "#d55e00",
    "slurs": "#cc79a7",
    "blasphemy": "#e69f00",
    "nudity": "#0072b2",
}
# Timeline steps a reader counts in: tenths of a second up to hours.
_STEPS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800)
_MAX_TICKS = 9


def e(value: object) -> str:
    """``value`` as text safe inside HTML content and quoted attributes."""
    return escape(str(value), quote=True)


def hms(seconds: float) -> str:
    """``H:MM:SS`` (or ``M:SS`` under an hour) for a timeline tick or a film length."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def amount(seconds: float) -> str:
    """A flagged duration as people say it: ``2.8 s``, ``1 min 12 s``, ``1 h 03 min``."""
    if round(seconds, 1) < 60:
        return f"{seconds:.1f} s"
    if round(seconds) < 3600:
        minutes, secs = divmod(round(seconds), 60)
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours} h {minutes:02d} min"


def tick_times(duration: float) -> tuple[list[float], float]:
    """Round times for the timeline's labels, and the step between them.

    The labels sit at exactly the times they name: every step is a whole number of tenths,
    seconds or minutes (``0:00 0:02 0:04 ...`` on a 14 s film), at most ``_MAX_TICKS`` of them.
    """
    if duration <= 0:
        return [0.0], 1.0
    step = next((s for s in _STEPS if duration / s < _MAX_TICKS), None)
    if step is None:  # a recording of days: whole hours
        step = 3600 * math.ceil(duration / _MAX_TICKS / 3600)
    count = math.floor(duration / step + 1e-9)
    return [round(i * step, 3) for i in range(count + 1)], step


def tick_label(seconds: float, step: float) -> str:
    """``hms`` of a tick, with tenths when the step is under a second (``0:01.5``)."""
    if step >= 1:
        return hms(seconds)
    minutes, secs = divmod(seconds, 60)
    return f"{int(minutes)}:{secs:04.1f}"


def category_colour(category: str) -> str:
    """The colour of ``category`` on every page: a fixed one for vcp's own categories, else one
    derived from the name alone (case ignored)."""
    key = category.strip().casefold()
    if key in _KNOWN_COLOURS:
        return _KNOWN_COLOURS[key]
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    hue = digest[0] / 256
    lightness = 0.38 + digest[1] / 256 * 0.2
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, 0.55)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


def palette(categories: Iterable[str]) -> dict[str, str]:
    """A colour per category (``category_colour`` of each name)."""
    return {name: category_colour(name) for name in set(categories)}


def flagged_seconds(report: Report) -> dict[str, float]:
    """Seconds flagged per category (overlaps counted once), allowed segments left out."""
    spans: dict[str, list[tuple[float, float]]] = {}
    for segment in report.segments:
        if not segment.allow:
            spans.setdefault(segment.category, []).append((segment.start, segment.end))
    return {category: _covered(times) for category, times in sorted(spans.items())}


def _covered(spans: list[tuple[float, float]]) -> float:
    return sum(end - start for start, end in union(spans))


def json_for_script(data: Any) -> str:
    """JSON that cannot end or confuse the ``<script>`` block it sits in.

    ``data`` is a value, or JSON text already (a ``str``). Compact: a report of 100,000 segments
    is tens of megabytes either way, and compact JSON is written and parsed several times faster.
    """
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, code)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_document(*, title: str, body: str, report_name: str = "", data: Any = None) -> str:
    """The whole page: template, inline CSS, body, and (with ``data``) the report and script.

    ``data`` is the report as a value, or as JSON text (see ``json_for_script``).
    """
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
