"""What a reader sees on review pages: flagged time in seconds on the folder page, tick labels at
the times they name, a category's colour the same on every page, and a report of thousands of
segments summarised (and saying so) instead of drawn one by one."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from browser import needs_chromium, render
from vcp_testing.cli import Result
from vcp_testing.reports import film_with_report, make_report, sample_segments

from vcp.report import Segment, SegmentDetection, write_report
from vcp.review.html import MAX_ROWS, amount, category_colour, tick_label, tick_times
from vcp.review.page import MAX_BANDS

Run = Callable[..., Result]
_TINY_JPEG = "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2w=="


def _word(sid: int, start: float, end: float, category: str = "profanity") -> Segment:
    hit = SegmentDetection(
        detector="profanity", label=category, score=0.9, start=start, end=end, masked="w**d"
    )
    return Segment(
        id=sid,
        start=start,
        end=end,
        category=category,
        kind="audio",
        labels=(category,),
        detections=(hit,),
    )


def _picture(sid: int, start: float, end: float, category: str = "nudity") -> Segment:
    return Segment(
        id=sid,
        start=start,
        end=end,
        category=category,
        kind="video",
        labels=("X",),
        thumbnail=_TINY_JPEG,
    )


# -- the folder page counts seconds ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0.0 s"), (2.8, "2.8 s"), (59.9, "59.9 s"), (72, "1 min 12 s"), (3780, "1 h 03 min")],
)
def test_flagged_time_reads_in_seconds_minutes_or_hours(seconds: float, text: str) -> None:
    assert amount(seconds) == text


def test_the_folder_page_shows_seconds_for_a_short_flagged_time(tmp_path: Path, run: Run) -> None:
    folder = tmp_path / "films"
    video, report = film_with_report(folder, "short.mp4")
    write_report(make_report(video, [_word(1, 3.0, 5.8)]), report)
    assert run("review", folder, "--no-stills").returncode == 0
    html = (folder / "vcp-review.html").read_text(encoding="utf-8")
    (row,) = re.findall(r'<tr class="film">(.*?)</tr>', html)
    cells = re.findall(r'<td class="num"[^>]*>([^<]*)</td>', row)
    assert cells == ["0:14", "2.8 s", "2.8 s"]  # length, profanity, total


# -- tick labels sit at their times ----------------------------------------------------------------


@pytest.mark.parametrize("duration", [0.7, 2.0, 14.0, 59.0, 95.5, 600.0, 5400.0, 7300.0, 1e6])
def test_tick_labels_name_round_times_and_at_most_nine(duration: float) -> None:
    times, step = tick_times(duration)
    assert times[0] == 0 and times[-1] <= duration < times[-1] + step
    assert 1 <= len(times) <= 9
    assert all(_seconds(tick_label(t, step)) == pytest.approx(t) for t in times)


def _seconds(label: str) -> float:
    total = 0.0
    for part in label.split(":"):
        total = total * 60 + float(part)
    return total


def test_tick_labels_are_placed_at_the_fraction_of_the_film_they_name(
    tmp_path: Path, run: Run
) -> None:
    report = tmp_path / "r.vcp.json"
    write_report(make_report(tmp_path / "gone.mp4", sample_segments()), report)
    assert run("review", report, "--no-stills").returncode == 0
    html = (tmp_path / "r.vcp.html").read_text(encoding="utf-8")
    ticks = re.findall(r'<span data-seconds="[^"]*" style="left:([\d.]+)%">([^<]+)</span>', html)
    assert [label for _, label in ticks] == ["0:00", "0:02", "0:04", "0:06", "0:08", "0:10",
                                             "0:12", "0:14"]  # fmt: skip
    for left, label in ticks:
        assert float(left) == pytest.approx(100 * _seconds(label) / 14.0, abs=1e-3)


@needs_chromium
@pytest.mark.parametrize("duration", [14.0, 3.3, 95.5])
def test_in_a_browser_each_tick_label_is_centred_on_its_time(
    tmp_path: Path, run: Run, duration: float
) -> None:
    base = make_report(tmp_path / "gone.mp4", sample_segments()[:2])
    report = base.model_copy(update={"input": base.input.model_copy(update={"duration": duration})})
    path = tmp_path / "r.vcp.json"
    write_report(report, path)
    assert run("review", path, "--no-stills").returncode == 0
    dom = render(tmp_path / "r.vcp.html", tmp_path, "layout")
    timeline = dom.select("div", "timeline")[0].attrs
    left, width = float(timeline["data-lane-left"]), float(timeline["data-lane-width"])
    ticks = [span for span in dom.elements if span.tag == "span" and "data-x" in span.attrs]
    assert len(ticks) >= 4
    for tick in ticks:
        where = left + width * _seconds(tick.text) / duration
        assert float(tick.attrs["data-x"]) == pytest.approx(where, abs=1.5), tick.text


# -- colours are a function of the category's name -------------------------------------------------


def _chip_colours(html: str) -> dict[str, str]:
    return dict(
        (name, colour)
        for colour, name in re.findall(r'class="chip" style="--c:(#[0-9a-f]{6})">([^<&]+)', html)
    )


def test_a_category_has_the_same_colour_on_every_page(tmp_path: Path, run: Run) -> None:
    one = [_word(1, 1.0, 2.0, "gore"), _picture(2, 3.0, 4.0, "nudity")]
    two = [
        _word(1, 1.0, 2.0, "blasphemy"),
        _word(2, 2.0, 3.0, "alcohol"),
        _word(3, 3.0, 4.0, "gore"),
        _word(4, 5.0, 6.0, "Nudity"),
    ]
    colours = []
    for name, segments in (("one", one), ("two", two)):
        report = tmp_path / f"{name}.vcp.json"
        write_report(make_report(tmp_path / "gone.mp4", segments), report)
        assert run("review", report, "--no-stills").returncode == 0
        colours.append(_chip_colours((tmp_path / f"{name}.vcp.html").read_text(encoding="utf-8")))
    first, second = colours
    assert first["gore "] == second["gore "] == category_colour("gore")
    assert first["nudity "] == second["Nudity "] == "#0072b2"  # fixed, case ignored
    assert len(set(second.values())) == 4


def test_the_known_categories_have_distinct_fixed_colours() -> None:
    known = [category_colour(c) for c in ("profanity", "slurs", "blasphemy", "nudity")]
    assert len(set(known)) == 4
    assert category_colour("Profanity ") == category_colour("profanity")


# -- thousands of segments ------------------------------------------------------------------------


def _many(count: int) -> list[Segment]:
    out = []
    for i in range(count):
        start = (i * 7919 % 13_000) / 1000
        kind = _picture if i % 2 else _word
        out.append(kind(i + 1, start, start + 0.4, ("gore", "nudity", "profanity")[i % 3]))
    return out


def test_a_page_of_thousands_of_segments_lists_the_first_and_says_so(
    tmp_path: Path, run: Run
) -> None:
    count = 3 * MAX_ROWS
    report = tmp_path / "many.vcp.json"
    write_report(make_report(tmp_path / "gone.mp4", _many(count)), report)
    assert run("review", report).returncode == 0
    html = (tmp_path / "many.vcp.html").read_text(encoding="utf-8")
    assert html.count('<tr id="seg-') == MAX_ROWS
    assert f"Showing the first {MAX_ROWS} of {count} segments" in html
    assert html.count("<img ") <= MAX_ROWS  # stills only for the rows shown
    assert html.count('class="band') <= 2 * MAX_BANDS
    assert re.search(rf"The picture lane draws its {count // 2} segments as \d+ bands", html)
    assert f'"id":{count},' in html  # Save still writes every segment back


@needs_chromium
def test_a_page_of_thousands_of_segments_opens_and_saves_them_all(tmp_path: Path, run: Run) -> None:
    count = 3 * MAX_ROWS
    report = tmp_path / "many.vcp.json"
    write_report(make_report(tmp_path / "gone.mp4", _many(count)), report)
    assert run("review", report, "--no-stills").returncode == 0
    dom = render(tmp_path / "many.vcp.html", tmp_path, "allow=3&dump")
    assert dom.select("html")[0].attrs.get("data-ready") == "1"
    assert dom.by_id("status").text == f"{count - 1} of {count} segments will be acted on"
    assert dom.by_id("vcp-saved").text.count('"allow": true') == 1
