"""Structured fan-out that reports the first real error (``vcp.core.taskgroups.first_error``),
not an ExceptionGroup."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable
from typing import Any

from vcp.core.taskgroups import first_error


async def run_all(coros: Iterable[Coroutine[Any, Any, Any]]) -> None:
    """Run ``coros`` in one task group; if one fails the others are cancelled and the first
    failure is raised as itself, so callers can catch vcp's errors by type."""
    try:
        async with asyncio.TaskGroup() as tg:
            for coro in coros:
                tg.create_task(coro)
    except BaseExceptionGroup as group:
        raise first_error(group) from None
