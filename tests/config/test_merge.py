"""A user's file merges over the shipped defaults (docs/configuration.md, "Your file and the
defaults"): what the file leaves out keeps its default, ``detectors`` and ``models.sources`` merge
by name, other lists are replaced whole, the environment still wins, and errors keep pointing at
the line the user wrote."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from vcp.config import Settings, load_settings
from vcp.config.loader import (
    BUILTIN_NAME,
    default_config_text,
    require_detectors,
    source_location,
)
from vcp.config.yaml_io import load_yaml
from vcp.errors import ConfigError

Load = Callable[[str], Settings]


def default_names(*, without: str = "") -> list[str]:
    """The built-in detectors' names, in order (``without`` one of them)."""
    return [d.name for d in load_settings(None).detectors if d.name != without]


def nothing_enabled() -> str:
    """A file turning every default detector off."""
    entries = "".join(f"  - {{name: {name}, enabled: false}}\n" for name in default_names())
    return "detectors:\n" + entries


def detector(settings: Settings, name: str):  # type: ignore[no-untyped-def]
    return next(d for d in settings.detectors if d.name == name)


def source(settings: Settings, name: str):  # type: ignore[no-untyped-def]
    return next(s for s in settings.models.sources if s.name == name)


def test_a_config_with_only_actions_keeps_every_default_detector(load: Load) -> None:
    # The repro: this file used to validate with 0 detectors and analyse nothing.
    settings = load(
        """
        actions:
          categories:
            profanity: {audio: bleep}
        """
    )
    default = load_settings(None)
    assert settings.detectors == default.detectors
    assert settings.models == default.models
    assert settings.processing == default.processing
    assert settings.actions.categories["profanity"].audio == "bleep"
    assert settings.actions.padding == default.actions.padding  # the rest of `actions` kept


def test_a_detector_named_like_a_default_changes_only_the_keys_it_gives(load: Load) -> None:
    settings = load(
        """
        detectors:
          - {name: profanity, threshold: 0.2}
        """
    )
    default = detector(load_settings(None), "profanity")
    profanity = detector(settings, "profanity")
    assert profanity.threshold == 0.2
    assert profanity.model_copy(update={"threshold": default.threshold}) == default
    assert [d.name for d in settings.detectors] == [  # yours first
        "profanity",
        *default_names(without="profanity"),
    ]


def test_a_new_name_adds_a_detector_beside_the_defaults(load: Load) -> None:
    settings = load(
        """
        detectors:
          - name: exposed-feet
            type: nudenet
            model: nudenet-320n
            categories: {feet: [FEET_EXPOSED]}
        """
    )
    assert [d.name for d in settings.detectors] == ["exposed-feet", *default_names()]
    assert detector(settings, "exposed-feet").categories == {"feet": ("FEET_EXPOSED",)}


def test_enabled_false_turns_a_default_detector_off(load: Load) -> None:
    settings = load(
        """
        detectors:
          - {name: nudity, enabled: false}
        """
    )
    assert [d.name for d in settings.detectors if d.enabled] == default_names(without="nudity")
    assert detector(settings, "nudity").type == "nudenet"  # still configured, just unused


def test_a_detector_of_another_type_replaces_the_default_of_its_name(load: Load) -> None:
    # Merging would carry the speech detector's languages into a nudenet one: an error.
    settings = load(
        """
        detectors:
          - name: profanity
            type: nudenet
            model: nudenet-320n
            categories: {feet: [FEET_EXPOSED]}
        """
    )
    assert detector(settings, "profanity").type == "nudenet"
    assert detector(settings, "profanity").threshold == 0.5  # nudenet's default, not speech's


def test_lists_and_categories_are_replaced_whole(load: Load) -> None:
    settings = load(
        """
        models:
          download:
            retry_backoff_seconds: [1]
        detectors:
          - {name: profanity, categories: [slurs]}
          - {name: nudity, categories: {nudity: [ANUS_EXPOSED]}}
        actions:
          categories:
            slurs: {audio: bleep}
        """
    )
    assert settings.models.download.retry_backoff_seconds == (1,)
    assert detector(settings, "profanity").categories == ("slurs",)
    assert detector(settings, "nudity").categories == {"nudity": ("ANUS_EXPOSED",)}
    assert list(settings.actions.categories) == ["slurs"]  # as the docs always said


def test_mappings_merge_key_by_key(load: Load) -> None:
    settings = load(
        """
        models:
          hub: {endpoint: "http://mirror.lan:8080"}
          download: {max_concurrent_files: 2}
        detectors:
          - name: profanity
            words: {profanity: [bloody]}
        """
    )
    default = load_settings(None)
    assert settings.models.hub.endpoint == "http://mirror.lan:8080"
    assert settings.models.hub.token_env == default.models.hub.token_env
    download = settings.models.download
    assert download.max_concurrent_files == 2
    assert download.model_copy(update={"max_concurrent_files": 8}) == default.models.download
    assert detector(settings, "profanity").words == {"profanity": ("bloody",)}


