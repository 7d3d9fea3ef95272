"""One rule for the error a failed task group raises (analysis and model management share it)."""

from __future__ import annotations

import asyncio

from vcp.core.taskgroups import first_error
from vcp.errors import DetectorError, VcpError


def test_vcp_s_own_error_is_preferred_even_when_nested_later() -> None:
    own = DetectorError("the model is damaged")
    group = BaseExceptionGroup("x", [RuntimeError("a"), BaseExceptionGroup("y", [own])])
    assert first_error(group) is own


def test_else_the_first_that_is_not_a_cancellation() -> None:
    real = OSError("disk")
    group = BaseExceptionGroup("x", [asyncio.CancelledError(), real, ValueError()])
    assert first_error(group) is real


def test_only_cancellations_give_the_first() -> None:
    first = asyncio.CancelledError()
    assert first_error(BaseExceptionGroup("x", [first, asyncio.CancelledError()])) is first


def test_a_vcp_error_is_a_leaf_not_a_group() -> None:
    assert isinstance(first_error(BaseExceptionGroup("x", [VcpError("m")])), VcpError)
