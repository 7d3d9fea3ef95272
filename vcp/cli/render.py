"""The one place errors become text for a person: what happened, where, and what to do next."""

from __future__ import annotations

import sys
from typing import TextIO

from vcp.errors import ConfigError, VcpError


def render_error(exc: VcpError, *, stream: TextIO | None = None, config: str | None = None) -> None:
    """Write ``exc`` as ``error: ...``, plus ``where:`` and ``hint:`` lines if they add anything."""
    out = stream or sys.stderr
    lines = [f"error: {line}" for line in str(exc).splitlines()] or ["error: (no message)"]
    where = exc.where
    if where and not isinstance(exc, ConfigError) and where not in str(exc):
        lines.append(f"  where: {where}")
    if config:  # where the thing to fix is declared, e.g. "my.yaml:14 (models.sources[1])"
        lines.append(f"  config: {config}")
    if exc.hint:
        lines.append(f"  hint: {exc.hint}")
    out.write("\n".join(lines) + "\n")
    out.flush()
