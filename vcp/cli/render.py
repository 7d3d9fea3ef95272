"""The one place errors become text for a person: what happened, where, and what to do next.

Messages name files and quote servers and reports, so every part is escaped for the terminal
(``vcp.core.terminal``): a file name with ESC or a newline in it shows as ``\\x1b`` or ``\\n``.
"""

from __future__ import annotations

import sys
from typing import TextIO

from vcp.core.terminal import terminal_safe
from vcp.errors import ConfigError, VcpError


def render_error(exc: VcpError, *, stream: TextIO | None = None, config: str | None = None) -> None:
    """Write ``exc`` as ``error: ...``, plus ``where:`` and ``hint:`` lines if they add anything."""
    out = stream or sys.stderr
    lines = [f"error: {line}" for line in _message_lines(exc)] or ["error: (no message)"]
    where = exc.where
    if where and not isinstance(exc, ConfigError) and where not in str(exc):
        lines.append(f"  where: {terminal_safe(where)}")
    if config:  # where the thing to fix is declared, e.g. "my.yaml:14 (models.sources[1])"
        lines.append(f"  config: {terminal_safe(config)}")
    if exc.hint:
        lines.append(f"  hint: {terminal_safe(exc.hint)}")
    out.write("\n".join(lines) + "\n")
    out.flush()


def _message_lines(exc: VcpError) -> list[str]:
    """A configuration error says one problem a line; any other message is one line, so a
    newline in it (from a file name, say) is escaped rather than starting a line of its own."""
    if isinstance(exc, ConfigError) and exc.problems:
        return [terminal_safe(str(problem)) for problem in exc.problems]
    return [terminal_safe(str(exc))] if str(exc) else []
