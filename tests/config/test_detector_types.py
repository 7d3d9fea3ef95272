"""Detector settings are a union told apart by ``type``: each entry is checked against its own
type's fields, and a mistake is located at that entry's line with that type's fields listed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from vcp.config import Settings, load_settings
from vcp.config.schema import NudeNetSettings, SpeechProfanitySettings, SubtitlesSettings
from vcp.errors import ConfigError

WriteConfig = Callable[..., Path]


def located(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    return str(info.value).splitlines()


def test_each_entry_becomes_its_type_s_settings_class(write_config: WriteConfig) -> None:
    settings = Settings.load(write_config("output:\n  pretty: true\n"))
    kinds = {d.type: type(d) for d in settings.detectors}
    assert kinds == {
        "nudenet": NudeNetSettings,
        "speech-profanity": SpeechProfanitySettings,
        "subtitles": SubtitlesSettings,
    }


def test_a_field_of_another_type_is_located_with_this_type_s_fields(
    write_config: WriteConfig,
) -> None:
    path = write_config(
        """
        merge_defaults: false
        detectors:
          - name: subs
            type: subtitles
            beam_size: 5
          - name: nude
            type: nudenet
            model: nudenet-320n
            languages: [en]
        """
    )
    lines = located(path)
    assert lines[0].startswith(f"{path}:5:5: detectors[0].beam_size: unknown field 'beam_size';")
    assert "mask" in lines[0] and "threshold" not in lines[0]  # subtitles' fields, not speech's
    assert lines[1].startswith(f"{path}:9:5: detectors[1].languages: unknown field 'languages';")
    assert "did you mean" not in lines[1]  # nudenet has no `languages` to suggest
    assert "batch_size" in lines[1]


def test_an_unknown_type_lists_every_known_one(write_config: WriteConfig) -> None:
    path = write_config(
        """
        merge_defaults: false
        detectors:
          - name: x
            type: whisper
        """
    )
    assert located(path) == [
        f"{path}:3:5: detectors[0]: unknown type 'whisper'; "
        "use one of: nudenet, speech-profanity, subtitles"
    ]


def test_settings_load_remembers_its_file_and_data_has_none(write_config: WriteConfig) -> None:
    path = write_config("output:\n  pretty: true\n")
    settings = Settings.load(path)
    assert settings.config_file == path
    assert settings.model_copy(update={"detectors": ()}).config_file == path
    assert Settings.load().config_file is None  # the built-in default: no file
    assert Settings(**settings.model_dump()).config_file is None  # built in code
