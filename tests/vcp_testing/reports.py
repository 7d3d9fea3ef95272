"""A hand-written report for the sample film, for the export and review tests.

The times of the speech segments are the sample's truth (tests/fixtures/sample.truth.json). The
visual segments use the category the analysis tests use for the sample's portrait, ``faces``
(NudeNet's FACE_FEMALE): one over the portrait, and one over the coffee cup (a false positive) that
the user has marked ``allow: true``, which no output may contain.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

from vcp.report import (
    InputInfo,
    Report,
    Segment,
    SegmentDetection,
    Summary,
    ToolInfo,
    default_report_path,
    write_report,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLE = FIXTURES / "sample.mp4"
SAMPLE_DURATION = 14.0
ALLOWED_ID = 5  # the segment the user allowed

_WORDS = [  # (id, start, end, category, word, masked)
    (2, 3.072, 3.455, "profanity", "fuck", "f**k"),
    (3, 5.628, 6.018, "profanity", "shit", "s**t"),
    (4, 7.4, 8.136, "blasphemy", "god damn", "g** d**n"),
    (6, 11.088, 11.884, "profanity", "motherfucker", "m**********r"),
]


def _speech(sid: int, start: float, end: float, category: str, word: str, masked: str) -> Segment:
    hit = SegmentDetection(
        detector="profanity",
        label=category,
        score=0.9,
        start=start,
        end=end,
        word=word,
        masked=masked,
    )
    return Segment(
        id=sid,
        start=start,
        end=end,
        category=category,
        kind="audio",
        labels=(category,),
        confidence=0.9,
        detections=(hit,),
    )


def _picture(sid: int, start: float, end: float, *, allow: bool = False) -> Segment:
    hits = tuple(
        SegmentDetection(
            detector="nudity",
            label="FACE_FEMALE",
            score=0.8,
            start=t,
            end=t,
            box=(200, 100, 120, 90),
        )
        for t in (start, end)
    )
    return Segment(
        id=sid,
        start=start,
        end=end,
        category="faces",
        kind="video",
        labels=("FACE_FEMALE",),
        confidence=0.8,
        allow=allow,
        detections=hits,
    )


def sample_segments() -> list[Segment]:
    """Six segments in id order: one picture, speech, an allowed picture, more speech."""
    speech = [_speech(*w) for w in _WORDS]
    pictures = [_picture(1, 1.0, 4.0), _picture(ALLOWED_ID, 9.0, 10.5, allow=True)]
    return sorted([*speech, *pictures], key=lambda s: s.id)


def make_report(video: Path, segments: list[Segment] | None = None) -> Report:
    """A report for ``video`` (the sample's length) holding ``segments`` (default: the sample's)."""
    chosen = sample_segments() if segments is None else segments
    return Report(
        input=InputInfo(
            path=str(video),
            name=video.name,
            size=SAMPLE.stat().st_size,
            duration=SAMPLE_DURATION,
        ),
        summary=Summary.of(chosen),
        segments=tuple(chosen),
        vcp=ToolInfo(version="0.1.0", created="2026-12-01T06:00:00Z"),
    )


def film_with_report(folder: Path, name: str = "film.mp4") -> tuple[Path, Path]:
    """A copy of the sample as ``folder/name`` and its report beside it: (video, report)."""
    folder.mkdir(parents=True, exist_ok=True)
    video = folder / name
    shutil.copyfile(SAMPLE, video)
    report = default_report_path(video)
    write_report(make_report(video), report)
    return video, report


def doc_commands(markdown: str) -> list[list[str]]:
    """The ``vcp`` command lines of a doc's ``sh`` blocks, as argument lists (comments dropped)."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", markdown, re.S):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] == "vcp":
                commands.append(words[1:])
    return commands


def doc_files(markdown: str, kind: str) -> dict[str, str]:
    """The code blocks a doc marks ``<!-- kind: name -->``, by name."""
    pattern = rf"<!-- {kind}: (\S+) -->\n```\w*\n(.*?)```"
    return dict(re.findall(pattern, markdown, re.S))
