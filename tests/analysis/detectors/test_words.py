"""Word matching on transcripts as whisper writes them: case, punctuation, phrases, inflections,
the user's own words and allow-list, masks, and words that merely look like swearing.

The lists themselves (parsing, masks, the shipped files) are ``vcp.core.wordlists``'s:
tests/core/test_wordlists.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from vcp.analysis.detectors.words import Word, WordMatcher


def transcript(text: str) -> list[Word]:
    """Whisper-like words: one per half second, leading space and punctuation kept."""
    return [Word(f" {t}", i * 0.5, i * 0.5 + 0.4, 0.9) for i, t in enumerate(text.split())]


def heard(text: str, matcher: WordMatcher | None = None) -> list[tuple[str, str]]:
    hits = (matcher or WordMatcher.build()).match(transcript(text))
    return [(h.category, h.text) for h in hits]


@pytest.mark.parametrize(
    "said",
    ["fuck", "Fuck!", "FUCK.", "fucking", "Fucked,", "fucker", "fuckin'", "Motherfucker!"],
)
def test_forms_of_a_swear_word_are_found_whatever_the_case_and_punctuation(said: str) -> None:
    assert heard(f"oh {said} no") == [("profanity", said.strip(".,!?'"))]


def test_inflections_come_from_listed_stems() -> None:
    assert [t for _, t in heard("shitty bullshit dipshit shit")] == [
        "shitty",
        "bullshit",
        "dipshit",
        "shit",
    ]


@pytest.mark.parametrize(
    "clean",
    [
        "the assistant in class will assume a passive stance",
        "Dickens wrote about Scunthorpe and a cockatoo in the cockpit",
        "a bitter shiitake mushroom",
        "the damning evidence of hello shell and Michelle",
        "she passed the glass to the classic bass player",
        "my goodness God is great and Jesus taught in Christ church",
        "a spicy spice from the title of the pistachio sketch",
    ],
)
def test_words_that_only_look_like_swearing_are_clean(clean: str) -> None:
    assert heard(clean) == []


def test_a_phrase_spans_its_words() -> None:
    matcher = WordMatcher.build()
    (hit,) = matcher.match(transcript("well son of a bitch"))
    assert (hit.category, hit.label, hit.text) == ("profanity", "son of a bitch*", "son of a bitch")
    assert (hit.start, hit.end) == (0.5, 2.4)


@pytest.mark.parametrize(
    ("said", "label"),
    [
        ("God damn it", "god damn*"),
        ("God-damn it", "goddamn*"),
        ("goddamned car", "goddamn*"),
        ("Jesus Christ, look", "jesus christ"),
        ("for Christ's sake", "for christs sake"),
        ("oh my God!", "oh my god"),
        # spellings whisper writes for "God damn it" (issue 14: they matched nothing, or profanity)
        ("God dammit, that hurt", "god dammit"),
        ("Godammit!", "godammit"),
        ("Goddammit.", "goddammit"),
        ("Godamn it", "godamn*"),
        ("Godam it", "godam"),
    ],
)
def test_blasphemous_exclamations(said: str, label: str) -> None:
    (hit,) = WordMatcher.build().match(transcript(said))
    assert (hit.category, hit.label) == ("blasphemy", label)


def test_the_longest_entry_wins_and_its_words_are_not_matched_again() -> None:
    assert heard("God damn you") == [("blasphemy", "God damn")]


def test_a_phrase_cut_short_is_not_a_hit_but_its_listed_words_are() -> None:
    assert heard("son of a gun") == []
    assert heard("jesus wept") == [("blasphemy", "jesus wept")]
    assert heard("Jesus said") == []


def test_punctuation_only_words_do_not_break_a_phrase() -> None:
    words = [*transcript("son of"), Word(" -", 1.0, 1.1, 0.5), *transcript("a bitch")]
    (hit,) = WordMatcher.build().match(words)
    assert hit.text == "son of a bitch"


def test_slurs_are_their_own_category() -> None:
    assert heard("you faggot") == [("slurs", "faggot")]


def test_only_the_chosen_categories_are_used() -> None:
    matcher = WordMatcher.build(["blasphemy"])
    assert heard("fuck this, God damn it", matcher) == [("blasphemy", "God damn")]
    assert matcher.categories == {"blasphemy"}


def test_the_users_words_join_or_recategorise() -> None:
    matcher = WordMatcher.build(words={"insults": ("numpt*", "damn")})
    assert heard("you numpties, damn", matcher) == [("insults", "numpties"), ("insults", "damn")]


def test_the_allow_list_removes_an_entry_or_one_spoken_form() -> None:
    by_label = WordMatcher.build(allow=["oh my god"])
    assert heard("oh my God, shit", by_label) == [("profanity", "shit")]
    by_form = WordMatcher.build(allow=["damned"])
    assert heard("damn, damned", by_form) == [("profanity", "damn")]


def test_scores_and_times_come_from_the_words() -> None:
    words = [Word("God", 1.0, 1.2, 0.4), Word(" damn!", 1.2, 1.6, 0.8)]
    (hit,) = WordMatcher.build().match(words)
    assert (hit.start, hit.end, hit.score) == (1.0, 1.6, pytest.approx(0.6))
    assert (hit.text, hit.masked) == ("God damn", "G*d d**n")


def test_extra_list_files_are_matched(tmp_path: Path) -> None:
    extra = tmp_path / "rude.txt"
    extra.write_text("plonker*\n")
    matcher = WordMatcher.build([], files=[extra])
    assert heard("you plonkers", matcher) == [("rude", "plonkers")]
