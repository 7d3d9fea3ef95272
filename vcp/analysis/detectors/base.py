"""What every detector is: a loader and a scan that yields detections and progress.

A detector is plain synchronous code. ``load`` builds it once per run (blocking: it reads a model
file), ``scan`` reads the media itself (a late detector decodes the file again rather than have the
pipeline hold the film in memory) and yields a ``Step`` at least every second or so of work. The
pipeline steps the generator in a worker thread, one ``next()`` at a time, so the event loop stays
free for downloads and progress and a cancellation lands between two steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from vcp.analysis.detectors.observed import Observed
from vcp.core.streams import MediaKind
from vcp.media import DecodeProblem

if TYPE_CHECKING:
    from vcp.config.schema import DetectorSettings, ProcessingSettings
    from vcp.media.probe import MediaInfo

__all__ = [
    "Detection",
    "Detector",
    "DetectorFactory",
    "DecodeProblem",
    "Progress",
    "Step",
    "MediaKind",
    "model_folder",
    "settings_as",
]

C = TypeVar("C")


@dataclass(frozen=True, slots=True)
class Detection:
    """One hit: a label seen in a frame, or a listed word heard in the audio.

    ``start``/``end`` are seconds from the start of the media. A frame hit spans one sample
    (``start == end == the frame's time``); a word spans the word. ``box`` is ``(x, y, width,
    height)`` in source-video pixels; ``word`` is the word or phrase as transcribed and ``masked`` a
    form fit for display (``f*****g``). ``uncertain`` marks a hit the detector keeps although its
    score is under the detector's threshold (recall first: it is acted on, and flagged for review).
    ``source`` names where a word was read when it was not
    heard (``subtitle stream 2``, ``movie.en.srt``).
    """

    detector: str
    category: str
    label: str
    score: float
    start: float
    end: float
    box: tuple[int, int, int, int] | None = None
    word: str | None = None
    masked: str | None = None
    uncertain: bool = False
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    """The scan has covered the media up to ``seconds``."""

    seconds: float


Step = Detection | Progress | DecodeProblem | Observed
"""What a scan yields: hits, progress, decode notices, and what inference produced before any
rule (``observed``: stored in the report for re-deriving without the model)."""


class Detector(Protocol):
    """A loaded detector shared by every input of a run (``scan`` may run on two files at once)."""

    name: str
    stream: MediaKind

    def scan(self, media: MediaInfo) -> Iterator[Step]:
        """Read ``media``'s stream and yield detections, progress and notices, in time order."""
        ...

    def close(self) -> None:
        """Release the model (an ONNX or whisper session); the detector is not used after."""
        ...


class DetectorFactory(Protocol):
    """What the registry maps a config ``type`` to."""

    stream: MediaKind

    @classmethod
    def load(
        cls, config: DetectorSettings, model_dir: Path | None, *, processing: ProcessingSettings
    ) -> Detector:
        """Build the detector from its config section and the model's local folder (blocking);
        ``model_dir`` is None for a detector whose config names no model."""
        ...


def settings_as(config: DetectorSettings, kind: type[C]) -> C:
    """``config`` as the settings class ``kind`` its detector reads; TypeError when the registry
    handed a detector another type's settings (a bug, not a user's mistake)."""
    if not isinstance(config, kind):
        raise TypeError(f"{kind.__name__} expected, got {type(config).__name__}")
    return config


def model_folder(model_dir: Path | None, config: DetectorSettings) -> Path:
    """The model folder of a detector that needs one (its config names a model)."""
    if model_dir is None:
        raise TypeError(f"detector {config.name!r} needs its model's folder")
    return model_dir
