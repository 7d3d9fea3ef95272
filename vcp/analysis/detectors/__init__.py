"""Detectors, keyed by the config's ``type``. Modules are imported only when a detector is loaded,
so listing or validating detectors never imports onnxruntime or faster-whisper."""

from __future__ import annotations

import importlib

from vcp.analysis.detectors.base import (
    DecodeProblem,
    Detection,
    Detector,
    DetectorFactory,
    MediaKind,
    Progress,
    Step,
    model_folder,
    settings_as,
)

# type -> "module:Class"
_REGISTRY: dict[str, str] = {
    "nudenet": "vcp.analysis.detectors.nudenet:NudeNetDetector",
    "speech-profanity": "vcp.analysis.detectors.speech:SpeechProfanityDetector",
    "subtitles": "vcp.analysis.detectors.subtitles:SubtitlesDetector",
}

__all__ = [
    "Detection",
    "Detector",
    "DetectorFactory",
    "DecodeProblem",
    "Progress",
    "Step",
    "MediaKind",
    "detector_class",
    "model_folder",
    "settings_as",
    "detector_types",
]


def detector_types() -> tuple[str, ...]:
    """Every known detector ``type``."""
    return tuple(_REGISTRY)


def detector_class(type_: str) -> type[DetectorFactory]:
    """The factory for ``type_`` (imports its module). KeyError for an unknown type."""
    module, _, name = _REGISTRY[type_].partition(":")
    factory: type[DetectorFactory] = getattr(importlib.import_module(module), name)
    return factory
