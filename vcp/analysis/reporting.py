"""One film's report from what its detectors collected: their stored inference (from which
``vcp.analysis.rederive`` derives the segments), the models that ran, the film's length, the
warnings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from anyio import to_thread

from vcp.analysis.detectors.observed import Observed
from vcp.analysis.rederive import Outcome, derive_report
from vcp.report import (
    DetectorEntry,
    DetectorInference,
    FilmFingerprint,
    InputInfo,
    ModelEntry,
    Report,
)
from vcp.report.untrusted import MAX_SECONDS

if TYPE_CHECKING:
    from vcp.config.schema import DetectorSettings
    from vcp.config.settings import Settings
    from vcp.media.probe import MediaInfo
    from vcp.models.local import LocalModel

__all__ = ["FilmRun", "build_report", "detector_record", "film_length"]


@dataclass
class FilmRun:
    """What one film's detectors collect while they run: each detector's observations, its
    stored inference once it finished (``records``; reused ones from the old report too), the
    entry of a detector that has none, warnings by detector (``""``: about the film itself)."""

    media: MediaInfo
    film: FilmFingerprint
    observed: dict[str, list[Observed]] = field(default_factory=dict)
    records: dict[str, DetectorInference] = field(default_factory=dict)
    entries: dict[str, DetectorEntry] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)

    def warn(self, detector: str, message: str) -> None:
        """Note a warning of ``detector`` (``""`` for the film), written as ``name: message``."""
        text = f"{detector}: {message}" if detector else message
        self.warnings.setdefault(detector, []).append(text)


def build_report(
    run: FilmRun,
    *,
    settings: Settings,
    models: Iterable[LocalModel],
    reused: Iterable[ModelEntry] = (),
    duration: float,
) -> Report:
    """The report of ``run``: ``models`` are the models loaded for it, ``reused`` the entries of
    the models behind reused records, ``duration`` the film's length."""
    media = run.media
    film = InputInfo(
        path=str(media.path.resolve()),
        name=media.path.name,
        size=media.size,
        duration=duration,
        streams=tuple(s.to_json() for s in media.streams),
    )
    loaded = model_entries(models, settings)
    names = {m.name for m in loaded}
    outcome = Outcome(
        records=run.records,
        entries=run.entries,
        warnings=run.warnings,
        film=run.film,
    )
    every = [*loaded, *(m for m in reused if m.name not in names)]
    return derive_report(outcome, settings=settings, film=film, models=every)


def detector_record(
    config: DetectorSettings,
    run: FilmRun,
    *,
    settings: Settings,
    entry: DetectorEntry,
) -> DetectorInference:
    """``config``'s stored inference: what it observed in ``run``, with how it ended."""
    from vcp.analysis.freshness import inference_settings, model_key
    from vcp.analysis.raw import pack

    status = "ran" if entry.status == "ran" else "skipped"
    frames, speech, cues = pack(config, run.observed.get(config.name, []), ran=status == "ran")
    return DetectorInference(
        name=config.name,
        type=config.type,
        status=status,
        reason=entry.reason,
        analysed_seconds=entry.analysed_seconds,
        model=model_key(config, settings),
        settings=inference_settings(config, settings),
        warnings=tuple(run.warnings.get(config.name, [])),
        frames=frames,
        speech=speech,
        cues=cues,
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
    run.warn(
        "",
        f"the file claims to last {claimed:,.0f} s, more than any film; "
        f"the report records the {decoded:.1f} s its packets cover",
    )
    return round(decoded, 3)
