"""The review page of one film: a timeline of flagged segments, and a table to allow each one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from vcp.actions.intervals import union_groups
from vcp.review.html import (
    MAX_ROWS,
    amount,
    e,
    flagged_seconds,
    hms,
    palette,
    render_document,
    tick_label,
    tick_times,
)

if TYPE_CHECKING:
    from vcp.report import Report, Segment

__all__ = ["MAX_BANDS", "MAX_LEGEND", "render_page"]

# Past this many segments on a lane, the lane draws each category's segments joined where they
# are closer than 1/1000 of the film (a pixel or so), and says so.
MAX_BANDS = 1000
MAX_LEGEND = 24  # categories named in the legend; the rest are counted
_RESOLUTION = 1000


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
    data = report.model_dump_json()  # the whole report, always: Save writes it back
    title = f"vcp review: {report.input.name}"
    return render_document(title=title, body=body, report_name=report_name, data=data)


def _header(report: Report) -> str:
    flagged = sum(1 for s in report.segments if not s.allow)
    return (
        f"<header><h1>{e(report.input.name)}</h1>"
        f'<span class="facts">{hms(report.input.duration)} &middot; '
        f"{len(report.segments)} segments{_uncertain_fact(report)}</span>"
        f'<span class="spacer"></span><span class="status" id="status">{flagged} of '
        f"{len(report.segments)} segments will be acted on</span>"
        '<button id="save" type="button" title="Download the report with your allow choices">'
        "Save edited report</button></header>"
    )


def _uncertain_fact(report: Report) -> str:
    count = sum(1 for s in report.segments if s.uncertain)
    return f" &middot; {count} uncertain" if count else ""


def _timeline(report: Report, colours: Mapping[str, str]) -> str:
    lanes = [_lane(report, kind, colours) for kind in ("video", "audio")]
    notes = "".join(f'<p class="note">{note}</p>' for _, note in lanes if note)
    return (
        f'<section class="card"><h2>Timeline</h2><div class="legend">{_legend(report, colours)}'
        f'</div><div class="timeline">{"".join(lane for lane, _ in lanes)}'
        f"{_ticks(report.input.duration)}</div>{notes}</section>"
    )


def _legend(report: Report, colours: Mapping[str, str]) -> str:
    flagged = flagged_seconds(report)
    chips = [
        f'<span class="chip" style="--c:{colours[c]}">{e(c)} &middot; {amount(s)}</span>'
        for c, s in list(flagged.items())[:MAX_LEGEND]
    ]
    if len(flagged) > MAX_LEGEND:
        chips.append(f'<span class="more">and {len(flagged) - MAX_LEGEND} more categories</span>')
    return "".join(chips)


def _lane(report: Report, kind: str, colours: Mapping[str, str]) -> tuple[str, str]:
    """The lane's HTML, and a note when it had too many segments to draw one by one."""
    duration = max(report.input.duration, 1e-6)
    segments = [s for s in report.segments if s.kind == kind]
    name = "picture" if kind == "video" else "speech"
    note = ""
    if len(segments) <= MAX_BANDS:
        bands = [_band(s, colours, duration) for s in segments]
    else:
        bands = _joined_bands(segments, colours, duration)[:MAX_BANDS]
        note = (
            f"The {name} lane draws its {len(segments)} segments as {len(bands)} bands: "
            "segments of one category closer than a thousandth of the film are joined."
        )
    label = f'<span class="lane-name">{name}</span>'
    return f'<div class="lane" data-kind="{kind}">{label}{"".join(bands)}</div>', note


def _band(s: Segment, colours: Mapping[str, str], duration: float) -> str:
    unsure = " (uncertain: check it)" if s.uncertain else ""
    label = e(f"{s.category} {s.start_time} to {s.end_time}{unsure}")
    classes = "band" + (" allowed" if s.allow else "") + (" uncertain" if s.uncertain else "")
    return (
        f'<a class="{classes}" href="#seg-{s.id}" '
        f'data-segment="{s.id}" data-category="{e(s.category)}" '
        f'style="--c:{colours[s.category]};{_place(s.start, s.end, duration)}" '
        f'title="{label}" aria-label="{label}"></a>'
    )


def _joined_bands(
    segments: list[Segment], colours: Mapping[str, str], duration: float
) -> list[str]:
    """One band per category and stretch, segments closer than ``duration / _RESOLUTION`` joined
    (allowed ones left out: they would be drawn faded, under the rest)."""
    gap = duration / _RESOLUTION
    by_category: dict[str, list[Segment]] = {}
    for s in segments:
        if not s.allow:
            by_category.setdefault(s.category, []).append(s)
    bands: list[tuple[float, str]] = []
    for category, members in by_category.items():
        groups = union_groups(members, key=lambda s: (s.start, s.end + gap))
        for start, end, joined in groups:
            label = e(f"{category}: {len(joined)} segments, {hms(start)} to {hms(end - gap)}")
            bands.append(
                (
                    start,
                    f'<span class="band joined" data-category="{e(category)}" '
                    f'style="--c:{colours[category]};{_place(start, end - gap, duration)}" '
                    f'title="{label}" aria-label="{label}"></span>',
                )
            )
    return [html for _, html in sorted(bands, key=lambda band: band[0])]


