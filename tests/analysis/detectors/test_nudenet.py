"""The nudenet detector with the real 320n.onnx on onnxruntime, on the sample video's frames, and
the `nudenet` package's own NudeDetector as the reference it must agree with."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError
from vcp_testing.tolerances import (
    BATCH_SCORE_TOLERANCE,
    NUDENET_BOX_IOU,
    NUDENET_SCORE_TOLERANCE,
)
from vcp_testing.videos import scramble, write_video

from vcp.analysis.detectors import DecodeProblem, Detection, Progress, Step, detector_class
from vcp.analysis.detectors.geometry import ScoredBox
from vcp.analysis.detectors.nudenet import NudeNetDetector, Rule, category_rules
from vcp.analysis.detectors.observed import FrameSeen
from vcp.config.schema import NudeNetSettings, ProcessingSettings
from vcp.errors import DetectorError, MediaError
from vcp.media.frames import Frame, iter_frames
from vcp.media.probe import probe

PORTRAIT_ENDS = 7.0  # sample.mp4: the astronaut portrait until 7 s, then a coffee cup


def config(**changes: Any) -> NudeNetSettings:
    fields: dict[str, Any] = {
        "name": "nudity",
        "model": "nudenet-320n",
        "type": "nudenet",
        "categories": {"faces": ("FACE_FEMALE",)},
        "threads": 1,
    }
    return NudeNetSettings(**{**fields, **changes})


def load(model_dir: Path, interval: float = 1.0, **changes: Any) -> NudeNetDetector:
    processing = ProcessingSettings(frame_interval_seconds=interval)
    return NudeNetDetector.load(config(**changes), model_dir, processing=processing)


def detections(steps: Iterable[Step]) -> list[Detection]:
    return [step for step in steps if isinstance(step, Detection)]


@pytest.fixture(scope="module")
def reference() -> Any:
    from nudenet import NudeDetector

    return NudeDetector()  # its bundled 320n.onnx: the same bytes as the fixture's


@pytest.fixture(scope="module")
def sample_frames(sample_video: Path) -> list[Frame]:
    """Full-size frames of the sample, every 2 s: portrait and cup."""
    items = list(iter_frames(probe(sample_video), interval=2.0))
    return [item for item in items if isinstance(item, Frame)]


def reference_hits(reference: Any, image: np.ndarray, threshold: float) -> list[ScoredBox]:
    # nudenet 3.4.2 swaps red and blue twice for an array (cvtColor RGBA2BGR, then blobFromImage
    # swapRB), so an RGB array reaches the model as RGB, which is what vcp feeds it (a BGR array
    # from cv2.imread would reach it as BGR: notAI-tech/NudeNet issue #203).
    found = reference.detect(image.copy())
    return [
        ScoredBox(d["class"], d["score"], tuple(d["box"])) for d in found if d["score"] >= threshold
    ]


def box_iou(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    width = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    height = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = width * height
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def assert_agree(ours: list[ScoredBox], theirs: list[ScoredBox], *, threshold: float) -> None:
    """Same labels above the threshold, scores within NUDENET_SCORE_TOLERANCE, boxes overlapping
    by IoU > NUDENET_BOX_IOU; a hit that close to the threshold may be missing on the other side."""
    for side, other in ((ours, theirs), (theirs, ours)):
        for hit in side:
            same = [o for o in other if o.label == hit.label]
            match = [o for o in same if box_iou(o.box, hit.box) > NUDENET_BOX_IOU]
            if not match:
                assert hit.score < threshold + NUDENET_SCORE_TOLERANCE, f"{hit}: not in {other}"
                continue
            assert abs(match[0].score - hit.score) < NUDENET_SCORE_TOLERANCE, (hit, match[0])


def test_agrees_with_nudenets_own_detector_on_the_same_frames(
    nudenet_model_dir: Path, reference: Any, sample_frames: list[Frame]
) -> None:
    detector = load(nudenet_model_dir, threshold=0.3)
    images = [frame.image for frame in sample_frames]

    ours = detector.detect(images)

    for image, hits in zip(images, ours, strict=True):
        assert_agree(hits, reference_hits(reference, image, 0.3), threshold=0.3)
    faces = [any(h.label == "FACE_FEMALE" for h in hits) for hits in ours]
    portrait = [frame.time < PORTRAIT_ENDS for frame in sample_frames]
    assert faces == portrait  # the astronaut's face, and nothing in the cup frames


def test_scanning_the_video_flags_the_portrait_like_the_reference(
    nudenet_model_dir: Path, reference: Any, sample_video: Path, sample_frames: list[Frame]
) -> None:
    steps = list(load(nudenet_model_dir, interval=2.0).scan(probe(sample_video)))

    found = detections(steps)
    assert [d.start for d in found] == [f.time for f in sample_frames if f.time < PORTRAIT_ENDS]
    by_time = {frame.time: frame.image for frame in sample_frames}
    for hit in found:
        assert (hit.detector, hit.category, hit.label) == ("nudity", "faces", "FACE_FEMALE")
        assert hit.start == hit.end and hit.box is not None
        theirs = reference_hits(reference, by_time[hit.start], 0.5)
        assert_agree([ScoredBox(hit.label, hit.score, hit.box)], theirs, threshold=0.5)


def test_progress_rises_to_the_end_of_the_video(
    nudenet_model_dir: Path, sample_video: Path
) -> None:
    media = probe(sample_video)

    steps = list(load(nudenet_model_dir, interval=5.0).scan(media))

    seconds = [step.seconds for step in steps if isinstance(step, Progress)]
    assert seconds == sorted(seconds) and seconds[-1] == media.duration
    assert not [step for step in steps if isinstance(step, DecodeProblem)]


def test_labels_outside_every_category_are_not_reported(
    nudenet_model_dir: Path, sample_video: Path
) -> None:
    detector = load(nudenet_model_dir, interval=5.0, categories={"feet": ("FEET_EXPOSED",)})

    assert detections(detector.scan(probe(sample_video))) == []


def test_a_category_threshold_overrides_the_detectors(
    nudenet_model_dir: Path, sample_video: Path
) -> None:
    media = probe(sample_video)
    strict = load(nudenet_model_dir, interval=5.0, thresholds={"faces": 0.95})
    lenient = load(nudenet_model_dir, interval=5.0, threshold=0.99, thresholds={"faces": 0.3})

    assert detections(strict.scan(media)) == []
    assert [d.start for d in detections(lenient.scan(media))] == [0.0, 5.0]


def test_batches_give_the_same_detections_as_single_frames(
    nudenet_model_dir: Path, sample_video: Path
) -> None:
    media = probe(sample_video)

    one = detections(load(nudenet_model_dir, interval=2.0, batch_size=1).scan(media))
    many = detections(load(nudenet_model_dir, interval=2.0, batch_size=4).scan(media))

    assert [(d.start, d.label, d.box) for d in many] == [(d.start, d.label, d.box) for d in one]
    scores = [d.score for d in one]
    assert [d.score for d in many] == pytest.approx(scores, abs=BATCH_SCORE_TOLERANCE)


@pytest.mark.slow
def test_one_detector_scans_two_files_at_once(
    nudenet_model_dir: Path, sample_video: Path, tmp_path: Path
) -> None:
    detector = load(nudenet_model_dir, interval=1.0)
    other = probe(write_video(tmp_path / "plain.mp4", seconds=8.0, audio=False))
    media = probe(sample_video)
    alone = detections(detector.scan(media))

    with ThreadPoolExecutor(2) as pool:
        together = pool.map(lambda m: detections(detector.scan(m)), [media, other, media])

    assert list(together) == [alone, [], alone]
    assert len(alone) == 7


def test_damaged_frames_become_notices_and_the_scan_goes_on(
    nudenet_model_dir: Path, tmp_path: Path
) -> None:
    whole = write_video(
        tmp_path / "whole.mp4", noise=True, keyframe_every=10, options={"movflags": "faststart"}
    )
    damaged = probe(scramble(whole, tmp_path / "damaged.mp4", at=0.5))

    steps = list(load(nudenet_model_dir, interval=1.0).scan(damaged))

    notices = [step for step in steps if isinstance(step, DecodeProblem)]
    assert notices and 1.0 < notices[0].seconds < 3.0 and "did not decode" in notices[0].message
    times = [
        s.start if isinstance(s, Detection) else s.time if isinstance(s, FrameSeen) else s.seconds
        for s in steps
    ]
    assert times == sorted(times)  # in time order, as the pipeline reports them
    assert [s for s in steps if isinstance(s, Progress)][-1].seconds == damaged.duration


def test_an_audio_only_file_cannot_be_scanned(nudenet_model_dir: Path, tmp_path: Path) -> None:
    media = probe(write_video(tmp_path / "film.mp4", seconds=1.0))
    sound_only = dataclasses.replace(media, streams=media.streams[1:])  # the audio stream alone

    with pytest.raises(MediaError, match="no video stream"):
        list(load(nudenet_model_dir).scan(sound_only))


def test_the_registry_loads_it_by_type(nudenet_model_dir: Path) -> None:
    factory = detector_class("nudenet")

    detector = factory.load(config(), nudenet_model_dir, processing=ProcessingSettings())

    assert factory is NudeNetDetector and detector.stream == "video" and detector.name == "nudity"


def test_a_folder_without_the_model_is_a_detector_error(tmp_path: Path) -> None:
    with pytest.raises(DetectorError, match=r"no \.onnx file") as caught:
        load(tmp_path)
    assert caught.value.where == str(tmp_path) and caught.value.hint


def test_a_damaged_model_file_is_a_detector_error(tmp_path: Path) -> None:
    (tmp_path / "320n.onnx").write_bytes(b"\x08\x07 not really a protobuf" * 100)

    with pytest.raises(DetectorError, match="onnxruntime cannot load") as caught:
        load(tmp_path)
    assert caught.value.where == str(tmp_path / "320n.onnx")
    assert "vcp models verify" in (caught.value.hint or "")


def test_category_rules_map_each_label_to_its_categories_and_thresholds() -> None:
    rules = category_rules(
        {"nudity": ("BUTTOCKS_EXPOSED", "ANUS_EXPOSED"), "rear": ("BUTTOCKS_EXPOSED",)},
        {"rear": 0.7},
        0.5,
    )

    assert rules == {
        "BUTTOCKS_EXPOSED": (Rule("nudity", 0.5), Rule("rear", 0.7)),
        "ANUS_EXPOSED": (Rule("nudity", 0.5),),
    }


def test_a_threshold_for_an_undeclared_category_is_a_config_error() -> None:
    with pytest.raises(ValidationError, match="'nudty' is not one of this detector's categories"):
        config(thresholds={"nudty": 0.7})
    with pytest.raises(ValidationError, match="less than or equal to 1"):
        config(thresholds={"faces": 1.5})
