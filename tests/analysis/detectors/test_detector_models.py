"""What a model source hands a detector: a Hub snapshot folder, or (a url source) the file."""

from __future__ import annotations

from pathlib import Path

from vcp.analysis.detectors import detector_class
from vcp.config import load_settings


def test_nudenet_loads_from_the_file_a_url_source_provides(
    nudenet_model_dir: Path, sample_video: Path
) -> None:
    from vcp.media.probe import probe

    settings = load_settings()
    config = next(d for d in settings.detectors if d.type == "nudenet")
    config = config.model_copy(update={"categories": {"faces": ("FACE_FEMALE",)}})
    factory = detector_class("nudenet")
    detector = factory.load(config, nudenet_model_dir / "320n.onnx", processing=settings.processing)
    hits = [s for s in detector.scan(probe(sample_video)) if getattr(s, "category", None)]
    assert hits and all(h.start < 7.5 for h in hits)
