"""Text fit for a terminal: what a file name, a server or a report says cannot drive it.

A file name may hold ESC and BEL (``evil\\x1b]0;PWNED\\x07.mp4`` retitles the window, ``\\x1b[2J``
clears the screen), a newline (a forged line of output), bidi overrides (shown in another order
than it reads) or bytes that are not UTF-8 (Python keeps them as lone surrogates, which stdout
cannot even encode). Every such character becomes its Python escape (``\\x1b``, ``\\n``,
``\\u202e``, ``\\udcff``): visible, the rest of the name still readable.
"""

from __future__ import annotations

import re
from os import PathLike

__all__ = ["terminal_safe"]

# C0 and C1 controls, the line and paragraph separators, the bidi overrides and isolates that can
# rewrite what a terminal shows, and lone surrogates (undecodable bytes of a file name).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def terminal_safe(text: str | PathLike[str]) -> str:
    """``text`` (or a path) with every control character escaped, e.g. ESC as ``\\x1b``."""
    return _UNSAFE.sub(_escape, str(text))


def _escape(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")
