"""The minimum-speed rule for transfers, like curl's ``--speed-limit`` / ``--speed-time``. Pure.

A per-read silence timeout never ends a server that sends one byte a second; this rule does: each
window of ``seconds`` must bring ``bytes_per_second * seconds`` bytes, or the attempt fails.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["MinSpeed", "SpeedWindow"]


@dataclass(frozen=True)
class MinSpeed:
    """The rule as configured; ``bytes_per_second`` 0 turns it off."""

    bytes_per_second: int
    seconds: float

    def window(self, *, now: float) -> SpeedWindow:
        """The first window of a body that starts at ``now``."""
        return SpeedWindow(self, started=now)

    def describe(self) -> str:
        return f"{_rate(self.bytes_per_second)} for {self.seconds:g} s"


@dataclass
class SpeedWindow:
    """The window being measured: it ends at ``deadline`` unless its quota arrives first, and a
    new one starts the moment it does."""

    rule: MinSpeed
    started: float
    received: int = 0

    @property
    def quota(self) -> int:
        return max(1, math.ceil(self.rule.bytes_per_second * self.rule.seconds))

    @property
    def deadline(self) -> float | None:
        """When this window fails (the same clock as ``now``); None when the rule is off."""
        return self.started + self.rule.seconds if self.rule.bytes_per_second > 0 else None

    def feed(self, n: int, *, now: float) -> None:
        """``n`` more bytes arrived at ``now``."""
        self.received += n
        if self.received >= self.quota:
            self.started, self.received = now, 0

    def describe(self) -> str:
        """What happened, for the message of the failed attempt."""
        return (
            f"too slow: {self.received} bytes in {self.rule.seconds:g} s, below the minimum "
            f"speed of {_rate(self.rule.bytes_per_second)} "
            "(models.download.min_speed_bytes_per_second)"
        )


def _rate(bytes_per_second: int) -> str:
    if bytes_per_second >= 1024 and bytes_per_second % 1024 == 0:
        return f"{bytes_per_second // 1024} KiB/s"
    return f"{bytes_per_second} B/s"
