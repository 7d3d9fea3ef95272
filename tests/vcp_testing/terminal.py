"""A tiny terminal screen, enough to replay what tqdm writes to a pseudo-terminal.

It understands printable text, ``\\r``, ``\\n`` (as a tty's ONLCR output: next line), cursor up
(``ESC [ n A``), erase in line (``ESC [ K``); colours and other CSI sequences are ignored. Nothing
scrolls away: the screen is as tall as what was written.
"""

from __future__ import annotations

import re

_CSI = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])")


class Screen:
    """Feed it the bytes a program wrote; ``lines`` is what a person would see now."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = [[]]
        self.row = 0
        self.col = 0

    def feed(self, text: str) -> Screen:
        i = 0
        while i < len(text):
            match = _CSI.match(text, i)
            if match:
                self._csi(match.group(1), match.group(2))
                i = match.end()
                continue
            self._char(text[i])
            i += 1
        return self

    @property
    def lines(self) -> list[str]:
        """The screen's rows, trailing spaces and trailing empty rows removed."""
        out = ["".join(row).rstrip() for row in self.rows]
        while out and not out[-1]:
            out.pop()
        return out

    def _char(self, ch: str) -> None:
        if ch == "\r":
            self.col = 0
        elif ch == "\n":
            self.row += 1
            self.col = 0
            while len(self.rows) <= self.row:
                self.rows.append([])
        elif ch >= " ":
            row = self.rows[self.row]
            row.extend(" " * (self.col + 1 - len(row)))
            row[self.col] = ch
            self.col += 1

    def _csi(self, params: str, final: str) -> None:
        if final == "A":
            self.row = max(0, self.row - int(params or 1))
        elif final == "K":
            del self.rows[self.row][self.col :]
