"""The ``nudenet`` detector: NudeNet's 320n ONNX model on sampled frames, with onnxruntime.

Frames come from the decoder already scaled to 320 pixels on their longer side, are padded to the
model's square (``geometry.letterbox``), run through the model in batches, and the boxes whose
label belongs to a configured category and scores above that category's threshold become
detections. One loaded detector serves every input of a run: ``scan`` keeps its state in locals
and onnxruntime's ``InferenceSession.run`` is thread-safe, so two files can be scanned at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vcp.analysis.detectors.base import (
    Detection,
    MediaKind,
    Progress,
    Step,
    model_folder,
    settings_as,
)
from vcp.analysis.detectors.geometry import ScoredBox, decode_output, letterbox, to_blob
from vcp.analysis.detectors.observed import FrameSeen, rounded_box
from vcp.core.labels import NUDENET_LABELS
from vcp.errors import DetectorError

if TYPE_CHECKING:
    from onnxruntime import InferenceSession

    from vcp.config.schema import DetectorSettings, NudeNetSettings, ProcessingSettings
    from vcp.media.frames import Frame
    from vcp.media.probe import MediaInfo

__all__ = [
    "MODEL_FILE",
    "RAW_FLOOR",
    "NudeNetDetector",
    "Rule",
    "category_rules",
    "frame_detections",
    "raw_floor",
]

logger = logging.getLogger(__name__)

MODEL_FILE = "320n.onnx"
MODEL_SIZE = 320  # the input side the 320n model was trained at
# Boxes scoring at least this are stored in the report whatever their category, so that a
# threshold lowered down to it re-derives without running the model again.
RAW_FLOOR = 0.05


@dataclass(frozen=True, slots=True)
class Rule:
    """A label counts towards ``category`` when it scores at least ``threshold``."""

    category: str
    threshold: float


def category_rules(
    categories: Mapping[str, Sequence[str]], thresholds: Mapping[str, float], default: float
) -> dict[str, tuple[Rule, ...]]:
    """Label -> the categories it is reported under, each with its threshold (the category's
    entry in ``thresholds``, else ``default``). Labels in no category are absent."""
    rules: dict[str, list[Rule]] = {}
    for category, labels in categories.items():
        rule = Rule(category, thresholds.get(category, default))
        for label in dict.fromkeys(labels):
            rules.setdefault(label, []).append(rule)
    return {label: tuple(found) for label, found in rules.items()}


class NudeNetDetector:
    """NudeNet on frames sampled every ``interval`` seconds (see the module docstring)."""

    stream: MediaKind = "video"

    def __init__(
        self, session: InferenceSession, config: NudeNetSettings, *, interval: float
    ) -> None:
        self.name = config.name
        self._session: InferenceSession | None = session
        self._input = session.get_inputs()[0]
        self._size = _input_size(self._input.shape)
        self._batch_size = config.batch_size if _dynamic_batch(self._input.shape) else 1
        self._rules = category_rules(config.categories, config.thresholds, config.threshold)
        self._threshold = config.threshold
        self._interval = interval
        # Boxes under the floor are dropped before NMS, which keeps exactly the boxes NMS
        # would keep above any higher threshold (only better boxes suppress).
        self.floor = raw_floor(config)

    @classmethod
    def load(
        cls, config: DetectorSettings, model_dir: Path | None, *, processing: ProcessingSettings
    ) -> NudeNetDetector:
        """Open the model in ``model_dir`` on onnxruntime's CPU provider (blocking)."""
        from vcp.config.schema import NudeNetSettings

        config = settings_as(config, NudeNetSettings)
        path = _model_file(model_folder(model_dir, config))
        detector = cls(
            _session(path, threads=config.threads),
            config,
            interval=processing.frame_interval_seconds,
        )
        logger.debug(
            "%s: %s loaded, %d frame(s) per batch", config.name, path, detector._batch_size
        )
        return detector

    def close(self) -> None:
        """Drop the onnxruntime session (it frees its memory with its last reference)."""
        self._session = None

    def _open_session(self) -> InferenceSession:
        if self._session is None:
            raise RuntimeError(f"detector {self.name!r} is closed")
        return self._session

    def scan(self, media: MediaInfo) -> Iterator[Step]:
        """Detections in ``media``'s sampled frames, progress after each batch, a notice for
        each part of the video that did not decode; the last progress is how far the video
        could be decoded (short of the film's end when the file is cut)."""
        from vcp.media import DecodedUntil
        from vcp.media.frames import Frame, iter_frames

        batch: list[Frame] = []
        reached = 0.0
        for item in iter_frames(media, interval=self._interval, fit=self._size):
            if isinstance(item, DecodedUntil):
                reached = item.seconds
                continue
            if isinstance(item, Frame):
                batch.append(item)
            if batch and (not isinstance(item, Frame) or len(batch) >= self._batch_size):
                yield from self._scan_batch(batch)  # before a notice: steps stay in time order
                batch = []
            if not isinstance(item, Frame):
                yield item
        if batch:
            yield from self._scan_batch(batch)
        yield Progress(reached)

    def detect(self, images: Sequence[np.ndarray]) -> list[list[ScoredBox]]:
        """Every box scoring at least the detector's threshold in each RGB image (H, W, 3 uint8),
        whatever its category, as ``(label, score, (x, y, w, h))`` in the image's pixels."""
        results: list[list[ScoredBox]] = []
        for start in range(0, len(images), self._batch_size):
            chunk = images[start : start + self._batch_size]
            sizes = [(image.shape[1], image.shape[0]) for image in chunk]
            results += self._infer(chunk, sizes, min_score=self._threshold)
        return results

    def _scan_batch(self, frames: list[Frame]) -> Iterator[Step]:
        images = [frame.image for frame in frames]
        sizes = [frame.source_size for frame in frames]
        found = self._infer(images, sizes, min_score=self.floor)
        for frame, hits in zip(frames, found, strict=True):
            seen = FrameSeen(round(frame.time, 3), tuple(rounded_box(hit) for hit in hits))
            yield seen
            yield from frame_detections(self.name, self._rules, seen)
        yield Progress(frames[-1].time)

    def _infer(
        self, images: Sequence[np.ndarray], sizes: Sequence[tuple[int, int]], *, min_score: float
    ) -> list[list[ScoredBox]]:
        """Hits per image, boxes in ``sizes`` pixels (each image's source ``(width, height)``)."""
        boxed = [letterbox(image, self._size) for image in images]
        output = self._run(to_blob([square for square, _ in boxed]))
        return [
            decode_output(
                row,
                NUDENET_LABELS,
                min_score=min_score,
                scale=_source_scale(scale, image, size),
                source_size=size,
            )
            for row, (_, scale), image, size in zip(output, boxed, images, sizes, strict=True)
        ]

    def _run(self, blob: np.ndarray) -> np.ndarray:
        session = self._open_session()
        try:
            outputs = session.run(None, {self._input.name: blob})
        except Exception as exc:  # onnxruntime raises its own pybind classes, not importable types
            raise DetectorError(
                f"NudeNet inference failed: {exc}",
                where=self.name,
                hint="the model file may not be NudeNet's 320n.onnx; check the detector's model",
            ) from exc
        return np.asarray(outputs[0])


