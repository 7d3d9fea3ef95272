"""The process exit codes, declared once: the library raises errors, only the CLI turns them into
numbers.

0 ok, 1 other failure, 2 usage, configuration, report or output, 3 model download or verification,
4 media, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM; handled exactly like Ctrl-C).
"""

from __future__ import annotations

from vcp.errors import (
    ConfigError,
    MediaError,
    ModelError,
    OutputError,
    ReportError,
    UsageError,
    VcpError,
)

__all__ = [
    "EXIT_CHECK_FAILED",
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_MEDIA_ERROR",
    "EXIT_MODEL_ERROR",
    "EXIT_OK",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "exit_code",
]

EXIT_OK = 0
EXIT_FAILURE = 1  # any other VcpError (a detector that failed, say)
EXIT_CHECK_FAILED = 1  # a check command found a problem (`vcp models verify`)
EXIT_USAGE = 2  # a wrong argument, configuration or report
EXIT_MODEL_ERROR = 3
EXIT_MEDIA_ERROR = 4
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM: stopped by systemd, docker stop or kill

# Siblings under VcpError, so their order does not matter; a subclass exits as its base does.
_BY_CLASS: tuple[tuple[type[VcpError], int], ...] = (
    (ConfigError, EXIT_USAGE),
    (UsageError, EXIT_USAGE),
    (OutputError, EXIT_USAGE),  # an output refused or not written: choose another, or free space
    (ReportError, EXIT_USAGE),
    (ModelError, EXIT_MODEL_ERROR),
    (MediaError, EXIT_MEDIA_ERROR),
)


def exit_code(exc: VcpError) -> int:
    """The exit code for ``exc``, by its class."""
    for cls, code in _BY_CLASS:
        if isinstance(exc, cls):
            return code
    return EXIT_FAILURE
