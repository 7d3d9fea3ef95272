"""The ``processing:`` and ``output:`` sections: how media is sampled, how the report is written."""

from __future__ import annotations

from pydantic import Field

from vcp.config.schema.common import _Section

DEFAULT_FRAME_INTERVAL_SECONDS = 1.0
DEFAULT_MERGE_GAP_SECONDS = 2.0


class ProcessingSettings(_Section):
    """How media is sampled and how hits are merged into segments."""

    frame_interval_seconds: float = Field(DEFAULT_FRAME_INTERVAL_SECONDS, gt=0)
    merge_gap_seconds: float = Field(DEFAULT_MERGE_GAP_SECONDS, ge=0)


class OutputSettings(_Section):
    """How the report is written."""

    pretty: bool = True
    include_confidence: bool = True
