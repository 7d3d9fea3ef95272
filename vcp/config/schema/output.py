"""The ``processing:`` and ``output:`` sections: how media is sampled, how the report is written."""

from __future__ import annotations

from pydantic import Field

from vcp.config.schema.common import _Section

DEFAULT_FRAME_INTERVAL_SECONDS = 1.0
DEFAULT_MERGE_GAP_SECONDS = 2.0
# 25 frames a second at most (every frame of a PAL film), one every 10 minutes at least.
MIN_FRAME_INTERVAL_SECONDS, MAX_FRAME_INTERVAL_SECONDS = 0.04, 600.0
MAX_MERGE_GAP_SECONDS = 600.0


class ProcessingSettings(_Section):
    """How media is sampled and how hits are merged into segments."""

    frame_interval_seconds: float = Field(
        DEFAULT_FRAME_INTERVAL_SECONDS,
        ge=MIN_FRAME_INTERVAL_SECONDS,
        le=MAX_FRAME_INTERVAL_SECONDS,
    )
    merge_gap_seconds: float = Field(DEFAULT_MERGE_GAP_SECONDS, ge=0, le=MAX_MERGE_GAP_SECONDS)


class OutputSettings(_Section):
    """How the report is written."""

    pretty: bool = True
    include_confidence: bool = True
