"""Word lists and the matcher that finds their entries among transcribed words. Pure: no model,
no media; the only I/O is reading list files.

A list file holds one entry per line; ``#`` starts a comment. An entry is one word or a phrase of
words that must be spoken in a row (``son of a bitch``). Case, apostrophes, hyphens and other
punctuation are ignored on both sides, so ``Fuck!`` matches ``fuck`` and ``for Christ's sake``
matches ``for christs sake``. A word ending in ``*`` matches every word that starts with it
(``fuck*``: fuck, fucks, fucked, fucking, fucker); the stem needs at least three letters. There
is deliberately no stemming beyond that: ``ass`` is listed as a word, not as ``ass*``, so
"assistant", "class" and "Scunthorpe" stay clean. A line ``# category: NAME`` at the top of a
user's list names its category (otherwise the file name does).

The matcher reads left to right and takes the longest entry starting at each word, so
``son of a bitch`` is one hit rather than ``bitch`` alone. An allow-listed entry or spoken form
suppresses the hit and its words are not matched again by a shorter entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vcp.config.schema import WordListSettings

__all__ = [
    "SHIPPED_CATEGORIES",
    "Entry",
    "Hit",
    "Word",
    "WordListError",
    "WordMatcher",
    "mask",
    "normalize",
    "parse_entry",
    "read_list",
    "shipped_list",
    "word_matcher",
]

SHIPPED_CATEGORIES = ("profanity", "slurs", "blasphemy")
MIN_STEM = 3  # letters before a "*": shorter stems ("as*", "a*") would match half the language
_NOT_WORD = re.compile(r"[^\w]|_", re.UNICODE)
_HEADER = re.compile(r"^#\s*category\s*:\s*(\S+)\s*$", re.IGNORECASE)


class WordListError(ValueError):
    """An entry that cannot be used; ``where`` is ``file:line`` when it came from a file."""

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where


@dataclass(frozen=True, slots=True)
class Word:
    """One transcribed word: its text as heard (with punctuation), times in seconds, and the
    recogniser's probability that the text is right."""

    text: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True, slots=True)
class _Token:
    stem: str
    prefix: bool  # the entry word ended in "*"

    def matches(self, word: str) -> bool:
        return word.startswith(self.stem) if self.prefix else word == self.stem


@dataclass(frozen=True, slots=True)
class Entry:
    """A list entry: ``label`` as written (lower case), its ``category``, and its words."""

    category: str
    label: str
    tokens: tuple[_Token, ...]

    def matches(self, words: Sequence[str]) -> bool:
        """True when ``words`` (normalised) start with this entry."""
        if len(words) < len(self.tokens):
            return False
        return all(t.matches(w) for t, w in zip(self.tokens, words, strict=False))


@dataclass(frozen=True, slots=True)
class Hit:
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


def normalize(text: str) -> str:
    """``text`` lower-cased with everything but letters and digits removed (``Christ's`` ->
    ``christs``, ``mother-fucker`` -> ``motherfucker``)."""
    return _NOT_WORD.sub("", text.casefold())


def parse_entry(text: str, category: str) -> Entry:
    """One entry of a list (``fuck*``, ``god damn``). WordListError when it cannot match safely."""
    words = text.split()
    if not words:
        raise WordListError("an empty entry")
    tokens = tuple(_parse_token(word, text) for word in words)
    label = " ".join(words).casefold()
    return Entry(category, label, tokens)


def _parse_token(word: str, entry: str) -> _Token:
    prefix = word.endswith("*")
    stem = normalize(word[:-1] if prefix else word)
    if "*" in word[:-1]:
        raise WordListError(f"{entry!r}: '*' may only end a word")
    if not stem:
        raise WordListError(f"{entry!r}: {word!r} has no letters")
    if prefix and len(stem) < MIN_STEM:
        raise WordListError(f"{entry!r}: a stem before '*' needs at least {MIN_STEM} letters")
    return _Token(stem, prefix)


def read_list(path: Path, category: str | None = None) -> list[Entry]:
    """The entries of the list file at ``path``. The category is ``category`` if given, else the
    file's ``# category: NAME`` header, else the file name without its extension."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return _parse_lines(lines, category or _header(lines) or path.stem, str(path))


def shipped_list(category: str) -> list[Entry]:
    """The list vcp ships for ``category`` (one of SHIPPED_CATEGORIES)."""
    if category not in SHIPPED_CATEGORIES:
        known = ", ".join(SHIPPED_CATEGORIES)
        raise WordListError(f"no shipped word list {category!r}; shipped: {known}")
    text = resources.files("vcp.analysis").joinpath("wordlists", f"{category}.txt").read_text()
    return _parse_lines(text.splitlines(), category, f"{category}.txt")


def _header(lines: list[str]) -> str | None:
    for line in lines:
        if not line.startswith("#"):
            return None
        if found := _HEADER.match(line):
            return found.group(1)
    return None


def _parse_lines(lines: list[str], category: str, source: str) -> list[Entry]:
    entries = []
    for number, line in enumerate(lines, 1):
        text = line.partition("#")[0].strip()
        if not text:
            continue
        try:
            entries.append(parse_entry(text, category))
        except WordListError as exc:
            raise WordListError(str(exc), where=f"{source}:{number}") from None
    return entries


def mask(text: str) -> str:
    """``text`` fit for display: in each word of three letters or more, every letter but the
    first and the last becomes ``*`` (``fucking`` -> ``f*****g``, ``God damn`` -> ``G*d d**n``)."""
    return " ".join(_mask_word(word) for word in text.split())


def _mask_word(word: str) -> str:
    letters = [i for i, c in enumerate(word) if c.isalnum()]
    if len(letters) < 3:
        return word
    inner = set(letters[1:-1])
    return "".join("*" if i in inner else c for i, c in enumerate(word))


class WordMatcher:
    """Finds list entries in a transcript. Build it once; ``match`` is pure and thread-safe."""

    def __init__(self, entries: Iterable[Entry], *, allow: Iterable[Entry] = ()) -> None:
        self._literal: dict[str, list[Entry]] = {}
        self._prefixed: list[Entry] = []
        seen: set[tuple[_Token, ...]] = set()
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

    def match(self, words: Sequence[Word]) -> list[Hit]:
        """Every listed entry spoken in ``words`` (consecutive transcribed words), in order."""
        kept = [w for w in words if normalize(w.text)]  # a lone "-" or "..." is not a word
        spoken = [normalize(w.text) for w in kept]
        hits: list[Hit] = []
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


def _hit(entry: Entry, words: tuple[Word, ...]) -> Hit:
    text = " ".join(w.text.strip().strip(".,!?;:\"'()[]-") for w in words)
    return Hit(entry.category, entry.label, text, mask(text), words)


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
