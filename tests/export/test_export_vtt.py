"""The .vcp.vtt subtitles: one cue per flagged segment naming its category, read back as WebVTT."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from player_formats import parse_vtt
from vcp_testing.cli import Result
from vcp_testing.reports import make_report, sample_segments

from vcp.export import write_sidecars

Run = Callable[..., Result]


def test_vtt_shows_category_and_masked_words_over_each_segment(
    film: tuple[Path, Path], run: Run
) -> None:
    video, _ = film
    assert run("export", video, "--format", "vtt").returncode == 0
    cues = parse_vtt((video.parent / "film.vcp.vtt").read_text(encoding="utf-8"))
    active = sorted((s for s in sample_segments() if not s.allow), key=lambda s: s.start)
    assert [(c.start_ms, c.end_ms) for c in cues] == [
        (round(s.start * 1000), round(s.end * 1000)) for s in active
    ]
    texts = {c.identifier: c.text for c in cues}
    assert texts["vcp-1"] == "[faces]"
    assert texts["vcp-2"] == "[profanity] f**k"
    assert "vcp-5" not in texts  # allowed by the user


def test_vtt_escapes_report_strings(tmp_path: Path) -> None:
    segment = sample_segments()[0].model_copy(update={"category": "<i>x</i> & y\n\n--> z"})
    [vtt] = write_sidecars(make_report(tmp_path / "f.mp4", [segment]), ["vtt"], out_dir=tmp_path)
    [cue] = parse_vtt(vtt.read_text(encoding="utf-8"))
    assert cue.text == "[&lt;i&gt;x&lt;/i&gt; &amp; y -&gt; z]"


def test_vtt_labels_the_cues_of_uncertain_segments(tmp_path: Path) -> None:
    sure, unsure = (s for s in sample_segments() if s.id in (2, 3))
    unsure = unsure.model_copy(update={"uncertain": True})
    [vtt] = write_sidecars(
        make_report(tmp_path / "f.mp4", [sure, unsure]), ["vtt"], out_dir=tmp_path
    )
    texts = {c.identifier: c.text for c in parse_vtt(vtt.read_text(encoding="utf-8"))}
    assert texts == {"vcp-2": "[profanity] f**k", "vcp-3": "[profanity, uncertain] s**t"}
