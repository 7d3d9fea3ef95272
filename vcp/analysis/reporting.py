"""One film's report from what its detectors collected: segments, the models and detectors that
ran, the film's length, the warnings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from anyio import to_thread

from vcp.analysis.detectors import Detection
from vcp.analysis.segments import build_segments
from vcp.analysis.subtitle_hits import place_subtitle_hits
from vcp.core.streams import MediaKind
from vcp.core.version import __version__
from vcp.report import DetectorEntry, InputInfo, ModelEntry, Report, Summary, ToolInfo
from vcp.report.untrusted import MAX_SECONDS

if TYPE_CHECKING:
    from vcp.config.schema import DetectorSettings
    from vcp.config.settings import Settings
    from vcp.media.probe import MediaInfo
    from vcp.models.local import LocalModel

__all__ = ["FilmRun", "build_report", "film_length"]


@dataclass
class FilmRun:
    """What one film's detectors collect while they run."""

    media: MediaInfo
    detections: list[Detection] = field(default_factory=list)
    entries: dict[str, DetectorEntry] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def build_report(
    run: FilmRun,
    *,
    settings: Settings,
    detectors: Sequence[DetectorSettings],
    kinds: Mapping[str, MediaKind],
    models: Iterable[LocalModel],
    duration: float,
) -> Report:
    """The report of ``run``: ``detectors`` are the enabled ones in config order, ``kinds`` what
    each loaded one read, ``models`` the models they loaded, ``duration`` the film's length."""
    detections = place_subtitle_hits(
        run.detections,
        subtitles={d.name for d in detectors if d.type == "subtitles"},
        speech={d.name for d in detectors if d.type == "speech-profanity"},
    )
    segments = build_segments(
        detections,
        kinds=kinds,
        gap=settings.processing.merge_gap_seconds,
        frame_span=settings.processing.frame_interval_seconds,
        duration=run.media.duration,
    )
    media = run.media
    return Report(
        input=InputInfo(
            path=str(media.path.resolve()),
            name=media.path.name,
            size=media.size,
            duration=duration,
            streams=tuple(s.to_json() for s in media.streams),
        ),
        summary=Summary.of(segments),
        segments=segments,
        models=model_entries(models, settings),
        detectors=tuple(run.entries[d.name] for d in detectors if d.name in run.entries),
        vcp=ToolInfo(
            version=__version__,
            config=str(settings.config_file) if settings.config_file else None,
            created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        ),
        warnings=tuple(run.warnings),
    )


def model_entries(models: Iterable[LocalModel], settings: Settings) -> tuple[ModelEntry, ...]:
    """Each model source once, with the revision and the checksums of the files loaded."""
    entries: dict[str, ModelEntry] = {}
    for model in models:
        if model.source in entries:
            continue
        source = settings.models.source(model.source)
        entries[model.source] = ModelEntry(
            name=model.source,
            source="hf" if source.hf else "url",
            repo=source.hf.repo if source.hf else None,
            url=source.url,
            revision=model.revision,
            files={name: str(f.checksum) for name, f in sorted(model.files.items())},
        )
    return tuple(entries.values())


async def film_length(run: FilmRun) -> float:
    """The film's length for the report: what the container says, unless that is beyond any
    film (a hostile header claiming 1e9 s); then as far as its packets go (read in a thread),
    with a warning, so that the report stays one that export, censor and review can read."""
    from vcp.media.probe import packets_end

    claimed = round(run.media.duration, 3)
    if claimed <= MAX_SECONDS:
        return claimed
    decoded = min(await to_thread.run_sync(packets_end, run.media.path), MAX_SECONDS)
    run.warnings.append(
        f"the file claims to last {claimed:,.0f} s, more than any film; "
        f"the report records the {decoded:.1f} s its packets cover"
    )
    return round(decoded, 3)