def _place(start: float, end: float, duration: float) -> str:
    left = min(100.0, 100 * start / duration)
    width = min(100.0 - left, 100 * (end - start) / duration)
    return f"left:{left:.4f}%;width:{width:.4f}%"


def _ticks(duration: float) -> str:
    """Labels at round times, each centred on the place of its time on the lanes."""
    times, step = tick_times(duration)
    marks = "".join(
        f'<span data-seconds="{t:g}" style="left:{100 * t / duration if duration > 0 else 0:.4f}%">'
        f"{tick_label(t, step)}</span>"
        for t in times
    )
    return f'<div class="ticks">{marks}</div>'


def _table(report: Report, colours: Mapping[str, str], stills: Mapping[int, str]) -> str:
    shown = report.segments[:MAX_ROWS]
    rows = "".join(_row(s, colours, stills.get(s.id)) for s in shown) or (
        '<tr><td colspan="7" class="none">Nothing was flagged in this film.</td></tr>'
    )
    head = (
        "<tr><th>#</th><th>time</th><th>category</th><th>what</th><th>labels</th>"
        "<th>confidence</th><th>allow</th></tr>"
    )
    note = _uncertain_summary(report)
    if len(report.segments) > len(shown):
        note += (
            f'<p class="note" id="rows-note">Showing the first {len(shown)} of '
            f"{len(report.segments)} segments. Save keeps every segment; to allow one not "
            'shown, set <code>"allow": true</code> on it in the report.</p>'
        )
    return (
        f'<section class="card"><h2>Segments</h2>{note}<table id="segments">{head}{rows}</table>'
        "</section>"
    )


_UNSURE = "every hit in it was heard (or seen) below its detector's threshold: check it"


def _uncertain_summary(report: Report) -> str:
    """``3 of 12 segments uncertain: check these``, and a filter to list only those."""
    count = sum(1 for s in report.segments if s.uncertain)
    if not count:
        return ""
    return (
        f'<p class="uncertain-summary" id="uncertain-summary"><span class="badge" '
        f'title="{e(_UNSURE)}">uncertain</span> <span id="uncertain-count">{count} of '
        f"{len(report.segments)} segments uncertain: check these</span>"
        '<label class="filter"><input type="checkbox" id="only-uncertain"> list only these'
        "</label></p>"
    )


def _row(s: Segment, colours: Mapping[str, str], still: str | None) -> str:
    allowed = " allowed" if s.allow else ""
    allowed += " uncertain" if s.uncertain else ""
    checked = " checked" if s.allow else ""
    return (
        f'<tr id="seg-{s.id}" class="segment{allowed}" data-segment="{s.id}" data-kind="{s.kind}">'
        f"<td>{s.id}</td>"
        f'<td class="time">{e(s.start_time)} &ndash; {e(s.end_time)}</td>'
        f'<td><span class="chip" style="--c:{colours[s.category]}">{e(s.category)}</span></td>'
        f"{_what(s, still)}"
        f"<td>{e(', '.join(s.labels))}</td>"
        f"<td>{'-' if s.confidence is None else f'{s.confidence:.2f}'}{_badge(s)}</td>"
        f'<td><label class="allow"><input type="checkbox" class="allow" data-id="{s.id}"'
        f"{checked}> allow</label></td></tr>"
    )


def _what(s: Segment, still: str | None) -> str:
    if s.kind == "video":
        if still:
            return f'<td class="thumb"><img alt="frame at {e(s.start_time)}" src="{e(still)}"></td>'
        return '<td class="thumb"><span class="none">no still</span></td>'
    words = [
        _word(d.masked, uncertain=d.uncertain, score=d.score) for d in s.detections if d.masked
    ]
    text = " ".join(words) if words else '<span class="none">(no words)</span>'
    return f'<td class="words">{text}</td>'


def _badge(s: Segment) -> str:
    if not s.uncertain:
        return ""
    return f' <span class="badge" title="{e(_UNSURE)}">uncertain</span>'


def _word(masked: str, *, uncertain: bool, score: float | None) -> str:
    if not uncertain:
        return f'<span class="word">{e(masked)}</span>'
    heard = "heard below the threshold" + ("" if score is None else f" (score {score:.2f})")
    return f'<span class="word uncertain" title="{e(heard)}">{e(masked)}</span>'
