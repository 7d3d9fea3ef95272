"""Whether a film's report is current: the one place the watch service decides it.

Until reports record the fingerprint of their film and the inference settings that made them
(issue 16's incremental analysis), the service remembers both itself (``vcp.watch.state``): a
report is current when it exists and the service analysed this very film (same size and sampled
blocks) with the same settings. A report written by ``vcp analyze`` is therefore made once more
by the service. ``report_is_current`` is the only function to point at the analysis's own
freshness check once it exists.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from vcp.core.fingerprint import fingerprint
from vcp.watch.state import Analysed

if TYPE_CHECKING:
    from vcp.config.settings import Settings

__all__ = ["report_is_current", "settings_key"]

# Where the models come from and how they are fetched changes no report; what they are
# (sources: names, repos, revisions) and everything else does.
_NOT_IN_KEY = {"models": {"cache_dir", "hub", "download"}}


def settings_key(settings: Settings) -> str:
    """A short hash of the settings that decide what a report holds."""
    data = settings.model_dump(mode="json", exclude=_NOT_IN_KEY)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:32]


def report_is_current(
    film: Path, report: Path, *, settings_key: str, analysed: Analysed | None
) -> bool:
    """True if ``report`` exists and was made from this film with these settings (``analysed``:
    what the service recorded when it wrote the report). Reads a few blocks of the film:
    blocking, call it in a thread."""
    if analysed is None or analysed.settings != settings_key or not report.is_file():
        return False
    try:
        return fingerprint(film).matches(analysed.fingerprint)
    except OSError:
        return False
