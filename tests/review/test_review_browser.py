"""The review page in a real browser: Debian's headless Chromium opens it from disk."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from pathlib import Path

import av
from browser import needs_chromium, render
from vcp_testing.cli import Result
from vcp_testing.reports import ALLOWED_ID, make_report, sample_segments

from vcp.report import load_report, write_report

Run = Callable[..., Result]
pytestmark = needs_chromium


def _page(run: Run, source: Path, *extra: str) -> Path:
    result = run("review", source, *extra)
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip())


def _jpeg_width(data_url: str) -> int:
    jpeg = base64.b64decode(data_url.split(",", 1)[1])
    with av.open(io.BytesIO(jpeg), format="image2pipe") as still:
        return next(still.decode(video=0)).width


def test_page_shows_every_segment_still_and_masked_word(
    film: tuple[Path, Path], run: Run, tmp_path: Path
) -> None:
    video, _ = film
    page = _page(run, video)
    assert page == video.parent / "film.vcp.html"
    dom = render(page, tmp_path)
    root = dom.select("html")[0].attrs
    assert root.get("data-ready") == "1" and "data-error" not in root
    assert dom.console == []  # no errors, no warnings, not even a log line
    segments = sample_segments()
    bands = dom.select("a", "band")
    assert sorted(int(b.attrs["data-segment"]) for b in bands) == [s.id for s in segments]
    visual = [s.id for s in segments if s.kind == "video"]
    stills = [img.attrs["src"] for img in dom.select("img")]
    assert len(stills) == len(visual)
    assert all(src.startswith("data:image/jpeg;base64,") for src in stills)
    assert {_jpeg_width(src) for src in stills} == {160}
    words = {td.text for td in dom.select("td", "words")}
    assert words == {"f**k", "s**t", "g** d**n", "m**********r"}
    allowed = [r for r in dom.select("tr", "segment") if "allowed" in r.classes]
    assert [int(r.attrs["data-segment"]) for r in allowed] == [ALLOWED_ID]


def test_saved_report_is_accepted_and_export_honours_it(
    film: tuple[Path, Path], run: Run, tmp_path: Path
) -> None:
    video, report = film
    page = _page(run, report)
    # ?allow=2 clicks segment 2's toggle; ?dump shows what Save would download.
    dom = render(page, tmp_path, "allow=2&dump")
    assert "data-error" not in dom.select("html")[0].attrs
    faded = [e.attrs["data-segment"] for e in dom.elements if "allowed" in e.classes]
    assert sorted(faded) == ["2", "2", "5", "5"]  # the band and the row of each allowed segment
    assert dom.by_id("status").text == "4 of 6 segments will be acted on"
    saved = tmp_path / "film.vcp.json"
    saved.write_text(dom.by_id("vcp-saved").text, encoding="utf-8")
    edited = load_report(saved)
    original = load_report(report)
    assert [s.allow for s in edited.segments] == [s.id in (2, ALLOWED_ID) for s in edited.segments]
    assert edited.model_copy(update={"segments": original.segments}) == original
    write_report(edited, report)
    assert run("export", video, "--format", "vtt").returncode == 0
    assert "f**k" not in (video.parent / "film.vcp.vtt").read_text()  # segment 2's word


def test_hostile_report_strings_stay_text(tmp_path: Path, run: Run) -> None:
    evil = '</script><img src=x onerror="document.title=1"><b>'
    segments = [s.model_copy(update={"category": evil}) for s in sample_segments()[:2]]
    video = tmp_path / "missing.mp4"  # no film: the page is made without stills
    report = make_report(video, segments).model_copy(update={"input": make_report(video).input})
    path = tmp_path / "evil.vcp.json"
    write_report(report, path)
    dom = render(_page(run, path), tmp_path)
    assert dom.select("html")[0].attrs.get("data-ready") == "1"
    assert dom.select("img") == [] and dom.select("b") == []
    assert dom.console == []
    chips = [span.text for span in dom.select("span", "chip")]
    assert evil in chips[-1]


def _with_uncertain(report: Path, ids: tuple[int, ...]) -> None:
    """Mark segments ``ids`` (and their hits) uncertain in the report file."""
    loaded = load_report(report)
    segments = tuple(
        s.model_copy(
            update={
                "uncertain": True,
                "detections": tuple(d.model_copy(update={"uncertain": True}) for d in s.detections),
            }
        )
        if s.id in ids
        else s
        for s in loaded.segments
    )
    write_report(loaded.model_copy(update={"segments": segments}), report)


def test_uncertain_segments_are_marked_counted_and_can_be_listed_alone(
    film: tuple[Path, Path], run: Run, tmp_path: Path
) -> None:
    _, report = film
    _with_uncertain(report, (3, 6))
    page = _page(run, report)
    dom = render(page, tmp_path, "shown")
    assert "data-error" not in dom.select("html")[0].attrs and dom.console == []
    assert dom.by_id("uncertain-count").text == "2 of 6 segments uncertain: check these"
    rows = {int(r.attrs["data-segment"]): r for r in dom.select("tr", "segment")}
    assert sorted(i for i, r in rows.items() if "uncertain" in r.classes) == [3, 6]
    badges = dom.select("span", "badge")
    assert [b.text for b in badges] == ["uncertain"] * 3  # the summary's, and one per row
    assert all("threshold" in b.attrs["title"] for b in badges)
    bands = [b for b in dom.select("a", "band") if "uncertain" in b.classes]
    assert sorted(int(b.attrs["data-segment"]) for b in bands) == [3, 6]
    assert all("uncertain" in b.attrs["title"] for b in bands)
    words = {w.text: w.attrs.get("title", "") for w in dom.select("span", "uncertain")}
    assert words == {"s**t": "heard below the threshold (score 0.90)",
                     "m**********r": "heard below the threshold (score 0.90)"}  # fmt: skip
    assert {r.attrs["data-shown"] for r in rows.values()} == {"1"}
    only = render(page, tmp_path, "only-uncertain&shown")
    shown = [int(r.attrs["data-segment"]) for r in only.select("tr", "segment")
             if r.attrs["data-shown"] == "1"]  # fmt: skip
    assert shown == [3, 6]


def test_a_page_without_uncertain_segments_has_no_uncertain_marks(
    film: tuple[Path, Path], run: Run, tmp_path: Path
) -> None:
    video, _ = film
    dom = render(_page(run, video), tmp_path)
    assert dom.select("span", "badge") == []
    assert not any(e.attrs.get("id") == "only-uncertain" for e in dom.elements)
    assert not any("uncertain" in e.classes for e in dom.elements)
