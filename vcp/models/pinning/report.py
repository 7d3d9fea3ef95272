"""What ``vcp models pin`` tells its user: a status line per source, and the report they make up."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Line", "PinReport", "Status"]


class Status(enum.Enum):
    """What ``pin`` did to (or found about) one source."""

    PINNED = "pinned"
    ALREADY = "already pinned"
    UNPINNED = "unpinned"
    STALE = "stale"
    UPGRADED = "upgraded"


@dataclass(frozen=True)
class Line:
    """One line of output: a status, the source's name and what it means."""

    status: Status
    name: str
    detail: str

    def __str__(self) -> str:
        return f"{self.status.value:<15}{self.name}  {self.detail}"


@dataclass
class PinReport:
    """What ``pin`` found and did: a line per source, and whether the file changed."""

    lines: list[Line]
    changed: bool = False

    @property
    def ok(self) -> bool:
        """True when no source is unpinned or stale."""
        return not any(line.status in (Status.UNPINNED, Status.STALE) for line in self.lines)
