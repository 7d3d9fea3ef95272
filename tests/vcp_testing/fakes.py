"""Stand-ins for what vcp lets a caller inject, so tests neither wait nor depend on the time."""

from __future__ import annotations

import asyncio


class FakeSleep:
    """Replaces the manager's ``sleep``: records each wait and takes none."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0)
