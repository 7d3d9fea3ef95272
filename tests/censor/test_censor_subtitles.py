"""What users get from subtitles in `vcp censor`: words speech missed muted, subtitle streams and
files masked in its output (and the sample's own subtitles in its export too). Real CLI runs on
real films; `vcp export --format srt`: tests/export/test_export_srt.py."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
from vcp_testing.censor_films import CLI
from vcp_testing.subtitles import LINES, read_subtitle_texts, with_subtitles


def _loudness(path: Path, start: float, end: float) -> float:
    with av.open(str(path)) as inp:
        chunks = [
            f.to_ndarray().reshape(-1)
            for f in inp.decode(audio=0)
            if f.time is not None and start <= f.time and f.time + f.samples / f.rate <= end
        ]
    return float(np.sqrt(np.mean(np.concatenate(chunks) ** 2)))


def test_a_word_only_the_subtitles_say_is_muted_by_censor(
    cli: CLI, plain_film: Path, tmp_path: Path, subtitles_only: Path
) -> None:
    film = with_subtitles(plain_film, tmp_path / "movie.mp4", LINES, codec="mov_text")
    assert cli("analyze", film, "-c", subtitles_only, "--progress", "none").returncode == 0
    report = json.loads((tmp_path / "movie.vcp.json").read_text())
    (first,) = report["segments"]  # "fuck" and "shit", under 2 s apart, join
    hit = first["detections"][0]
    assert (hit["detector"], hit["word"], hit["source"]) == (
        "subtitles",
        "fuck",
        "subtitle stream 2",
    )
    assert (first["start"], first["end"], first["kind"]) == (0.5, 2.8, "audio")

    out = tmp_path / "clean.mp4"
    result = cli("censor", film, "-o", out, "-c", subtitles_only, "--progress", "none")
    assert result.returncode == 0, result.stderr
    assert _loudness(film, 0.7, 1.3) > 0.05
    assert _loudness(out, 0.7, 1.3) < 1e-4  # the cue's time is muted: speech was not asked
    texts = [t for _, t in read_subtitle_texts(out)]
    assert any(b"What the f*** is this?" in t for t in texts)
    assert not any(b"fuck" in t or b"shit" in t for t in texts)


@pytest.mark.parametrize(("codec", "suffix"), [("subrip", ".mkv"), ("ass", ".mkv")])
def test_censor_masks_every_text_subtitle_stream_it_copies(
    cli: CLI, plain_film: Path, tmp_path: Path, subtitles_only: Path, codec: str, suffix: str
) -> None:
    film = with_subtitles(plain_film, tmp_path / f"movie{suffix}", LINES, codec=codec, streams=2)
    cli("analyze", film, "-c", subtitles_only, "--progress", "none")
    out = tmp_path / f"clean{suffix}"
    result = cli("censor", film, "-o", out, "-c", subtitles_only, "--progress", "none")
    assert result.returncode == 0, result.stderr
    for index in (2, 3):
        texts = b"\n".join(t for _, t in read_subtitle_texts(out, index=index))
        assert b"f***" in texts and b"s*" in texts and b"classic assistant" in texts
        assert b"fuck" not in texts and b"shit" not in texts
    assert [t for t, _ in read_subtitle_texts(out)] == [t for t, _ in read_subtitle_texts(film)]


def test_censor_writes_a_cleaned_copy_of_the_subtitle_file_beside_its_output(
    cli: CLI, plain_film: Path, tmp_path: Path, subtitles_only: Path
) -> None:
    film = tmp_path / "movie.mp4"
    film.write_bytes(plain_film.read_bytes())
    own = "1\n00:00:01,000 --> 00:00:02,000\nYou <i>bastard</i>!\n"
    (tmp_path / "movie.en.srt").write_text(own)
    cli("analyze", film, "-c", subtitles_only, "--progress", "none")
    (tmp_path / "out").mkdir()
    result = cli("censor", film, "-o", tmp_path / "out" / "clean.mp4", "-c", subtitles_only,
                 "--progress", "none")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "You <i>b******</i>!" in (tmp_path / "out" / "clean.en.srt").read_text()
    assert (tmp_path / "movie.en.srt").read_text() == own  # the user's file is only read


def test_the_samples_own_subtitles_are_masked_in_its_censored_copy_and_export(
    cli: CLI, tmp_path: Path
) -> None:
    from vcp_testing.analysed import analysed_film

    film, report = analysed_film(tmp_path)
    found = json.loads(report.read_text())
    assert {d["detector"] for s in found["segments"] for d in s["detections"]} >= {"subtitles"}
    result = cli("censor", film, "-o", tmp_path / "clean.mp4", "--progress", "none")
    assert result.returncode == 0, result.stderr
    texts = b"".join(data for _, data in read_subtitle_texts(tmp_path / "clean.mp4"))
    assert b"What the f*** is this?" in texts and b"This is s***." in texts
    assert b"fuck" not in texts and b"shit" not in texts and b"motherfucker" not in texts
    assert cli("export", film, "--format", "srt").returncode == 0
    cleaned = (tmp_path / "movie.clean.srt").read_text()
    assert "What the f*** is this?" in cleaned and "Hello, and welcome to the show." in cleaned
