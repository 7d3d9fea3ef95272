"""Pure pieces of the HTTP boundary: a server's text made fit for a terminal, the speed rule."""

from __future__ import annotations

import pytest

from vcp.models.http.failures import SERVER_TEXT_MAX_CHARS, server_text
from vcp.models.http.policy import RetryPolicy
from vcp.models.http.speed import MinSpeed


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("Repository not found", "Repository not found"),
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("line\r\nfake", "line\\r\\nfake"),
        ("a\u202eb\x00c\x7f", "a\\u202eb\\x00c\\x7f"),
        ("naïve ☃ fine", "naïve ☃ fine"),  # printable text is kept as it is
        (None, ""),
    ],
)
def test_server_text_escapes_what_would_drive_the_terminal(said: str | None, shown: str) -> None:
    assert server_text(said) == shown


def test_server_text_redacts_an_echoed_secret_and_is_capped() -> None:
    text = server_text("your token hf_secret is bad " + "y" * 1000, secrets=("hf_secret", None))
    assert "hf_secret" not in text and "your token *** is bad" in text
    assert len(text) == SERVER_TEXT_MAX_CHARS and text.endswith("…")


def test_a_window_that_gets_its_quota_starts_a_new_one() -> None:
    window = MinSpeed(bytes_per_second=100, seconds=2).window(now=10.0)
    assert window.deadline == 12.0
    window.feed(150, now=11.0)
    assert window.deadline == 12.0  # 150 of the 200 bytes this window needs
    window.feed(50, now=11.5)
    assert window.deadline == 13.5 and window.received == 0


def test_a_slow_window_says_what_happened() -> None:
    window = MinSpeed(bytes_per_second=1024, seconds=30).window(now=0.0)
    window.feed(12, now=5.0)
    assert window.describe() == (
        "too slow: 12 bytes in 30 s, below the minimum speed of 1 KiB/s "
        "(models.download.min_speed_bytes_per_second)"
    )


def test_a_zero_speed_limit_turns_the_rule_off() -> None:
    assert MinSpeed(bytes_per_second=0, seconds=30).window(now=0.0).deadline is None


def test_a_negative_total_wait_is_refused() -> None:
    with pytest.raises(ValueError, match="max_total_wait"):
        RetryPolicy(max_total_wait=-1)
