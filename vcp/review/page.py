"""The review page of one film: a timeline of flagged segments, and a table to allow each one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from vcp.review.html import e, flagged_seconds, hms, palette, render_document

if TYPE_CHECKING:
    from vcp.report import Report, Segment

__all__ = ["render_page"]

_TICKS = 8


def render_page(report: Report, *, report_name: str, stills: Mapping[int, str]) -> str:
    """The page for ``report``; ``stills`` maps segment ids to ``data:image/jpeg`` URLs.

    Saving writes the report, with the allow flags as edited, under ``report_name``.
    """
    colours = palette(s.category for s in report.segments)
    body = "\n".join(
        [
            _header(report),
            "<main>",
            _timeline(report, colours),
            _table(report, colours, stills),
            "</main>",
        ]
    )
    data = report.model_dump(mode="json")
    title = f"vcp review: {report.input.name}"
    return render_document(title=title, body=body, report_name=report_name, data=data)


def _header(report: Report) -> str:
    flagged = sum(1 for s in report.segments if not s.allow)
    return (
        f"<header><h1>{e(report.input.name)}</h1>"
        f'<span class="facts">{hms(report.input.duration)} &middot; '
        f"{len(report.segments)} segments</span>"
        f'<span class="spacer"></span><span class="status" id="status">{flagged} of '
        f"{len(report.segments)} segments will be acted on</span>"
        '<button id="save" type="button" title="Download the report with your allow choices">'
        "Save edited report</button></header>"
    )


def _timeline(report: Report, colours: Mapping[str, str]) -> str:
    minutes = flagged_seconds(report)
    legend = "".join(
        f'<span class="chip" style="--c:{colours[c]}">{e(c)} &middot; {_amount(s)}</span>'
        for c, s in minutes.items()
    )
    lanes = "".join(_lane(report, kind, colours) for kind in ("video", "audio"))
    return (
        f'<section class="card"><h2>Timeline</h2><div class="legend">{legend}</div>'
        f'<div class="timeline">{lanes}{_ticks(report.input.duration)}</div></section>'
    )


def _amount(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 60 else f"{seconds / 60:.1f} min"


def _lane(report: Report, kind: str, colours: Mapping[str, str]) -> str:
    duration = max(report.input.duration, 1e-6)
    bands = []
    for s in (s for s in report.segments if s.kind == kind):
        left = min(100.0, 100 * s.start / duration)
        width = min(100.0 - left, 100 * (s.end - s.start) / duration)
        label = e(f"{s.category} {s.start_time} to {s.end_time}")
        bands.append(
            f'<a class="band{" allowed" if s.allow else ""}" href="#seg-{s.id}" '
            f'data-segment="{s.id}" data-category="{e(s.category)}" '
            f'style="--c:{colours[s.category]};left:{left:.4f}%;width:{width:.4f}%" '
            f'title="{label}" aria-label="{label}"></a>'
        )
    name = "picture" if kind == "video" else "speech"
    label = f'<span class="lane-name">{name}</span>'
    return f'<div class="lane" data-kind="{kind}">{label}{"".join(bands)}</div>'


def _ticks(duration: float) -> str:
    marks = "".join(
        f'<span style="left:{100 * i / _TICKS:.2f}%">{hms(duration * i / _TICKS)}</span>'
        for i in range(_TICKS + 1)
    )
    return f'<div class="ticks">{marks}</div>'


def _table(report: Report, colours: Mapping[str, str], stills: Mapping[int, str]) -> str:
    rows = "".join(_row(s, colours, stills.get(s.id)) for s in report.segments) or (
        '<tr><td colspan="7" class="none">Nothing was flagged in this film.</td></tr>'
    )
    head = (
        "<tr><th>#</th><th>time</th><th>category</th><th>what</th><th>labels</th>"
        "<th>confidence</th><th>allow</th></tr>"
    )
    return f'<section class="card"><h2>Segments</h2><table>{head}{rows}</table></section>'


def _row(s: Segment, colours: Mapping[str, str], still: str | None) -> str:
    allowed = " allowed" if s.allow else ""
    checked = " checked" if s.allow else ""
    return (
        f'<tr id="seg-{s.id}" class="segment{allowed}" data-segment="{s.id}" data-kind="{s.kind}">'
        f"<td>{s.id}</td>"
        f'<td class="time">{e(s.start_time)} &ndash; {e(s.end_time)}</td>'
        f'<td><span class="chip" style="--c:{colours[s.category]}">{e(s.category)}</span></td>'
        f"{_what(s, still)}"
        f"<td>{e(', '.join(s.labels))}</td>"
        f"<td>{'-' if s.confidence is None else f'{s.confidence:.2f}'}</td>"
        f'<td><label class="allow"><input type="checkbox" class="allow" data-id="{s.id}"'
        f"{checked}> allow</label></td></tr>"
    )


def _what(s: Segment, still: str | None) -> str:
    if s.kind == "video":
        if still:
            return f'<td class="thumb"><img alt="frame at {e(s.start_time)}" src="{e(still)}"></td>'
        return '<td class="thumb"><span class="none">no still</span></td>'
    words = [d.masked for d in s.detections if d.masked]
    text = e(" ".join(words)) if words else '<span class="none">(no words)</span>'
    return f'<td class="words">{text}</td>'
