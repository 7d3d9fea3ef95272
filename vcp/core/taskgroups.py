"""What a failed task group raises: one error, not an ExceptionGroup, so callers catch by type."""

from __future__ import annotations

import asyncio

from vcp.errors import VcpError

__all__ = ["first_error"]


def first_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The error to raise for a failed task group: its first leaf that is one of vcp's own
    errors, else the first that is not a cancellation, else the first.

    vcp's errors come first because a sibling cancelled by the failure (or a foreign exception
    from a cancelled worker) is a consequence, and the VcpError carries the user's hint."""
    leaves = _leaves(group)
    own = [e for e in leaves if isinstance(e, VcpError)]
    real = [e for e in leaves if not isinstance(e, asyncio.CancelledError)]
    return (own or real or leaves)[0]


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]
