"""Whether a film's report is current: the one place the watch service decides it.

The report itself says (``vcp.analysis.freshness``): it records its film's fingerprint, the models
and the inference settings that made it, and a digest of the rules derived from them. A report
written by ``vcp analyze`` is as good as one the service wrote; a report whose rules changed is
not current, and the analyzer then derives its segments again without loading a model.
``settings_key`` names the settings in the service's state file (what it analysed with).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

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


def report_is_current(film: Path, report: Path, *, settings: Settings) -> bool:
    """True if ``report`` is ``film``'s and current for ``settings`` (nothing to analyse or
    derive again). Reads the report and a few blocks of the film: blocking, call it in a
    thread."""
    from vcp.analysis.freshness import Current, report_status

    return isinstance(report_status(report, film, settings), Current)
