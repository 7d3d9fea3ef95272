"""Where the sample's profane words are said, sentence by sentence, and what a detection of one
must satisfy on any CPU (tolerances: tests/vcp_testing/tolerances.py)."""

from __future__ import annotations

import ast
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vcp_testing.tolerances import (
    SENTENCE_END_TOLERANCE,
    WORD_END_TOLERANCE,
    WORD_START_TOLERANCE,
)

ROOT = Path(__file__).resolve().parents[2]


def _sentence_starts() -> list[float]:
    # scripts/make_sample.py placed each sentence at a known second: read them from its source
    # (a literal), without importing what it needs to build the sample
    tree = ast.parse((ROOT / "scripts" / "make_sample.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "PHRASES":
            assert node.value is not None
            return [start for start, _ in ast.literal_eval(node.value)]
    raise AssertionError("scripts/make_sample.py has no PHRASES")


@dataclass(frozen=True)
class SpokenWord:
    """A profane word of the sample, the sentence it is in, and the bounds a hit must keep."""

    word: str
    category: str
    start: float
    end: float
    sentence: str
    last_in_sentence: bool
    next_sentence: float  # when the next sentence starts (inf after the last)

    def problems(self, start: float, end: float) -> list[str]:
        """What is wrong with a hit of this word at ``start``-``end`` (empty: nothing)."""
        out = []
        if abs(start - self.start) > WORD_START_TOLERANCE:
            out.append(f"starts {start:.2f}, said at {self.start:.2f} (+-{WORD_START_TOLERANCE})")
        if end < self.end - WORD_END_TOLERANCE:
            out.append(f"ends {end:.2f}, before {self.end:.2f} - {WORD_END_TOLERANCE}")
        latest = (
            self.next_sentence + SENTENCE_END_TOLERANCE
            if self.last_in_sentence
            else self.end + WORD_END_TOLERANCE
        )
        if end > latest:
            out.append(f"ends {end:.2f}, after {latest:.2f} (in {self.sentence!r})")
        return out


def spoken_words(truth_path: Path) -> list[SpokenWord]:
    """The truth file's words, each with its sentence (by text and by the sentences' starts)."""
    truth: dict[str, Any] = json.loads(truth_path.read_text())
    starts = _sentence_starts()
    phrases: list[str] = truth["phrases"]
    assert len(starts) == len(phrases), "sample.truth.json and make_sample.py disagree"
    out = []
    for word in truth["words"]:
        index = max(i for i, s in enumerate(starts) if s <= word["start"])
        text = phrases[index]
        assert word["word"] in text.lower(), (word, text)
        following = starts[index + 1] if index + 1 < len(starts) else math.inf
        last = text.lower().rstrip(".?!").endswith(word["word"])
        out.append(
            SpokenWord(
                word["word"], word["category"], word["start"], word["end"], text, last, following
            )
        )
    return out
