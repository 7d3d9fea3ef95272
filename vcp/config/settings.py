"""The one settings object: YAML values, overridden by the environment.

Precedence, highest first:

1. ``VCP_*`` environment variables, ``__`` for nesting (``VCP_MODELS__CACHE_DIR=/data/m``);
2. the Hugging Face conventions ``HF_ENDPOINT`` and ``HF_HUB_OFFLINE``;
3. the YAML file (handed in as init data by ``vcp.config.loader``);
4. the defaults in ``vcp.config.schema`` (one module per section).

Tokens are deliberately not settings: ``models.hub.token_env`` names the variable that holds one,
and it is read only when a request needs it, so ``vcp config show`` can never print a secret.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import PrivateAttr, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from vcp.config.schema import (
    ActionsSettings,
    AnyDetectorSettings,
    FieldError,
    ModelsSettings,
    OutputSettings,
    ProcessingSettings,
)
from vcp.config.schema.common import unique_names

ENV_PREFIX = "VCP_"
ENV_NESTED_DELIMITER = "__"
_TRUE = frozenset({"1", "true", "yes", "on"})


class HubEnvironment(PydanticBaseSettingsSource):
    """``HF_ENDPOINT`` and ``HF_HUB_OFFLINE``, as huggingface_hub users already set them."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        # Unused: __call__ builds the nested dict directly.
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        hub: dict[str, Any] = {}
        if endpoint := os.environ.get("HF_ENDPOINT"):
            hub["endpoint"] = endpoint
        # Empty counts as unset, as for HF_ENDPOINT: `HF_HUB_OFFLINE= vcp ...` keeps the YAML value.
        if offline := os.environ.get("HF_HUB_OFFLINE", "").strip():
            hub["offline"] = offline.lower() in _TRUE
        return {"models": {"hub": hub}} if hub else {}


class Settings(BaseSettings):
    """vcp's whole configuration. Build it with ``Settings.load(path)`` (or
    ``vcp.config.load_settings``), which remembers the file it read (``config_file``, recorded
    in each report); ``Settings(**data)`` builds it from data, with no file."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_NESTED_DELIMITER,
        extra="forbid",
        frozen=True,
    )

    models: ModelsSettings = ModelsSettings()
    detectors: tuple[AnyDetectorSettings, ...] = ()
    processing: ProcessingSettings = ProcessingSettings()
    output: OutputSettings = OutputSettings()
    actions: ActionsSettings = ActionsSettings()
    _config_file: Path | None = PrivateAttr(None)

    @classmethod
    def load(cls, path: Path | str | None = None) -> Settings:
        """The settings of the YAML file at ``path`` (else ``$VCP_CONFIG``, else the built-in
        default), merged over the defaults, with ``VCP_*`` overrides; a ConfigError locates every
        problem. Nothing is read from disk unless this (or ``load_settings``) is called."""
        from vcp.config.loader import load_settings

        return load_settings(path)

    def __eq__(self, other: object) -> bool:
        # The same values are the same settings, wherever they were read from.
        if not isinstance(other, Settings):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    @property
    def config_file(self) -> Path | None:
        """The file these settings were read from; None when built in code or from the
        built-in default."""
        return self._config_file

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Earlier sources win: the environment overrides the YAML file (init data).
        return (env_settings, HubEnvironment(settings_cls), init_settings)

    @model_validator(mode="after")
    def _detector_references(self) -> Settings:
        names = {source.name for source in self.models.sources}
        unique_names("detectors", (detector.name for detector in self.detectors))
        for i, detector in enumerate(self.detectors):
            if detector.model is not None and detector.model not in names:
                known = ", ".join(sorted(names)) or "none declared"
                raise FieldError(
                    ("detectors", i, "model"),
                    f"{detector.model!r} is not a source in models.sources (known: {known})",
                )
        return self
