"""terminal_safe: control characters become visible escapes, the rest of the text stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from vcp.core.terminal import terminal_safe


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("evil\x1b]0;PWNED\x07.mp4", "evil\\x1b]0;PWNED\\x07.mp4"),  # OSC, ended by BEL
        ("a\x1b[2Jb", "a\\x1b[2Jb"),  # CSI: clear the screen
        ("one\ntwo\r", "one\\ntwo\\r"),  # a forged line
        ("\x9b31m", "\\x9b31m"),  # C1 CSI
        ("abc\u202etxt.exe", "abc\\u202etxt.exe"),  # bidi override
        ("caf\udce9.mp4", "caf\\udce9.mp4"),  # a byte that is not UTF-8, kept by os.fsdecode
        ("Café, naïve 映画 ½.mkv", "Café, naïve 映画 ½.mkv"),  # printable text is left alone
    ],
)
def test_control_characters_are_escaped_and_printable_text_kept(text: str, shown: str) -> None:
    assert terminal_safe(text) == shown
    terminal_safe(text).encode("utf-8")  # always printable on a UTF-8 stream


def test_a_path_is_shown_as_its_text() -> None:
    assert terminal_safe(Path("/films/a\x07.mp4")) == "/films/a\\x07.mp4"
