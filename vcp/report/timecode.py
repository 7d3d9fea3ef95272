"""Seconds to and from ``HH:MM:SS.mmm``, the one time format of reports and sidecar files."""

from __future__ import annotations

import re

__all__ = ["format_millis", "format_time", "millis", "parse_time"]

_TIME_RE = re.compile(r"^(\d+):([0-5]\d):([0-5]\d)(?:\.(\d{1,3}))?$")


def millis(seconds: float) -> int:
    """``seconds`` as whole milliseconds, rounded as every ``HH:MM:SS.mmm`` time is; never
    negative."""
    return max(0, round(seconds * 1000))


def format_millis(ms: int) -> str:
    """``3725500`` -> ``'01:02:05.500'``: whole milliseconds as ``HH:MM:SS.mmm`` (the WebVTT
    timestamp with hours, which MovieContentFilter requires)."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, fraction = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{fraction:03d}"


def format_time(seconds: float) -> str:
    """``3725.5`` -> ``'01:02:05.500'``; rounded to the millisecond, never negative."""
    return format_millis(millis(seconds))


def parse_time(text: str) -> float:
    """``'01:02:05.5'`` -> ``3725.5``; ValueError for anything else."""
    match = _TIME_RE.match(text.strip())
    if not match:
        raise ValueError(f"expected HH:MM:SS.mmm, got {text!r}")
    hours, minutes, secs, frac = match.groups()
    ms = int((frac or "0").ljust(3, "0"))
    return int(hours) * 3600 + int(minutes) * 60 + int(secs) + ms / 1000