def test_a_section_written_empty_keeps_its_default(load: Load) -> None:
    settings = load("detectors:\nmodels:\n")
    assert settings == load_settings(None)


def test_sources_merge_by_name_and_a_new_location_replaces_the_default(load: Load) -> None:
    settings = load(
        """
        models:
          sources:
            - {name: nudenet-320n, optional: true}
            - name: whisper-tiny-en
              hf: {repo: acme/whisper-tiny-en, revision: main}
            - name: extra
              url: https://models.example/extra.onnx
              allow_unverified: true
        """
    )
    default = load_settings(None)
    nudenet = source(settings, "nudenet-320n")
    assert nudenet.optional and nudenet.hf == source(default, "nudenet-320n").hf
    assert nudenet.checksums == source(default, "nudenet-320n").checksums
    whisper = source(settings, "whisper-tiny-en")
    # A new location starts afresh: the default's pins belong to the default's files.
    assert whisper.hf is not None and whisper.hf.repo == "acme/whisper-tiny-en"
    assert whisper.checksums == {}
    assert [s.name for s in settings.models.sources] == [
        "nudenet-320n",
        "whisper-tiny-en",
        "extra",
        "nudenet-320n-release",
    ]


def test_the_environment_still_overrides_the_merged_file(
    load: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VCP_MODELS__DOWNLOAD__MAX_CONCURRENT_FILES", "3")
    monkeypatch.setenv("VCP_PROCESSING__MERGE_GAP_SECONDS", "0.5")
    settings = load(
        """
        models:
          download: {max_concurrent_files: 2, max_redirects: 4}
        """
    )
    assert settings.models.download.max_concurrent_files == 3  # the variable wins over the file
    assert settings.models.download.max_redirects == 4  # the file wins over the default
    assert settings.processing.merge_gap_seconds == 0.5
    assert [d.name for d in settings.detectors] == default_names()


def test_a_bad_value_in_a_merged_detector_points_at_the_users_line(
    write_config: Callable[..., Path],
) -> None:
    path = write_config(
        """
        # my overrides
        detectors:
          - name: profanity
            threshold: 2
        """
    )
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == (f"{path}:4:5: detectors[0].threshold: must be from 0 to 1 (got 2)")


def test_a_bad_value_deep_in_a_merged_section_points_at_the_users_line(
    write_config: Callable[..., Path],
) -> None:
    path = write_config(
        """
        models:
          download:
            max_concurrent_files: 0
        actions:
          padding: {audio: 11}
        """
    )
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:3:5: models.download.max_concurrent_files: must be from 1 to 64 (got 0)",
        f"{path}:5:13: actions.padding.audio: must be from 0 to 10 (got 11)",
    ]


def test_a_check_between_two_fields_points_at_the_users_entry(
    write_config: Callable[..., Path],
) -> None:
    # The user's window is shorter than the default overlap, which the file does not write.
    path = write_config(
        """
        detectors:
          - {name: profanity, window_seconds: 5}
        """
    )
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == (
        f"{path}:2:5: detectors[0].overlap_seconds: must be shorter than window_seconds (5.0)"
    )


def test_a_default_value_made_wrong_by_the_user_points_at_the_default_file(
    write_config: Callable[..., Path],
) -> None:
    # md5 makes the default's 64-digit checksum wrong: the line to read is the default's.
    path = write_config(
        """
        models:
          sources:
            - {name: nudenet-320n-release, algorithm: md5}
        """
    )
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    line = next(
        n
        for n, text in enumerate(default_config_text().splitlines(), start=1)
        if text.strip().startswith("checksum: c15d")
    )
    assert str(info.value) == (
        f"{BUILTIN_NAME}:{line}:7: models.sources[0].checksum: "
        "expected 32 hex digits for md5, got 64"
    )


def test_a_misspelt_key_in_a_merged_entry_is_still_an_error(
    write_config: Callable[..., Path],
) -> None:
    path = write_config(
        """
        detectors:
          - {name: profanity, treshold: 0.2}
        """
    )
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == (
        f"{path}:2:23: detectors[0].treshold: unknown field 'treshold'; did you mean 'threshold'?"
    )


def test_a_model_error_names_the_file_that_declares_the_source(
    write_config: Callable[..., Path],
) -> None:
    path = write_config(
        """
        models:
          sources:
            - {name: nudenet-320n, optional: true}
        """
    )
    doc = load_yaml(path)
    settings = load_settings(path)
    assert source_location(doc, settings, "nudenet-320n") == f"{path}:3 (models.sources[0])"
    assert source_location(
        doc,
        settings,
        "whisper-tiny-en",
    ).startswith(f"{BUILTIN_NAME}:")


def test_no_enabled_detector_is_a_config_error_for_analysis(load: Load) -> None:
    settings = load(nothing_enabled())
    require_detectors(load_settings(None))  # the defaults analyse something
    with pytest.raises(ConfigError) as info:
        require_detectors(settings, source="my.yaml")
    assert (
        str(info.value) == "my.yaml: detectors: no detector is enabled: nothing would be analysed"
    )
    assert info.value.hint and "enabled: false" in info.value.hint
