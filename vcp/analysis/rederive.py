"""Segments from stored inference: the one way a report's segments are made, after a full
analysis as after a change of word lists or thresholds (then without loading any model).

``derive_report`` turns each detector's ``DetectorInference`` into hits with the detector's
current settings (``detections_of``), places subtitle hits on spoken words, merges the hits into
segments and assembles the report. ``rederive`` does it for a report whose inference is current.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vcp.analysis.detectors import Detection, detector_class
from vcp.analysis.raw import unpack
from vcp.analysis.segments import build_segments
from vcp.analysis.subtitle_hits import place_subtitle_hits
from vcp.core.version import __version__
from vcp.report import (
    DetectorEntry,
    DetectorInference,
    FilmFingerprint,
    Inference,
    InputInfo,
    ModelEntry,
    Report,
    Summary,
    ToolInfo,
)

if TYPE_CHECKING:
    from vcp.config.schema import DetectorSettings
    from vcp.config.settings import Settings

__all__ = ["Outcome", "derive_report", "detections_of", "models_of", "rederive"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one film's inference came to, for ``derive_report``: the stored inference of each
    detector that has one, the entry of each that has none (skipped: its model was not
    available), and the warnings: the film's own (``""``) and those of detectors without a
    record, by name."""

    records: Mapping[str, DetectorInference]
    entries: Mapping[str, DetectorEntry]
    warnings: Mapping[str, Sequence[str]]
    film: FilmFingerprint


def detections_of(record: DetectorInference, config: DetectorSettings) -> list[Detection]:
    """The hits ``config`` derives from ``record`` (what the detector's scan reported)."""
    from vcp.analysis.detectors.nudenet import category_rules, frame_detections
    from vcp.analysis.detectors.observed import CuesRead, FrameSeen, WindowHeard
    from vcp.analysis.detectors.speech import heard_detections
    from vcp.analysis.detectors.subtitles import cue_detections
    from vcp.analysis.detectors.words import word_matcher
    from vcp.config.schema import NudeNetSettings, SpeechProfanitySettings

    data = record.frames or record.speech or record.cues
    seen = unpack(data) if data is not None else []
    if isinstance(config, NudeNetSettings):
        rules = category_rules(config.categories, config.thresholds, config.threshold)
        frames = [s for s in seen if isinstance(s, FrameSeen)]
        return [hit for frame in frames for hit in frame_detections(config.name, rules, frame)]
    matcher = word_matcher(config, where=config.name)
    if isinstance(config, SpeechProfanitySettings):
        return heard_detections(config, matcher, [s for s in seen if isinstance(s, WindowHeard)])
    return cue_detections(config.name, matcher, [s for s in seen if isinstance(s, CuesRead)])


def derive_report(
    outcome: Outcome,
    *,
    settings: Settings,
    film: InputInfo,
    models: Iterable[ModelEntry],
) -> Report:
    """The report of ``film`` from ``outcome`` with ``settings``'s enabled detectors."""
    from vcp.analysis.freshness import derivation_digest

    configs = [d for d in settings.detectors if d.enabled]
    ran = [(c, outcome.records[c.name]) for c in configs if c.name in outcome.records]
    detections = place_subtitle_hits(
        [hit for config, record in ran for hit in detections_of(record, config)],
        subtitles={c.name for c, _ in ran if c.type == "subtitles"},
        speech={c.name for c, _ in ran if c.type == "speech-profanity"},
    )
    segments = build_segments(
        detections,
        kinds={c.name: detector_class(c.type).stream for c, _ in ran},
        gap=settings.processing.merge_gap_seconds,
        frame_span=settings.processing.frame_interval_seconds,
        duration=film.duration,
    )
    report = Report(
        input=film,
        summary=Summary.of(segments),
        segments=segments,
        models=tuple(sorted(models, key=lambda m: m.name)),
        detectors=tuple(_entries(configs, outcome)),
        vcp=ToolInfo(
            version=__version__,
            config=str(settings.config_file) if settings.config_file else None,
            created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        ),
        warnings=(*outcome.warnings.get("", ()), *_detector_warnings(configs, outcome)),
        inference=Inference(
            fingerprint=outcome.film,
            detectors=tuple(record for _, record in ran),
            warnings=tuple(outcome.warnings.get("", ())),
            derivation=derivation_digest(settings),
        ),
    )
    return report if settings.output.include_confidence else report.without_scores()


def _entries(configs: Sequence[DetectorSettings], outcome: Outcome) -> Iterable[DetectorEntry]:
    for config in configs:
        record = outcome.records.get(config.name)
        if record is not None:
            yield DetectorEntry(
                name=record.name,
                type=record.type,
                model=config.model,
                status=record.status,
                reason=record.reason,
                analysed_seconds=record.analysed_seconds,
            )
        elif config.name in outcome.entries:
            yield outcome.entries[config.name]


def _detector_warnings(configs: Sequence[DetectorSettings], outcome: Outcome) -> list[str]:
    found: list[str] = []
    for config in configs:
        record = outcome.records.get(config.name)
        found += record.warnings if record else outcome.warnings.get(config.name, ())
    return found


def rederive(
    report: Report,
    settings: Settings,
    *,
    film: InputInfo | None = None,
    records: Mapping[str, DetectorInference] | None = None,
    models: Iterable[ModelEntry] = (),
) -> Report:
    """``report`` with its segments derived again with ``settings`` from its stored inference
    (``records`` and ``models`` replace the stored ones of detectors that ran again); ``film``
    replaces its input (the film moved). No model is loaded and the film is not read."""
    if report.inference is None:
        raise ValueError("the report holds no stored inference")
    stored = {r.name: r for r in report.inference.detectors}
    fresh = dict(records or {})
    new_models = list(models)
    kept_models = models_of(report, settings, keep=[n for n in stored if n not in fresh])
    outcome = Outcome(
        records={**stored, **fresh},
        entries={},
        warnings={"": report.inference.warnings},
        film=report.inference.fingerprint,
    )
    loaded = {m.name for m in new_models}
    all_models = [*new_models, *(m for m in kept_models if m.name not in loaded)]
    return derive_report(outcome, settings=settings, film=film or report.input, models=all_models)


def models_of(report: Report, settings: Settings, *, keep: Sequence[str]) -> list[ModelEntry]:
    """The ``report``'s model entries of the detectors in ``keep`` (a model or its fallbacks)."""
    names: set[str] = set()
    for config in settings.detectors:
        if config.name in keep and config.model is not None:
            names.add(config.model)
            names.update(settings.models.source(config.model).fallbacks)
    return [m for m in report.models if m.name in names]
