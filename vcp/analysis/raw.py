"""The stored inference: a detector's observations (``detectors.observed``) packed into the
report's columns (``vcp.report.inference``) and unpacked again. Pure."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from vcp.analysis.detectors.geometry import ScoredBox
from vcp.analysis.detectors.observed import CuesRead, FrameSeen, Observed, WindowHeard
from vcp.analysis.detectors.words import Word
from vcp.core.labels import NUDENET_LABELS
from vcp.report.inference import FrameBoxes, SpeechWindows, SubtitleCues

if TYPE_CHECKING:
    from vcp.config.schema import DetectorSettings

__all__ = ["Packed", "pack", "pack_cues", "pack_frames", "pack_speech", "unpack"]

Packed = tuple[FrameBoxes | None, SpeechWindows | None, SubtitleCues | None]


def pack(config: DetectorSettings, observed: Iterable[Observed], *, ran: bool) -> Packed:
    """``observed`` in the column of ``config``'s type: ``(frames, speech, cues)``, one set
    (none when the detector did not run)."""
    from vcp.analysis.detectors.nudenet import raw_floor
    from vcp.config.schema import NudeNetSettings

    seen = list(observed) if ran else None
    if seen is None:
        return None, None, None
    if isinstance(config, NudeNetSettings):
        frames = [s for s in seen if isinstance(s, FrameSeen)]
        return pack_frames(frames, floor=raw_floor(config)), None, None
    if config.type == "speech-profanity":
        return None, pack_speech(s for s in seen if isinstance(s, WindowHeard)), None
    return None, None, pack_cues(s for s in seen if isinstance(s, CuesRead))


def pack_frames(seen: Iterable[FrameSeen], *, floor: float) -> FrameBoxes:
    """Every box of every frame, one row a box."""
    labels = list(NUDENET_LABELS)
    time: list[float] = []
    label: list[int] = []
    score: list[float] = []
    box: list[int] = []
    for frame in seen:
        for hit in frame.boxes:
            if hit.label not in labels:
                labels.append(hit.label)
            time.append(frame.time)
            label.append(labels.index(hit.label))
            score.append(hit.score)
            box.extend(hit.box)
    return FrameBoxes(
        floor=floor,
        labels=tuple(labels),
        time=tuple(time),
        label=tuple(label),
        score=tuple(score),
        box=tuple(box),
    )


def pack_speech(heard: Iterable[WindowHeard]) -> SpeechWindows:
    """Every window and every word heard in it."""
    windows = list(heard)
    words = [(i, w) for i, window in enumerate(windows) for w in window.words]
    return SpeechWindows(
        start=tuple(w.start for w in windows),
        end=tuple(w.end for w in windows),
        full=tuple(w.full for w in windows),
        levels=tuple(base64.b64encode(w.levels).decode("ascii") for w in windows),
        window=tuple(i for i, _ in words),
        text=tuple(w.text for _, w in words),
        word_start=tuple(w.start for _, w in words),
        word_end=tuple(w.end for _, w in words),
        probability=tuple(w.probability for _, w in words),
    )


def pack_cues(read: Iterable[CuesRead]) -> SubtitleCues:
    """Every source's cues."""
    sources = list(read)
    cues = [(i, cue) for i, source in enumerate(sources) for cue in source.cues]
    return SubtitleCues(
        sources=tuple(s.source for s in sources),
        source=tuple(i for i, _ in cues),
        start=tuple(c[0] for _, c in cues),
        end=tuple(c[1] for _, c in cues),
        text=tuple(c[2] for _, c in cues),
    )


def unpack(data: FrameBoxes | SpeechWindows | SubtitleCues) -> list[Observed]:
    """The observations ``data`` holds, as the scan yielded them."""
    if isinstance(data, FrameBoxes):
        return list(_frames(data))
    if isinstance(data, SpeechWindows):
        return list(_windows(data))
    return list(_sources(data))


def _frames(data: FrameBoxes) -> Iterable[FrameSeen]:
    """Rows grouped back into frames (rows of one frame are consecutive)."""
    rows: list[ScoredBox] = []
    for i, time in enumerate(data.time):
        box = data.box[4 * i : 4 * i + 4]
        rows.append(ScoredBox(data.labels[data.label[i]], data.score[i], _box(box)))
        if i + 1 == len(data.time) or data.time[i + 1] != time:
            yield FrameSeen(time, tuple(rows))
            rows = []


def _box(values: Sequence[int]) -> tuple[int, int, int, int]:
    x, y, w, h = values
    return x, y, w, h


def _windows(data: SpeechWindows) -> Iterable[WindowHeard]:
    words: list[list[Word]] = [[] for _ in data.start]
    for i, window in enumerate(data.window):
        words[window].append(
            Word(data.text[i], data.word_start[i], data.word_end[i], data.probability[i])
        )
    for i, start in enumerate(data.start):
        levels = base64.b64decode(data.levels[i].encode("ascii"), validate=True)
        yield WindowHeard(start, data.end[i], data.full[i], tuple(words[i]), levels)


def _sources(data: SubtitleCues) -> Iterable[CuesRead]:
    cues: list[list[tuple[float, float, str]]] = [[] for _ in data.sources]
    for i, source in enumerate(data.source):
        cues[source].append((data.start[i], data.end[i], data.text[i]))
    for i, name in enumerate(data.sources):
        yield CuesRead(name, tuple(cues[i]))
