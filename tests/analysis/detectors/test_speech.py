"""The speech-profanity detector on the real whisper tiny.en model and the committed sample."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import av
import numpy as np
import pytest
from pydantic import ValidationError
from vcp_testing.damage import damage_audio_packet
from vcp_testing.sample_speech import SpokenWord, spoken_words

from vcp.analysis.detectors import DecodeProblem, Detection, Progress, Step
from vcp.analysis.detectors.speech import SpeechProfanityDetector
from vcp.analysis.detectors.words import WordMatcher
from vcp.config.schema import FieldError, ProcessingSettings
from vcp.config.schema import SpeechProfanitySettings as SpeechSettings
from vcp.errors import DetectorError
from vcp.media.probe import probe

Load = Callable[..., SpeechProfanityDetector]


@pytest.fixture(scope="module")
def truth(sample_video: Path) -> list[SpokenWord]:
    return spoken_words(sample_video.with_name("sample.truth.json"))


@pytest.fixture(scope="module")
def load(whisper_model_dir: Path) -> Load:
    def load(**settings: Any) -> SpeechProfanityDetector:
        config = SpeechSettings(name="profanity", type="speech-profanity", model="w", **settings)
        return SpeechProfanityDetector.load(
            config, whisper_model_dir, processing=ProcessingSettings()
        )

    return load


@pytest.fixture(scope="module")
def detector(load: Load) -> SpeechProfanityDetector:
    return load()


@pytest.fixture(scope="module")
def sample_steps(detector: SpeechProfanityDetector, sample_video: Path) -> list[Step]:
    return list(detector.scan(probe(sample_video)))


def detections(steps: list[Step]) -> list[Detection]:
    return [s for s in steps if isinstance(s, Detection)]


def assert_finds_every_word_once(found: list[Detection], truth: list[SpokenWord]) -> None:
    """One hit per spoken word, in its category, in its sentence, on time within what whisper's
    kernels allow on any CPU (tests/vcp_testing/tolerances.py)."""
    assert len(found) == len(truth), [(d.word, d.start) for d in found]
    for hit, word in zip(found, truth, strict=True):
        assert hit.category == word.category, (hit, word)
        assert not word.problems(hit.start, hit.end), (word.problems(hit.start, hit.end), hit)


def test_every_profane_word_of_the_sample_is_found_on_time(
    sample_steps: list[Step], truth: list[SpokenWord]
) -> None:
    assert_finds_every_word_once(detections(sample_steps), truth)


def test_the_model_runs_with_the_compute_type_asked_for(
    detector: SpeechProfanityDetector, pytestconfig: pytest.Config
) -> None:
    # `--compute-type float32` must reach CTranslate2, or its run proves nothing
    asked = pytestconfig.getoption("--compute-type") or "int8"
    assert detector._model.model.compute_type in (asked, f"{asked}_float32")


def test_a_word_placed_in_the_wrong_sentence_or_late_is_refused(
    truth: list[SpokenWord],
) -> None:
    shit, damn = truth[1], truth[2]
    assert not shit.problems(5.78, 7.22)  # stretched over the pause after "This is shit."
    assert shit.problems(7.5, 7.9)  # in "God damn that was loud."
    assert shit.problems(5.7, 8.2)  # over the next sentence's words
    assert damn.problems(7.6, 9.0)  # a word inside its sentence does not run on


def test_detections_name_the_entry_the_words_and_a_mask(sample_steps: list[Step]) -> None:
    got = [(d.detector, d.label, d.word, d.masked) for d in detections(sample_steps)]
    assert got[0] == ("profanity", "fuck*", "fuck", "f**k")
    assert got[-1] == ("profanity", "motherfuck*", "motherfucker", "m**********r")
    assert all(
        0.4 <= d.score <= 1.0 and isinstance(d.score, float) for d in detections(sample_steps)
    )


def test_steps_are_in_time_order_and_progress_reaches_the_end(sample_steps: list[Step]) -> None:
    progress = [s.seconds for s in sample_steps if isinstance(s, Progress)]
    # progress comes before the end too; how often is whisper's segment count, which depends on
    # the CPU's kernels (3 steps here, 2 with MKL's AVX2 int8 GEMMs: docs/benchmarks.md)
    assert len(progress) >= 2 and progress[0] < progress[-1] and progress == sorted(progress)
    assert progress[-1] == pytest.approx(14.0, abs=0.1)
    done = 0.0
    for step in sample_steps:
        if isinstance(step, Progress):
            done = step.seconds
        elif isinstance(step, Detection):
            assert step.end >= done, f"{step} reported after progress reached {done}"


@pytest.mark.slow
@pytest.mark.parametrize(("window", "overlap"), [(7.0, 3.0), (5.0, 2.0)])
def test_a_word_heard_by_two_windows_is_reported_once(
    load: Load, sample_video: Path, truth: list[SpokenWord], window: float, overlap: float
) -> None:
    detector = load(window_seconds=window, overlap_seconds=overlap)
    assert_finds_every_word_once(detections(list(detector.scan(probe(sample_video)))), truth)


def test_two_files_at_once_from_two_threads_give_the_same_detections(
    detector: SpeechProfanityDetector, sample_video: Path, sample_steps: list[Step]
) -> None:
    media = probe(sample_video)
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: detections(list(detector.scan(media))), range(2)))
    alone = [(d.label, round(d.start, 2)) for d in detections(sample_steps)]
    assert [[(d.label, round(d.start, 2)) for d in run] for run in runs] == [alone, alone]


def test_the_configured_lists_and_allow_list_decide_what_is_reported(
    load: Load, sample_video: Path
) -> None:
    detector = load(categories=["profanity"], allow=["shit*"], words={"rude": ["motherfucker"]})
    got = [(d.category, d.word) for d in detections(list(detector.scan(probe(sample_video))))]
    # without the blasphemy list, the "damn" of "God damn" is plain profanity
    assert got == [("profanity", "fuck"), ("profanity", "damn"), ("rude", "motherfucker")]


def test_damaged_audio_is_a_notice_and_the_words_after_it_are_found(
    detector: SpeechProfanityDetector,
    sample_video: Path,
    truth: list[SpokenWord],
    tmp_path: Path,
) -> None:
    damaged = damage_audio_packet(sample_video, tmp_path / "damaged.mp4", after=0.5)  # "Hello"
    steps = list(detector.scan(probe(damaged)))
    notices = [s for s in steps if isinstance(s, DecodeProblem)]
    assert notices and all(0.4 < n.seconds < 0.7 for n in notices)
    assert_finds_every_word_once(detections(steps), truth)


def test_a_folder_without_a_model_is_a_detector_error(tmp_path: Path) -> None:
    config = SpeechSettings(name="profanity", type="speech-profanity", model="w")
    with pytest.raises(DetectorError, match="cannot load the whisper model") as caught:
        SpeechProfanityDetector.load(config, tmp_path, processing=ProcessingSettings())
    assert caught.value.where == str(tmp_path) and "model.bin" in (caught.value.hint or "")


@pytest.mark.parametrize(
    ("settings", "loc", "message"),
    [
        (
            {"window_seconds": 30, "overlap_seconds": 40},
            ("overlap_seconds",),
            "shorter than window_seconds",
        ),
        ({"words": {"rude": ["ok", "x*"]}}, ("rude", 1), "at least 3"),
        ({"allow": ["f*ck"]}, (0,), "may only end"),
        ({"categories": ["profanity", "rudeness"]}, (1,), "shipped: profanity"),
        ({"word_lists": ["/nonexistent/list.txt"]}, (0,), "No such file"),
    ],
)
def test_bad_settings_are_refused_at_the_field(
    settings: dict[str, Any], loc: tuple[str | int, ...], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        SpeechSettings(name="p", type="speech-profanity", model="w", **settings)
    error = caught.value.errors()[0]["ctx"]["error"]
    assert isinstance(error, FieldError) and error.loc == loc and message in str(error)


# -- window and segment edges, with a scripted recogniser over real (silent) audio ---------------

Script = dict[float, list[list[tuple[str, float, float]]]]


class ScriptedWhisper:
    """Stands in for WhisperModel: per window start, segments of (word, start, end) in window
    time, so the tests can place a word exactly where windows and segments meet."""

    def __init__(self, script: Script, hop: float) -> None:
        self.script, self.hop = script, hop
        self.next_start = 0.0

    def transcribe(self, audio: np.ndarray, **options: Any) -> tuple[Any, None]:
        start = self.next_start
        self.next_start = start + self.hop
        segments = [
            SimpleNamespace(
                end=words[-1][2],
                words=[
                    SimpleNamespace(word=f" {w}", start=a, end=b, probability=0.9)
                    for w, a, b in words
                ],
            )
            for words in self.script.get(start, [])
        ]
        return iter(segments), None


def scripted(
    tmp_path: Path, seconds: float, window: float, overlap: float, script: Script
) -> list[Step]:
    path = tmp_path / "silence.mka"
    with av.open(str(path), "w") as out:
        stream: Any = out.add_stream("pcm_s16le", rate=16000, layout="mono")
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, int(seconds * 16000)), np.float32), format="flt", layout="mono"
        )
        frame.sample_rate, frame.pts = 16000, 0
        out.mux(stream.encode(frame))
        out.mux(stream.encode())
    config = SpeechSettings(
        name="p", type="speech-profanity", model="w", window_seconds=window, overlap_seconds=overlap
    )
    detector = SpeechProfanityDetector(
        config, ScriptedWhisper(script, window - overlap), WordMatcher.build()
    )
    return list(detector.scan(probe(path)))


def heard(steps: list[Step]) -> list[tuple[str, float]]:
    return [(d.word or "", round(d.start, 2)) for d in detections(steps)]


def test_a_phrase_split_between_two_segments_is_one_hit(tmp_path: Path) -> None:
    script: Script = {
        0.0: [[("son", 1.0, 1.2), ("of", 1.2, 1.3)], [("a", 1.3, 1.4), ("bitch", 1.4, 1.8)]]
    }
    assert heard(scripted(tmp_path, 5.0, 30.0, 5.0, script)) == [("son of a bitch", 1.0)]


@pytest.mark.parametrize(
    ("in_first", "in_second"),
    [((4.9, 5.1), (1.0, 1.2)), ((5.05, 5.25), (0.8, 0.95)), ((5.6, 5.9), (1.4, 1.7))],
    ids=["both-windows-claim-it", "neither-would-by-midpoint-alone", "second-window-core"],
)
def test_a_word_timed_differently_by_two_windows_is_reported_once(
    tmp_path: Path, in_first: tuple[float, float], in_second: tuple[float, float]
) -> None:
    script: Script = {0.0: [[("shit", *in_first)]], 4.0: [[("shit", *in_second)]]}
    steps = scripted(tmp_path, 10.0, 6.0, 2.0, script)
    assert [w for w, _ in heard(steps)] == ["shit"]


def test_a_word_at_the_end_of_a_last_full_window_is_reported(tmp_path: Path) -> None:
    script: Script = {4.0: [[("damn", 7.3, 7.6)]]}
    assert heard(scripted(tmp_path, 12.0, 8.0, 4.0, script)) == [("damn", 11.3)]


def test_progress_waits_for_words_that_may_begin_a_phrase(tmp_path: Path) -> None:
    script: Script = {
        0.0: [
            [("hello", 0.5, 0.8), ("son", 1.0, 1.2)],
            [("of", 1.2, 1.3), ("a", 1.3, 1.4), ("bitch", 1.4, 1.8)],
        ]
    }
    steps = scripted(tmp_path, 5.0, 30.0, 5.0, script)
    assert isinstance(steps[0], Progress) and steps[0].seconds <= 1.0
    assert isinstance(steps[1], Detection) and steps[1].word == "son of a bitch"


def test_a_word_said_twice_in_a_row_is_reported_twice(tmp_path: Path) -> None:
    script: Script = {0.0: [[("shit", 1.0, 1.2), ("shit", 1.25, 1.45)]]}
    assert heard(scripted(tmp_path, 5.0, 30.0, 5.0, script)) == [("shit", 1.0), ("shit", 1.25)]
