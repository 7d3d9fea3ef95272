"""The one rule for every file a command writes, checked before any work starts.

- Never over a file the run reads (the film, the report), whatever the options: not under another
  name, not through ``..``, a symbolic link or a hard link.
- Never over any other existing file without ``force``, except the kind of file the command
  itself refreshes on every run (``analyze`` its report, ``review`` its page, ``export`` its text
  player files): the caller says how to recognise one.
- Never into a folder that does not exist (unless the caller makes it) or cannot be written.

The errors are OutputErrors that name no command-line option; the CLI adds those to the hint.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from vcp.errors import OutputError

__all__ = ["OutputGuard", "OutputWritten", "check_folder", "make_folder"]


@dataclass(frozen=True, slots=True)
class OutputWritten:
    """An event: one output file is complete under its final name. ``kind`` says which (an
    export format such as ``edl``, ``page`` or ``index`` for review pages)."""

    path: Path
    kind: str


@dataclass(frozen=True)
class OutputGuard:
    """What one run of a command may write over.

    ``reads``: each file the run reads, with what it is for the message ("the film being read");
    never written over. ``refreshes`` recognises an existing file the command wrote itself and may
    replace (``refreshed`` names that kind: "a vcp report"); None: no such file. ``force``: replace
    any other existing file.
    """

    reads: Mapping[Path, str] = field(default_factory=dict)
    force: bool = False
    refreshes: Callable[[Path], bool] | None = None
    refreshed: str = ""

    def check(self, output: Path, *, folder_made_later: bool = False) -> None:
        """OutputError unless ``output`` may be written; ``folder_made_later``: its folder may be
        missing, the caller creates it."""
        self.check_not_read(output)
        if output.is_dir():
            raise OutputError(output, "the output is a folder")
        if os.path.lexists(output) and not self.force and not self._refreshable(output):
            kind = f" and is not {self.refreshed}" if self.refreshes else ""
            raise OutputError(output, f"the output file already exists{kind}", force_allows=True)
        check_folder(output.parent, made_later=folder_made_later, output=output)

    def check_not_read(self, output: Path) -> None:
        """OutputError if ``output`` is one of the files the run reads, under any name."""
        for key in _identities(output):
            what = self._reads_by_identity.get(key)
            if what is not None:
                raise OutputError(
                    output,
                    f"the output is the input ({what}): vcp never writes over a file it reads",
                )

    @cached_property
    def _reads_by_identity(self) -> dict[object, str]:
        """What each read file is, by each of its identities: one lookup per output, however
        many files a run reads (a folder of films)."""
        known: dict[object, str] = {}
        for source, what in self.reads.items():
            for key in _identities(source):
                known.setdefault(key, what)
        return known

    def _refreshable(self, output: Path) -> bool:
        return self.refreshes is not None and output.is_file() and self.refreshes(output)


def check_folder(folder: Path, *, made_later: bool = False, output: Path | None = None) -> None:
    """OutputError unless files can be written in ``folder`` (``made_later``: it may not exist
    yet). ``output`` is the file the error names (default: the folder)."""
    named = output or folder
    if not folder.exists():
        if made_later:
            return
        raise OutputError(named, "the output folder does not exist")
    if not folder.is_dir():
        raise OutputError(named, "the output folder is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(named, "the output folder is not writable")


def make_folder(folder: Path) -> None:
    """Create ``folder`` (and its parents) for outputs; OutputError naming it when it cannot be
    made."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            folder, f"cannot write into this folder, it cannot be made: {exc.strerror or exc}"
        ) from exc


def _identities(path: Path) -> list[object]:
    """The ways two names can be one file: the same path once resolved (``..``, symbolic links),
    or the same inode (hard links, bind mounts) when it exists."""
    keys: list[object] = []
    try:
        keys.append(path.resolve())
    except (OSError, RuntimeError):  # a symlink loop resolves to nothing
        keys.append(path.absolute())
    try:
        info = path.stat()
    except (OSError, ValueError):  # missing, or a name the system cannot take
        return keys
    keys.append((info.st_dev, info.st_ino))
    return keys
