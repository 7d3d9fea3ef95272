"""Pure numpy geometry for YOLO-style detectors: letterbox, output decoding, NMS, source boxes.

No PyAV, no onnxruntime, no OpenCV: the preprocessing and postprocessing that the `nudenet`
package does with cv2 (``copyMakeBorder``, ``blobFromImage``, ``NMSBoxes``), redone in numpy so
vcp needs no OpenCV at run time, and tested directly.

Coordinates: the model sees a ``size x size`` square holding the image at its top-left corner,
scaled by ``1 / scale``; padding fills the right or bottom. A model pixel times ``scale`` is a
source pixel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

__all__ = [
    "ScoredBox",
    "candidates",
    "decode_output",
    "iou",
    "letterbox",
    "nms",
    "resize_bilinear",
    "source_boxes",
    "to_blob",
]

# cv2.dnn.NMSBoxes as the `nudenet` package calls it: boxes overlapping a better one by more than
# this intersection-over-union are dropped, whatever their labels.
DEFAULT_IOU_THRESHOLD = 0.45


class ScoredBox(NamedTuple):
    """A detected box: ``label``, ``score`` and ``box`` = ``(x, y, width, height)`` in source
    pixels (ints, inside the image)."""

    label: str
    score: float
    box: tuple[int, int, int, int]


def letterbox(image: np.ndarray, size: int) -> tuple[np.ndarray, float]:
    """``image`` (H, W, 3) on a black ``size x size`` square, top-left aligned, aspect kept; and
    the scale from model pixels back to ``image`` pixels.

    An image whose longer side is already ``size`` (the decoder scaled it) is only padded; any
    other is padded to a square of its longer side, then resized, as the `nudenet` package does.
    """
    height, width = image.shape[:2]
    side = max(height, width)
    square = np.zeros((side, side, 3), dtype=np.uint8)
    square[:height, :width] = image
    if side != size:
        square = resize_bilinear(square, size, size)
    return square, side / size


def resize_bilinear(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """``image`` resized to ``width x height`` by bilinear interpolation on pixel centres (the
    sampling of OpenCV's ``INTER_LINEAR``), rounded back to uint8."""
    y0, y1, wy = _taps(image.shape[0], height)
    x0, x1, wx = _taps(image.shape[1], width)
    pixels = image.astype(np.float32)
    rows = pixels[y0] * (1 - wy)[:, None, None] + pixels[y1] * wy[:, None, None]
    out = rows[:, x0] * (1 - wx)[None, :, None] + rows[:, x1] * wx[None, :, None]
    clipped: np.ndarray = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    return clipped


def _taps(source: int, target: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each target pixel: the two source pixels around its centre and the second's weight."""
    centres = (np.arange(target, dtype=np.float64) + 0.5) * (source / target) - 0.5
    first = np.floor(centres).astype(np.intp)
    weight = (centres - first).astype(np.float32)
    before, after = first < 0, first >= source - 1
    weight[before | after] = 0.0
    first = np.clip(first, 0, source - 1)
    return first, np.minimum(first + 1, source - 1), weight


def to_blob(images: Sequence[np.ndarray]) -> np.ndarray:
    """Square uint8 RGB images as the model's input: float32 ``[N, 3, S, S]`` scaled to 0..1."""
    batch = np.stack(images).astype(np.float32) / 255.0
    return np.ascontiguousarray(batch.transpose(0, 3, 1, 2))


def candidates(
    output: np.ndarray, *, min_score: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One image's raw output ``[4 + classes, anchors]`` (cx, cy, w, h, then a score per class)
    as ``(boxes, scores, class_ids)`` of the anchors whose best class scores at least
    ``min_score``; boxes are ``(x, y, w, h)`` in model pixels, top-left corner first."""
    rows = output.T
    class_scores = rows[:, 4:]
    class_ids = class_scores.argmax(axis=1)
    scores = class_scores[np.arange(len(rows)), class_ids]
    keep = scores >= min_score
    centre, extent = rows[keep, 0:2], rows[keep, 2:4]
    boxes = np.concatenate([centre - extent / 2, extent], axis=1)
    return boxes.astype(np.float64), scores[keep].astype(np.float64), class_ids[keep]


def source_boxes(boxes: np.ndarray, scale: float, source_size: tuple[int, int]) -> np.ndarray:
    """Model-pixel ``(x, y, w, h)`` boxes in source pixels, clipped to the source image."""
    width, height = source_size
    scaled = boxes * scale
    x = np.clip(scaled[:, 0], 0, width)
    y = np.clip(scaled[:, 1], 0, height)
    w = np.minimum(scaled[:, 2], width - x)
    h = np.minimum(scaled[:, 3], height - y)
    return np.stack([x, y, w, h], axis=1)


def iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Intersection over union of one ``(x, y, w, h)`` box with each of ``others``."""
    left = np.maximum(box[0], others[:, 0])
    top = np.maximum(box[1], others[:, 1])
    right = np.minimum(box[0] + box[2], others[:, 0] + others[:, 2])
    bottom = np.minimum(box[1] + box[3], others[:, 1] + others[:, 3])
    inter = np.clip(right - left, 0, None) * np.clip(bottom - top, 0, None)
    union = box[2] * box[3] + others[:, 2] * others[:, 3] - inter
    ratio: np.ndarray = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    return ratio


def nms(
    boxes: np.ndarray, scores: np.ndarray, *, iou_threshold: float = DEFAULT_IOU_THRESHOLD
) -> list[int]:
    """Greedy non-maximum suppression: indices of the boxes kept, best score first. A box is
    dropped when it overlaps a kept, better-scored box by more than ``iou_threshold``."""
    order = np.argsort(-scores, kind="stable")
    kept: list[int] = []
    while order.size:
        best, rest = order[0], order[1:]
        kept.append(int(best))
        order = rest[iou(boxes[best], boxes[rest]) <= iou_threshold]
    return kept


def decode_output(
    output: np.ndarray,
    labels: Sequence[str],
    *,
    min_score: float,
    scale: float,
    source_size: tuple[int, int],
) -> list[ScoredBox]:
    """One image's raw output as hits scoring at least ``min_score``, after NMS, in source
    pixels (boxes truncated to ints, as the `nudenet` package reports them)."""
    boxes, scores, class_ids = candidates(output, min_score=min_score)
    boxes = source_boxes(boxes, scale, source_size)
    hits = []
    for i in nms(boxes, scores):
        x, y, w, h = (int(v) for v in boxes[i])
        hits.append(ScoredBox(labels[int(class_ids[i])], float(scores[i]), (x, y, w, h)))
    return hits
