"""``vcp censor``: a copy of a film with its report's segments muted, bleeped, blanked, blurred or
cut, as the ``actions`` settings say.

``await censor_film(video, output, actions=settings.actions)`` does the whole job in a worker thread
(cancellable) and emits frozen events
(``CensorStarted``, ``CensorProgress``, ``CensorNotice``, ``CensorFinished``); ``plan_streams``
is the pure decision of what is copied and what is re-encoded. The media work is in
``vcp.media.rewrite`` (PyAV is imported only when ``censor`` runs).
"""

from __future__ import annotations

from vcp.censor.checks import check_output
from vcp.censor.events import (
    CensorEvent,
    CensorFinished,
    CensorNotice,
    CensorProgress,
    CensorStarted,
)
from vcp.censor.run import CensorResult, censor_film
from vcp.censor.streams import StreamJob, StreamPlan, plan_streams

__all__ = [
    "CensorEvent",
    "CensorFinished",
    "CensorNotice",
    "CensorProgress",
    "CensorResult",
    "CensorStarted",
    "StreamJob",
    "StreamPlan",
    "censor_film",
    "check_output",
    "plan_streams",
]
