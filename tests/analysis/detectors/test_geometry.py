"""The numpy pre- and postprocessing of the NudeNet detector, checked by hand and against OpenCV
(a dev dependency through the `nudenet` package; vcp itself never imports it)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from vcp.analysis.detectors.geometry import (
    ScoredBox,
    candidates,
    decode_output,
    iou,
    letterbox,
    nms,
    resize_bilinear,
    source_boxes,
    to_blob,
)

LABELS = ("CAT", "DOG", "BIRD")


def picture(height: int, width: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_a_frame_already_fitted_is_padded_right_and_bottom_only() -> None:
    image = picture(240, 320)

    square, scale = letterbox(image, 320)

    assert square.shape == (320, 320, 3) and scale == 1.0
    assert np.array_equal(square[:240], image)
    assert not square[240:].any()  # black below the picture


def test_a_portrait_frame_is_padded_on_the_right() -> None:
    image = picture(320, 180)

    square, _ = letterbox(image, 320)

    assert np.array_equal(square[:, :180], image)
    assert not square[:, 180:].any()


def test_a_larger_image_is_padded_then_resized_like_opencv() -> None:
    image = picture(480, 640)

    square, scale = letterbox(image, 320)

    padded = cv2.copyMakeBorder(image, 0, 160, 0, 0, cv2.BORDER_CONSTANT)
    expected = cv2.resize(padded, (320, 320), interpolation=cv2.INTER_LINEAR)
    assert scale == 2.0
    assert np.abs(square.astype(int) - expected.astype(int)).max() <= 1


@pytest.mark.parametrize(("source", "target"), [((512, 512), (320, 320)), ((90, 200), (320, 144))])
def test_bilinear_resize_matches_opencv_to_one_level(
    source: tuple[int, int], target: tuple[int, int]
) -> None:
    image = picture(*source)

    ours = resize_bilinear(image, target[0], target[1])

    theirs = cv2.resize(image, target, interpolation=cv2.INTER_LINEAR)
    assert ours.shape == theirs.shape
    assert np.abs(ours.astype(int) - theirs.astype(int)).max() <= 1


def test_the_blob_is_channels_first_float_in_zero_to_one() -> None:
    images = [np.full((4, 4, 3), (255, 0, 51), dtype=np.uint8)] * 2

    blob = to_blob(images)

    assert blob.shape == (2, 3, 4, 4) and blob.dtype == np.float32
    assert blob[0, :, 0, 0] == pytest.approx([1.0, 0.0, 0.2])  # R, G, B planes in that order


def raw_output(rows: list[tuple[float, float, float, float, int, float]]) -> np.ndarray:
    """A model output ``[4 + classes, anchors]`` from (cx, cy, w, h, class, score) rows."""
    out = np.zeros((4 + len(LABELS), len(rows)), dtype=np.float32)
    for anchor, (cx, cy, w, h, cls, score) in enumerate(rows):
        out[:4, anchor] = (cx, cy, w, h)
        out[4 + cls, anchor] = score
        out[4 + (cls + 1) % len(LABELS), anchor] = score / 2  # a weaker second class
    return out


def test_candidates_are_corner_boxes_of_the_best_class_above_the_score() -> None:
    output = raw_output([(50, 60, 20, 10, 1, 0.9), (10, 10, 4, 4, 2, 0.1)])

    boxes, scores, class_ids = candidates(output, min_score=0.2)

    assert boxes.tolist() == [[40.0, 55.0, 20.0, 10.0]]
    assert scores == pytest.approx([0.9]) and class_ids.tolist() == [1]


def test_boxes_scale_to_source_pixels_and_stay_inside_the_frame() -> None:
    boxes = np.array([[10.0, 20.0, 30.0, 40.0], [-5.0, 300.0, 100.0, 50.0]])

    scaled = source_boxes(boxes, 2.0, (640, 360))

    assert scaled[0].tolist() == [20.0, 40.0, 60.0, 80.0]
    assert scaled[1].tolist() == [0.0, 360.0, 200.0, 0.0]  # clipped at the left and the bottom


def test_iou_of_identical_half_overlapping_and_apart_boxes() -> None:
    box = np.array([0.0, 0.0, 10.0, 10.0])
    others = np.array([[0.0, 0.0, 10.0, 10.0], [5.0, 0.0, 10.0, 10.0], [50.0, 50.0, 5.0, 5.0]])

    assert iou(box, others) == pytest.approx([1.0, 50 / 150, 0.0])


def test_nms_keeps_the_best_of_overlapping_boxes_whatever_their_label() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 10, 10], [100, 100, 10, 10]], dtype=float)
    scores = np.array([0.6, 0.9, 0.5])

    assert nms(boxes, scores) == [1, 2]


def test_nms_agrees_with_opencv_on_random_boxes() -> None:
    rng = np.random.default_rng(7)
    boxes = np.concatenate([rng.uniform(0, 200, (300, 2)), rng.uniform(5, 80, (300, 2))], axis=1)
    scores = rng.uniform(0.25, 1.0, 300)

    ours = nms(boxes, scores, iou_threshold=0.45)

    theirs = cv2.dnn.NMSBoxes(boxes.tolist(), scores.tolist(), 0.0, 0.45)
    assert sorted(ours) == sorted(int(i) for i in np.asarray(theirs).ravel())


def test_decoding_gives_labelled_integer_boxes_in_source_pixels() -> None:
    output = raw_output(
        [
            (100, 100, 40, 40, 0, 0.8),  # a cat
            (102, 101, 40, 40, 1, 0.7),  # the same place, weaker: suppressed
            (250, 50, 20, 30, 2, 0.6),  # a bird
            (10, 10, 5, 5, 1, 0.3),  # under the score
        ]
    )

    hits = decode_output(output, LABELS, min_score=0.5, scale=1.5, source_size=(480, 360))

    assert hits == [
        ScoredBox("CAT", pytest.approx(0.8), (120, 120, 60, 60)),  # type: ignore[arg-type]
        ScoredBox("BIRD", pytest.approx(0.6), (360, 52, 30, 45)),  # type: ignore[arg-type]
    ]
