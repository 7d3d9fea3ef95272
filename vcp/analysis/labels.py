"""The detectors' label sets; they live in :mod:`vcp.core.labels` (config checks them too)."""

from vcp.core.labels import NUDENET_LABELS

__all__ = ["NUDENET_LABELS"]
