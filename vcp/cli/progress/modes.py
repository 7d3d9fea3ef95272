"""What ``--progress`` resolves to, and what every renderer is: shared by downloads, analysis and
``censor``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal, Protocol, Self, TextIO

if TYPE_CHECKING:
    from vcp.models.events import DownloadEvent

__all__ = ["ProgressMode", "ProgressRenderer", "choose_mode"]

ProgressMode = Literal["auto", "bars", "log", "none"]
_TRUE = frozenset({"1", "true", "yes", "on"})  # what huggingface_hub accepts for its flags


def choose_mode(
    requested: ProgressMode, *, stream: TextIO, quiet: bool, env: Mapping[str, str]
) -> Literal["bars", "log", "none"]:
    """Resolve ``--progress`` against ``--quiet``, the environment and whether ``stream`` is a TTY.

    ``HF_HUB_DISABLE_PROGRESS_BARS`` turns bars into log lines, even when bars were asked for.
    """
    if quiet or requested == "none":
        return "none"
    if requested == "log" or env.get("HF_HUB_DISABLE_PROGRESS_BARS", "").lower() in _TRUE:
        return "log"
    if requested == "bars":
        return "bars"
    return "bars" if _isatty(stream) else "log"


class ProgressRenderer(Protocol):
    """An event handler that draws progress; use it as a context manager so bars get closed."""

    def __call__(self, event: DownloadEvent) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc_info: object) -> None: ...


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no such method, or the stream is closed
        return False
