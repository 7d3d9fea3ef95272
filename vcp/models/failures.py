"""What a model's failure becomes for the user: a VcpError, whatever was raised.

vcp's own errors pass through; a file-system error in the cache says where and what to check; any
other exception is a bug, logged with its traceback and said to be one.
"""

from __future__ import annotations

import logging
from pathlib import Path

from vcp.errors import ModelError, VcpError

# Logged under the manager's name, as before this module was split out of it.
logger = logging.getLogger("vcp.models.manager")


def as_model_error(name: str, exc: Exception, cache_root: Path) -> VcpError:
    """The error to report for model ``name`` (``exc`` itself when it is already vcp's)."""
    if isinstance(exc, VcpError):
        return exc
    if isinstance(exc, OSError):
        return _local_trouble(name, exc, cache_root)
    return _unexpected(name, exc)


def _local_trouble(name: str, exc: OSError, root: Path) -> ModelError:
    """A file-system failure in the cache: say where, and what to check (not "a bug")."""
    where = exc.filename or root
    error = ModelError(
        f"cannot use the model cache: {exc.strerror or exc} ({where})",
        model=name,
        where=str(where),
        hint=f"check that models.cache_dir ({root}) is a writable directory with free space",
    )
    error.__cause__ = exc
    return error


def _unexpected(name: str, exc: Exception) -> ModelError:
    logger.error("unexpected error while preparing %s", name, exc_info=exc)
    error = ModelError(
        f"unexpected error: {exc!r}",
        model=name,
        hint="this is a bug in vcp; please report it with the log (-vv)",
    )
    error.__cause__ = exc
    return error
