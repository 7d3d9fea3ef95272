"""Log records on the terminal: said once, never through the bars, never driving the terminal.

The model manager both logs some news (a deprecated source, a fallback tried) and announces it as
an event, which the progress renderer prints in its own words: without a filter the user reads each
warning twice. And a log line written straight to a terminal that shows tqdm bars lands in the
middle of them; tqdm's own redirect prints it above the bars instead. And a record names files
and quotes servers: its line is escaped like every other line vcp prints (``TerminalSafe``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from vcp.core.terminal import terminal_safe

__all__ = ["AnnouncedByEvents", "OncePerRun", "TerminalSafe", "console_logging"]


class AnnouncedByEvents(logging.Filter):
    """Drops the model manager's warnings that an event already tells (matched on the message's
    format string, which stays put when the values change)."""

    FORMATS = (
        "model source %s is deprecated",  # SourceDeprecated
        "%s: %s; trying %s",  # FallbackUsed, or the final error naming every source tried
    )

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("vcp.models"):
            return True
        return not (isinstance(record.msg, str) and record.msg.startswith(self.FORMATS))


class OncePerRun(logging.Filter):
    """Lets a configuration warning through once: settings are validated again after ``vcp models
    pin`` rewrites a file, which would warn twice about a misspelt variable. Only ``vcp.config``
    records: news from a long-running mirror may well repeat. One filter per handler, so per run
    of a command."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[tuple[str, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or not record.name.startswith("vcp.config"):
            return True
        key = (record.name, record.getMessage())
        if key in self._seen:
            return False
        self._seen.add(key)
        return True


class TerminalSafe(logging.Formatter):
    """Formats a record's line with its control characters escaped (a file name holding ESC or a
    newline shows as ``\\x1b`` or ``\\n``); a traceback after it (``-vv``) keeps its lines.
    A formatter, not a filter: the filters above match the record's own format string."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return terminal_safe(super().formatMessage(record))


@contextmanager
def console_logging(*, bars: bool) -> Iterator[None]:
    """Within the block, the root logger's handlers skip what events tell; with ``bars``, they
    print through ``tqdm.write`` so the bars are redrawn below each record."""
    with ExitStack() as stack:
        if bars:
            # Imported here: every run of the CLI imports this module, and tqdm's logging helper
            # costs about 40 ms of start-up (issue 9), which `--progress none` never needs.
            from tqdm.contrib.logging import logging_redirect_tqdm

            stack.enter_context(logging_redirect_tqdm())
        duplicates = AnnouncedByEvents()
        handlers = list(logging.getLogger().handlers)
        for handler in handlers:
            handler.addFilter(duplicates)
            stack.callback(handler.removeFilter, duplicates)
        yield
