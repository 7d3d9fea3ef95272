"""The ``actions:`` section: its defaults, what a user may write, and located errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from vcp.config import Settings, load_settings
from vcp.config.schema.actions import ActionsSettings, CategoryActions, ResolvedActions
from vcp.errors import ConfigError

WriteConfig = Callable[..., Path]


def located(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    return [str(p) for p in info.value.problems]


def test_defaults_mute_words_and_skip_nudity() -> None:
    actions = load_settings(None).actions
    assert actions == ActionsSettings()  # the packaged YAML spells out the built-in defaults
    for category in ("profanity", "slurs", "blasphemy"):
        assert actions.resolve(category, "audio") == ResolvedActions("mute", "none", 0.4, 0.1)
    assert actions.resolve("Nudity", "video") == ResolvedActions("none", "skip", 0.0, 0.0)
    assert actions.video.crf == 20
    assert actions.bleep.frequency_hz == 1000
    assert (actions.mute, actions.uncertain) == ("words", "act")


def test_padding_is_one_number_for_both_sides_or_a_before_after_pair() -> None:
    both = ActionsSettings(padding={"audio": 0.2})
    assert both.resolve("profanity", "audio").padding_before == 0.2
    assert both.resolve("profanity", "audio").padding_after == 0.2
    pair = ActionsSettings(padding={"audio": [0.5, 0.05]})
    resolved = pair.resolve("profanity", "audio")
    assert (resolved.padding_before, resolved.padding_after) == (0.5, 0.05)


def test_a_padding_side_out_of_range_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "vcp.yaml"
    config.write_text("actions:\n  padding:\n    audio: [0.4, 11]\n")
    problems = located(config)
    assert any("padding" in p and "10" in p for p in problems), problems


def test_unlisted_categories_follow_the_default_per_kind() -> None:
    actions = ActionsSettings(default={"audio": "bleep", "video": "blank"})
    assert actions.resolve("insults", "audio") == ResolvedActions("bleep", "none", 0.4, 0.1)
    assert actions.resolve("gore", "video") == ResolvedActions("none", "blank", 0.0, 0.0)


def test_a_users_section_is_read(load: Callable[[str], Settings]) -> None:
    settings = load(
        """
        actions:
          categories:
            profanity: {audio: bleep, padding_before: 0.3}
            violence: {video: blur}
          bleep: {frequency_hz: 800, level_dbfs: -20}
          video: {crf: 28, preset: ultrafast}
        """
    )
    actions = settings.actions
    assert actions.categories["profanity"] == CategoryActions(audio="bleep", padding_before=0.3)
    assert actions.resolve("PROFANITY", "audio") == ResolvedActions("bleep", "none", 0.3, 0.1)
    assert actions.resolve("violence", "video").video == "blur"
    assert "nudity" not in actions.categories  # a listed mapping replaces the default one
    assert (actions.bleep.frequency_hz, actions.video.preset) == (800, "ultrafast")


def test_a_wrong_action_is_located(write_config: WriteConfig) -> None:
    path = write_config(
        """
        actions:
          categories:
            profanity: {audio: beep}
        """
    )
    (line,) = located(path)
    assert line.startswith(f"{path}:3:")
    assert "actions.categories.profanity.audio: input should be 'mute', 'bleep' or 'none'" in line


def test_an_unknown_key_in_a_category_suggests_the_right_one(write_config: WriteConfig) -> None:
    path = write_config(
        """
        actions:
          categories:
            nudity:
              vidoe: skip
        """
    )
    assert located(path) == [
        f"{path}:4:7: actions.categories.nudity.vidoe: unknown field 'vidoe'; did you mean 'video'?"
    ]


def test_an_unknown_key_in_the_section_is_an_error(write_config: WriteConfig) -> None:
    path = write_config(
        """
        actions:
          bleep:
            frequency: 800
        """
    )
    (line,) = located(path)
    assert line.startswith(f"{path}:3:5: actions.bleep.frequency: unknown field 'frequency'")
    assert "frequency_hz" in line


@pytest.mark.parametrize(
    ("yaml", "field", "message"),
    [
        ("padding: {audio: -1}", "actions.padding.audio", "must be from 0 to 10 (got -1)"),
        ("bleep: {frequency_hz: 5}", "actions.bleep.frequency_hz", "from 20 to 20000 (got 5)"),
        ("bleep: {level_dbfs: 3}", "actions.bleep.level_dbfs", "must be from -60 to 0 (got 3)"),
        ("bleep: {level_dbfs: -.inf}", "actions.bleep.level_dbfs", "a finite number from -60"),
        ("video: {crf: 60}", "actions.video.crf", "must be from 0 to 51 (got 60)"),
        ("video: {preset: quick}", "actions.video.preset", "input should be 'ultrafast'"),
        ("blur: {cells: 0}", "actions.blur.cells", "must be from 1 to 64 (got 0)"),
        ("default: {video: cut}", "actions.default.video", "'skip', 'blank', 'blur' or 'none'"),
        ("mute: word", "actions.mute", "input should be 'words' or 'segments'"),
        ("uncertain: skip", "actions.uncertain", "input should be 'act' or 'ignore'"),
    ],
)
def test_out_of_range_values_name_the_field(
    write_config: WriteConfig, yaml: str, field: str, message: str
) -> None:
    (line,) = located(write_config(f"actions:\n  {yaml}\n"))
    assert f": {field}: " in line and message in line


def test_a_category_listed_twice_in_other_case_is_refused(write_config: WriteConfig) -> None:
    path = write_config(
        """
        actions:
          categories:
            nudity: {video: skip}
            Nudity: {video: blur}
        """
    )
    (line,) = located(path)
    assert line.startswith(f"{path}:4:5: actions.categories.Nudity: 'Nudity' is the same category")


def test_the_environment_overrides_the_file(
    monkeypatch: pytest.MonkeyPatch, load: Callable[[str], Settings]
) -> None:
    monkeypatch.setenv("VCP_ACTIONS__BLEEP__FREQUENCY_HZ", "440")
    monkeypatch.setenv("VCP_ACTIONS__VIDEO__CRF", "30")
    actions = load("actions: {bleep: {frequency_hz: 800}}\n").actions
    assert (actions.bleep.frequency_hz, actions.video.crf) == (440, 30)
