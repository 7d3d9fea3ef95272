"""Is a film's report current for these settings? ``report_status`` answers without loading a
model or decoding the film (it reads the report and 1 MiB of the film's sampled blocks).

Each detector's settings fall in two groups. Those that change what inference produces (the
model, the frame interval, whisper's beam, window, languages, ...) are stored with the inference
(``inference_settings``); a change re-runs that detector. Those that only change how hits are
derived from it (word lists, allow lists, thresholds, categories, merge gap, confidence) are
summed up in one digest (``derivation_digest``); a change re-derives the segments from the
stored inference, with no model. Actions are not in the report at all: a change needs nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from vcp.core.fingerprint import Fingerprint, fingerprint
from vcp.core.version import __version__
from vcp.errors import ReportError
from vcp.report import REPORT_VERSION, DetectorInference, Inference, Report, load_report

if TYPE_CHECKING:
    from vcp.config.schema import DetectorSettings
    from vcp.config.settings import Settings

__all__ = [
    "Current",
    "Rederivable",
    "Stale",
    "Status",
    "derivation_digest",
    "inference_settings",
    "model_key",
    "report_status",
    "stale_detectors",
]

Setting = str | int | float | bool | None | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Current:
    """The report is what an analysis with these settings would write: nothing to do."""

    report: Report


@dataclass(frozen=True, slots=True)
class Rederivable:
    """Every detector's stored inference is current but the derivation settings changed: the
    segments are derived again from ``report``'s inference, without loading a model."""

    report: Report


@dataclass(frozen=True, slots=True)
class Stale:
    """The film needs inference: ``reason`` says why. With a ``report`` whose inference is
    partly current, only the detectors in ``rerun`` need to run; the others re-derive."""

    reason: str
    report: Report | None = None
    rerun: frozenset[str] = field(default_factory=frozenset)


Status = Current | Rederivable | Stale


def report_status(report_path: Path, film: Path, settings: Settings) -> Status:
    """How the report at ``report_path`` stands for ``film`` analysed with ``settings``'s
    enabled detectors. Blocking (reads the report and samples the film): call it in a thread.
    Never raises for a missing, unreadable, old or foreign report: that report is ``Stale``."""
    report, reason = _stored(report_path)
    if report is None or report.inference is None:
        return Stale(reason)
    try:
        now = fingerprint(film)
    except OSError as exc:
        return Stale(f"cannot read the film: {exc.strerror or exc}")
    if not _same_film(report.inference, now):
        return Stale("the film changed since its report was written")
    rerun = stale_detectors(report.inference, settings)
    if rerun:
        reasons = "; ".join(f"{name}: {why}" for name, why in rerun.items())
        return Stale(reasons, report, frozenset(rerun))
    if report.inference.derivation != derivation_digest(settings):
        return Rederivable(report)
    return Current(report)


def _stored(report_path: Path) -> tuple[Report | None, str]:
    if not report_path.is_file():
        return None, "no report yet"
    try:
        report = load_report(report_path)
    except ReportError as exc:
        return None, f"the report cannot be used: {exc.message}"
    if report.inference is None:
        return None, "the report holds no stored inference (written by an older vcp)"
    return report, ""


def _same_film(inference: Inference, now: Fingerprint) -> bool:
    stored = inference.fingerprint
    return Fingerprint(stored.size, stored.mtime_ns, stored.sample).matches(now)


def stale_detectors(inference: Inference, settings: Settings) -> dict[str, str]:
    """Each enabled detector whose stored inference cannot be reused, with the reason."""
    stored = {d.name: d for d in inference.detectors}
    stale: dict[str, str] = {}
    for config in settings.detectors:
        if config.enabled:
            why = _unusable(stored.get(config.name), config, settings)
            if why is not None:
                stale[config.name] = why
    return stale


def _unusable(
    record: DetectorInference | None, config: DetectorSettings, settings: Settings
) -> str | None:
    if record is None or record.type != config.type:
        return "no stored inference for it"
    if record.settings != inference_settings(config, settings):
        changed = _changed(record.settings, inference_settings(config, settings))
        return f"inference settings changed ({', '.join(changed)})"
    if record.model != model_key(config, settings):
        return f"its model {config.model!r} changed"
    if record.status == "skipped":
        return None  # the film has no stream for it: nothing to infer
    return _data_problem(record, config)


def _data_problem(record: DetectorInference, config: DetectorSettings) -> str | None:
    from vcp.analysis.detectors.nudenet import raw_floor
    from vcp.config.schema import NudeNetSettings

    data = {"nudenet": record.frames, "speech-profanity": record.speech, "subtitles": record.cues}
    if data.get(config.type) is None:
        return "its stored inference is missing"
    frames = record.frames
    if isinstance(config, NudeNetSettings) and frames and raw_floor(config) < frames.floor:
        return f"a threshold under the stored boxes' floor ({frames.floor})"
    return None


def _changed(old: Mapping[str, Setting], new: Mapping[str, Setting]) -> list[str]:
    return sorted(k for k in {*old, *new} if old.get(k) != new.get(k))


def inference_settings(config: DetectorSettings, settings: Settings) -> dict[str, Setting]:
    """The settings of ``config`` (and the processing section) that change what its inference
    produces; stored with it, compared on the next run."""
    from vcp.config.schema import NudeNetSettings, SpeechProfanitySettings

    if isinstance(config, NudeNetSettings):
        return {"frame_interval_seconds": settings.processing.frame_interval_seconds}
    if isinstance(config, SpeechProfanitySettings):
        return {
            "languages": config.languages,
            "compute_type": config.compute_type,
            "beam_size": config.beam_size,
            "temperature": 0.0,
            "condition_on_previous_text": config.condition_on_previous_text,
            "vad_filter": config.vad_filter,
            "window_seconds": config.window_seconds,
            "overlap_seconds": config.overlap_seconds,
        }
    return {
        "languages": config.languages,
        "sidecars": config.sidecars,
        "max_file_bytes": config.max_file_bytes,
        "max_cues": config.max_cues,
    }


def model_key(config: DetectorSettings, settings: Settings) -> dict[str, Setting] | None:
    """Which model ``config`` names, as configured (repo and revision, or URL and checksum);
    None for a detector without a model. A branch revision (``main``) is not resolved: pin a
    commit (``vcp models pin``) for a model update to re-run the detector."""
    if config.model is None:
        return None
    source = settings.models.source(config.model)
    return {
        "name": config.model,
        "repo": source.hf.repo if source.hf else None,
        "revision": source.hf.revision if source.hf else None,
        "url": source.url,
        "checksum": source.checksum,
    }


def derivation_digest(settings: Settings) -> str:
    """A digest of everything that turns stored inference into segments: every enabled
    detector's settings (with the text of its word-list files), the merge gap and frame
    interval, whether scores are kept, and this vcp's version (its shipped word lists)."""
    detectors = [
        {**d.model_dump(mode="json"), "lists": _list_texts(d)} for d in settings.detectors
        if d.enabled
    ]  # fmt: skip
    parts = {
        "vcp": __version__,
        "report": REPORT_VERSION,
        "detectors": detectors,
        "processing": settings.processing.model_dump(mode="json"),
        "include_confidence": settings.output.include_confidence,
    }
    text = json.dumps(parts, sort_keys=True, ensure_ascii=True)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _list_texts(config: DetectorSettings) -> list[str]:
    files = getattr(config, "word_lists", ())
    return [_file_digest(Path(path)) for path in files]


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return f"unreadable: {exc.strerror}"
