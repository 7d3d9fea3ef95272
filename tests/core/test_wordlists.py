"""Word lists (``vcp.core.wordlists``): masks that keep the first and last letter, unsafe entries
refused, a user's list file read with its category and its bad line located, the shipped lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from vcp.core.wordlists import (
    SHIPPED_CATEGORIES,
    WordListError,
    mask,
    parse_entry,
    read_list,
    shipped_list,
)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("fucking", "f*****g"),
        ("Shit", "S**t"),
        ("ass", "a*s"),
        ("son of a bitch", "s*n of a b***h"),
        ("mother-fucker", "m*****-*****r"),
    ],
)
def test_masks_keep_the_first_and_last_letter(text: str, masked: str) -> None:
    assert mask(text) == masked


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("a*", "at least 3 letters"),
        ("f*ck", "may only end"),
        ("!!!", "no letters"),
        ("  ", "empty"),
    ],
)
def test_unsafe_entries_are_refused(entry: str, problem: str) -> None:
    with pytest.raises(WordListError, match=problem):
        parse_entry(entry, "profanity")


def test_a_users_list_file_names_its_category_and_its_bad_line(tmp_path: Path) -> None:
    good = tmp_path / "mine.txt"
    good.write_text("# category: rude\n# my words\nbloody  # British\nsod off\n")
    assert [(e.category, e.label) for e in read_list(good)] == [
        ("rude", "bloody"),
        ("rude", "sod off"),
    ]
    plain = tmp_path / "insults.txt"
    plain.write_text("plonker\n")
    assert read_list(plain)[0].category == "insults"
    bad = tmp_path / "bad.txt"
    bad.write_text("fine\nx*\n")
    with pytest.raises(WordListError) as caught:
        read_list(bad)
    assert caught.value.where == f"{bad}:2"


def test_every_shipped_list_parses() -> None:
    for category in SHIPPED_CATEGORIES:
        entries = shipped_list(category)
        assert len(entries) >= 10 and all(e.category == category for e in entries)
    with pytest.raises(WordListError, match="shipped: profanity"):
        shipped_list("rudeness")
