"""The analysis's daemon threads live in ``vcp.core.threads`` (censor, export and review run their
blocking work there too); this module keeps the old import path."""

from __future__ import annotations

from vcp.core.threads import run_abandonable, stop_requested, wait_abandoned

__all__ = ["run_abandonable", "stop_requested", "wait_abandoned"]
