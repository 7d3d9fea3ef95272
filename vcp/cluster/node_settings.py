"""The driver's settings as one node uses them: pure.

The films' settings (detectors, lists, thresholds, actions) travel from the driver, so every node
analyses alike. Where the node finds its models is the node's own business: ``HF_ENDPOINT`` (the
team mirror) and ``VCP_MODELS__CACHE_DIR`` in the environment of the node's ``ray start`` win
over the driver's values, as they would for a ``vcp`` run on that machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vcp.config.settings import Settings

__all__ = ["settings_for_node"]


def settings_for_node(settings: Settings, environ: Mapping[str, str]) -> Settings:
    """``settings`` with the node's own model endpoint and cache, when its environment sets them."""
    models = settings.models
    if endpoint := environ.get("HF_ENDPOINT", "").strip():
        hub = type(models.hub).model_validate({**models.hub.model_dump(), "endpoint": endpoint})
        models = models.model_copy(update={"hub": hub})
    if cache := environ.get("VCP_MODELS__CACHE_DIR", "").strip():
        models = models.model_copy(update={"cache_dir": Path(cache)})
    if models is settings.models:
        return settings
    return settings.model_copy(update={"models": models})
