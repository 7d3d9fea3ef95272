"""What to do with a report's segments: ``plan_edits`` turns a report and the ``actions`` settings
into sorted, merged audio and video edits, with the film's timeline after skips.

Pure (no PyAV, no files): ``vcp censor`` applies the plan to the media, ``vcp export`` writes it
as player sidecars, ``vcp review`` shows it::

    from vcp.actions import plan_edits
    plan = plan_edits(load_report(path), settings.actions)
    for edit in plan.audio: ...          # AudioEdit(start, end, action="mute"|"bleep", ...)
    plan.kept_ranges()                   # source ranges left after skips
    plan.output_time(42.0)               # where 42 s of the source lands in the output
"""

from __future__ import annotations

from vcp.actions.plan import (
    AudioEdit,
    AudioEditAction,
    Box,
    EditPlan,
    TimedBox,
    VideoEdit,
    VideoEditAction,
    plan_edits,
)

__all__ = [
    "AudioEdit",
    "AudioEditAction",
    "Box",
    "EditPlan",
    "TimedBox",
    "VideoEdit",
    "VideoEditAction",
    "plan_edits",
]
