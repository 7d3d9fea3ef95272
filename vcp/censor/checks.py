"""Refusals before any work: an output that would overwrite the input or another file, or a folder
that cannot take it. (A report written for another video is refused by
``vcp.report.pairing.check_pairing``, as in every command that reads a film and its report.)"""

from __future__ import annotations

from pathlib import Path

from vcp.core.outputs import OutputGuard

__all__ = ["check_output"]


def check_output(source: Path, output: Path, *, force: bool, report: Path | None = None) -> None:
    """OutputError unless ``output`` may be written: never ``source`` or ``report`` under any
    name (not even with ``force``), an existing file only with ``force``, a writable folder."""
    reads = {source: "the film being read"}
    if report is not None:
        reads[report] = "the report being read"
    OutputGuard(reads, force=force).check(output)