def raw_floor(config: NudeNetSettings) -> float:
    """The score down to which boxes are kept: ``RAW_FLOOR``, or a lower threshold."""
    thresholds = [config.threshold, *config.thresholds.values()]
    return min(RAW_FLOOR, *thresholds)


def frame_detections(
    name: str, rules: Mapping[str, Sequence[Rule]], seen: FrameSeen
) -> Iterator[Detection]:
    """The hits of one frame's boxes: each box under each category ``rules`` (label -> rules,
    ``category_rules``) puts its label in and whose threshold it reaches."""
    for label, score, box in seen.boxes:
        for rule in rules.get(label, ()):
            if score >= rule.threshold:
                yield Detection(name, rule.category, label, score, seen.time, seen.time, box=box)


def _source_scale(scale: float, image: np.ndarray, size: tuple[int, int]) -> float:
    """Model pixels -> source pixels, for an image the decoder scaled from ``size``."""
    return float(scale * max(size) / max(image.shape[:2]))


def _model_file(model_dir: Path) -> Path:
    if model_dir.is_file():  # a url source (the release fallback) is the file itself
        return model_dir
    preferred = model_dir / MODEL_FILE
    if preferred.is_file():
        return preferred
    found = sorted(model_dir.rglob("*.onnx"))
    if len(found) == 1:
        return found[0]
    what = "no .onnx file" if not found else f"{len(found)} .onnx files and no {MODEL_FILE}"
    raise DetectorError(
        f"the NudeNet model folder holds {what}",
        where=str(model_dir),
        hint="point the detector's `model` at a source whose files include 320n.onnx",
    )


def _session(path: Path, *, threads: int) -> InferenceSession:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads  # 0: onnxruntime's default (one per physical core)
    options.log_severity_level = 3  # errors only: its warnings are not the user's to act on
    try:
        return onnxruntime.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime's pybind errors (InvalidProtobuf, Fail, ...)
        raise DetectorError(
            f"onnxruntime cannot load the NudeNet model: {exc}",
            where=str(path),
            hint="the file is damaged or not an ONNX model: `vcp models verify`, then fetch again",
        ) from exc


def _input_size(shape: Sequence[Any]) -> int:
    """The model's square input side: fixed in some exports, symbolic ('height') in 320n's."""
    side = shape[-1] if len(shape) == 4 else None
    return side if isinstance(side, int) and side > 0 else MODEL_SIZE


def _dynamic_batch(shape: Sequence[Any]) -> bool:
    return bool(shape) and not isinstance(shape[0], int)
