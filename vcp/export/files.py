"""Writing outputs so that a reader sees the old file or the complete new one, never a part."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from vcp.errors import UsageError

__all__ = ["output_error", "write_text_atomic"]


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to a hidden temporary file, then rename it."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise output_error(path, exc) from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def output_error(path: Path, exc: OSError) -> UsageError:
    """The error for an output that cannot be written (read-only folder, disk full, ...)."""
    return UsageError(
        f"cannot write {path.name}: {exc.strerror or exc}",
        where=str(path.parent),
        hint="choose a writable output folder with -o, or free some space",
    )
