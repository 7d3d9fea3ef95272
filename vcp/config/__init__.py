"""Configuration: the settings schema, the YAML adapter and the loader."""

from vcp.config.loader import config_path, load_document, load_settings, settings_from_document
from vcp.config.paths import default_cache_dir
from vcp.config.schema import (
    DownloadSettings,
    HfRepo,
    HubSettings,
    ModelSource,
    ModelsSettings,
    NudeNetSettings,
    OutputSettings,
    ProcessingSettings,
    SpeechProfanitySettings,
)
from vcp.config.settings import Settings

__all__ = [
    "DownloadSettings",
    "HfRepo",
    "HubSettings",
    "ModelSource",
    "ModelsSettings",
    "NudeNetSettings",
    "OutputSettings",
    "ProcessingSettings",
    "Settings",
    "SpeechProfanitySettings",
    "config_path",
    "default_cache_dir",
    "load_document",
    "load_settings",
    "settings_from_document",
]
