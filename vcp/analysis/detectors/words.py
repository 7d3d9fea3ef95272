"""The matcher that finds word-list entries among transcribed words. Pure: no model, no media.

The lists and their entries (files, ``*`` stems, categories) are ``vcp.core.wordlists``. The
matcher reads left to right and takes the longest entry starting at each word, so
``son of a bitch`` is one hit rather than ``bitch`` alone. An allow-listed entry or spoken form
suppresses the hit and its words are not matched again by a shorter entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vcp.core.wordlists import (
    SHIPPED_CATEGORIES,
    Entry,
    Token,
    WordListError,
    mask,
    normalize,
    parse_entry,
    read_list,
    shipped_list,
)

if TYPE_CHECKING:
    from vcp.config.schema import WordListSettings

__all__ = ["Word", "WordMatch", "WordMatcher", "word_matcher"]


@dataclass(frozen=True, slots=True)
class Word:
    """One transcribed word: its text as heard (with punctuation), times in seconds, and the
    recogniser's probability that the text is right."""

    text: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True, slots=True)
class WordMatch:
    """An entry heard in the transcript: the ``words`` it spans, as ``text`` and ``masked``."""

    category: str
    label: str
    text: str
    masked: str
    words: tuple[Word, ...]

    @property
    def start(self) -> float:
        """When the first word starts."""
        return self.words[0].start

    @property
    def end(self) -> float:
        """When the last word ends."""
        return self.words[-1].end

    @property
    def score(self) -> float:
        """The mean probability of the words."""
        return sum(w.probability for w in self.words) / len(self.words)


class WordMatcher:
    """Finds list entries in a transcript. Build it once; ``match`` is pure and thread-safe."""

    def __init__(self, entries: Iterable[Entry], *, allow: Iterable[Entry] = ()) -> None:
        self._literal: dict[str, list[Entry]] = {}
        self._prefixed: list[Entry] = []
        seen: set[tuple[Token, ...]] = set()
        for entry in entries:
            if entry.tokens in seen:
                continue  # the first list that names an entry gives its category
            seen.add(entry.tokens)
            if entry.tokens[0].prefix:
                self._prefixed.append(entry)
            else:
                self._literal.setdefault(entry.tokens[0].stem, []).append(entry)
        self._allow = tuple(allow)
        self._allow_labels = frozenset(e.label for e in self._allow)

    @classmethod
    def build(
        cls,
        categories: Iterable[str] = SHIPPED_CATEGORIES,
        *,
        words: Mapping[str, Iterable[str]] | None = None,
        allow: Iterable[str] = (),
        files: Iterable[Path] = (),
    ) -> WordMatcher:
        """The shipped lists of ``categories``, the user's own ``words`` per category (which win
        over a shipped entry's category), extra list ``files`` and the ``allow`` list."""
        own = [parse_entry(w, c) for c, ws in (words or {}).items() for w in ws]
        shipped = [e for c in categories for e in shipped_list(c)]
        extra = [e for path in files for e in read_list(path)]
        return cls([*own, *shipped, *extra], allow=[parse_entry(a, "allow") for a in allow])

    @property
    def longest(self) -> int:
        """The most words any entry has (1 when there are no entries)."""
        entries = [*self._prefixed, *(e for es in self._literal.values() for e in es)]
        return max((len(e.tokens) for e in entries), default=1)

    @property
    def categories(self) -> frozenset[str]:
        """Every category this matcher can report."""
        entries = [*self._prefixed, *(e for es in self._literal.values() for e in es)]
        return frozenset(e.category for e in entries)

    def match(self, words: Sequence[Word]) -> list[WordMatch]:
        """Every listed entry spoken in ``words`` (consecutive transcribed words), in order."""
        kept = [w for w in words if normalize(w.text)]  # a lone "-" or "..." is not a word
        spoken = [normalize(w.text) for w in kept]
        hits: list[WordMatch] = []
        i = 0
        while i < len(spoken):
            entry = self._longest(spoken, i)
            if entry is None:
                i += 1
                continue
            span = tuple(kept[i : i + len(entry.tokens)])
            if not self._allowed(entry, spoken[i : i + len(span)]):
                hits.append(_hit(entry, span))
            i += len(span)
        return hits

    def _longest(self, spoken: Sequence[str], i: int) -> Entry | None:
        rest = spoken[i:]
        candidates = self._literal.get(rest[0], []) + [
            e for e in self._prefixed if e.tokens[0].matches(rest[0])
        ]
        found = [e for e in candidates if e.matches(rest)]
        return max(found, key=lambda e: len(e.tokens), default=None)

    def _allowed(self, entry: Entry, spoken: Sequence[str]) -> bool:
        if entry.label in self._allow_labels:
            return True
        return any(len(a.tokens) == len(spoken) and a.matches(spoken) for a in self._allow)


def _hit(entry: Entry, words: tuple[Word, ...]) -> WordMatch:
    text = " ".join(w.text.strip().strip(".,!?;:\"'()[]-") for w in words)
    return WordMatch(entry.category, entry.label, text, mask(text), words)


def word_matcher(settings: WordListSettings, *, where: str) -> WordMatcher:
    """The matcher of a detector's word-list settings (speech, subtitles); DetectorError when a
    list is unusable."""
    from vcp.errors import DetectorError

    try:
        return WordMatcher.build(
            settings.categories,
            words=settings.words,
            allow=settings.allow,
            files=settings.word_lists,
        )
    except (WordListError, OSError) as exc:
        raise DetectorError(
            f"cannot load the word lists: {exc}",
            where=where,
            hint="fix the list file or the detector's words/allow settings",
        ) from exc
