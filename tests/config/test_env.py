"""Environment overrides: VCP_* (``__`` nests), VCP_CONFIG, HF_ENDPOINT and HF_HUB_OFFLINE.

Precedence, highest first: VCP_* > HF_ENDPOINT / HF_HUB_OFFLINE > the YAML file > defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from vcp.config import load_settings
from vcp.errors import ConfigError

WriteConfig = Callable[..., Path]

YAML = """
models:
  cache_dir: /yaml/models
  hub:
    endpoint: http://yaml.example:1
    offline: false
  download:
    max_concurrent_files: 3
    max_connections_per_file: 2
    retry_backoff_seconds: [1, 1]
  sources:
    - name: vision
      url: https://example.com/vision.onnx
detectors:
  - name: nudity
    type: nudenet
    model: vision
processing:
  frame_interval_seconds: 2.0
"""


@pytest.fixture
def config(write_config: WriteConfig) -> Path:
    return write_config(YAML)


def env_error(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    (problem,) = info.value.problems
    return str(problem)


# -- VCP_* ----------------------------------------------------------------------------------------


def test_without_environment_the_yaml_values_hold(config: Path) -> None:
    settings = load_settings(config)
    assert settings.models.cache_dir == Path("/yaml/models")
    assert settings.models.hub.endpoint == "http://yaml.example:1"
    assert settings.models.download.max_concurrent_files == 3


def test_cache_dir_override(config: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VCP_MODELS__CACHE_DIR", str(tmp_path / "m"))
    settings = load_settings(config)
    assert settings.models.cache_dir == tmp_path / "m"
    assert settings.models.resolved_cache_dir == tmp_path / "m"


def test_cache_dir_override_expands_home(
    config: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("VCP_MODELS__CACHE_DIR", "~/models")
    assert load_settings(config).models.resolved_cache_dir == tmp_path / "models"


def test_nested_download_value_keeps_its_yaml_siblings(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VCP_MODELS__DOWNLOAD__MAX_CONCURRENT_FILES", "4")
    download = load_settings(config).models.download
    assert download.max_concurrent_files == 4
    assert download.max_connections_per_file == 2  # from the YAML, untouched
    assert download.retry_backoff_seconds == (1, 1)


def test_list_value_from_json(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCP_MODELS__DOWNLOAD__RETRY_BACKOFF_SECONDS", "[0.5, 1, 30]")
    assert load_settings(config).models.download.retry_backoff_seconds == (0.5, 1, 30)


def test_other_sections(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCP_PROCESSING__FRAME_INTERVAL_SECONDS", "0.25")
    monkeypatch.setenv("VCP_OUTPUT__PRETTY", "false")
    monkeypatch.setenv("VCP_MODELS__HUB__TOKEN_ENV", "ACME_HF_TOKEN")
    settings = load_settings(config)
    assert settings.processing.frame_interval_seconds == 0.25
    assert settings.output.pretty is False
    assert settings.models.hub.token_env == "ACME_HF_TOKEN"
    assert settings.models.sources[0].name == "vision"  # the rest of the file still applies


def test_overrides_apply_to_the_builtin_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCP_MODELS__DOWNLOAD__MAX_CONNECTIONS_PER_FILE", "16")
    settings = load_settings(None)
    assert settings.models.download.max_connections_per_file == 16
    assert len(settings.models.sources) == 3


# -- VCP_CONFIG -----------------------------------------------------------------------------------


def test_vcp_config_selects_the_file(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCP_CONFIG", str(config))
    settings = load_settings()
    assert settings.models.sources[0].name == "vision"  # the file's, then the defaults
    assert settings.models.cache_dir == Path("/yaml/models")


def test_explicit_path_beats_vcp_config(
    config: Path, write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VCP_CONFIG", str(config))
    other = write_config("processing:\n  merge_gap_seconds: 7\n", name="other.yaml")
    settings = load_settings(other)
    assert settings.processing.merge_gap_seconds == 7
    names = [s.name for s in settings.models.sources]
    assert names == ["whisper-tiny-en", "nudenet-320n", "nudenet-320n-release"]  # no "vision"


def test_without_vcp_config_the_builtin_default_is_used() -> None:
    names = [s.name for s in load_settings().models.sources]
    assert names == ["whisper-tiny-en", "nudenet-320n", "nudenet-320n-release"]


def test_vcp_config_naming_a_missing_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = tmp_path / "gone.yaml"
    monkeypatch.setenv("VCP_CONFIG", str(missing))
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert str(info.value) == f"{missing}: configuration file not found"
    assert "VCP_CONFIG" in (info.value.hint or "")


# -- Hub conventions ------------------------------------------------------------------------------


def test_hf_endpoint_overrides_yaml(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://mirror.lan:8080/")
    assert load_settings(config).models.hub.endpoint == "http://mirror.lan:8080"


def test_empty_hf_endpoint_is_ignored(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "")
    assert load_settings(config).models.hub.endpoint == "http://yaml.example:1"


def test_precedence_vcp_beats_hf_endpoint_beats_yaml(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_settings(config).models.hub.endpoint == "http://yaml.example:1"
    monkeypatch.setenv("HF_ENDPOINT", "http://hf-endpoint.example:2")
    assert load_settings(config).models.hub.endpoint == "http://hf-endpoint.example:2"
    monkeypatch.setenv("VCP_MODELS__HUB__ENDPOINT", "http://vcp.example:3")
    assert load_settings(config).models.hub.endpoint == "http://vcp.example:3"


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "on", " 1 "])
def test_hf_hub_offline_truthy(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    path = write_config("models:\n  hub:\n    offline: false\n")
    monkeypatch.setenv("HF_HUB_OFFLINE", value)
    assert load_settings(path).models.hub.offline is True


@pytest.mark.parametrize("value", ["0", "false", "False", "no", "off"])
def test_hf_hub_offline_falsy(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    # HF_HUB_OFFLINE outranks the YAML either way: `HF_HUB_OFFLINE=0` turns it back on-line.
    path = write_config("models:\n  hub:\n    offline: true\n")
    monkeypatch.setenv("HF_HUB_OFFLINE", value)
    assert load_settings(path).models.hub.offline is False


def test_empty_hf_hub_offline_leaves_yaml_alone(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config("models:\n  hub:\n    offline: true\n")
    monkeypatch.setenv("HF_HUB_OFFLINE", "")
    assert load_settings(path).models.hub.offline is True


def test_vcp_offline_beats_hf_hub_offline(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("VCP_MODELS__HUB__OFFLINE", "false")
    assert load_settings(config).models.hub.offline is False


def test_hf_token_is_not_a_setting(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_secret_value")
    settings = load_settings(config)
    assert "hf_secret_value" not in settings.model_dump_json()
    assert settings.models.hub.token_env == "HF_TOKEN"


# -- bad values name the variable -----------------------------------------------------------------


def test_bad_vcp_value_names_the_variable(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCP_MODELS__DOWNLOAD__MAX_CONCURRENT_FILES", "lots")
    assert env_error(config) == (
        "environment variable VCP_MODELS__DOWNLOAD__MAX_CONCURRENT_FILES: "
        "models.download.max_concurrent_files: input should be a valid integer, "
        "unable to parse string as an integer (got 'lots')"
    )


def test_out_of_range_vcp_value_names_the_variable(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VCP_PROCESSING__MERGE_GAP_SECONDS", "-1")
    assert env_error(config).startswith(
        "environment variable VCP_PROCESSING__MERGE_GAP_SECONDS: processing.merge_gap_seconds: "
        "must be from 0 to 600 (got -1)"
    )


def test_misspelt_vcp_variable_is_an_error(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCP_MODELS__DOWNLOAD__MAX_CONCURENT_FILES", "4")
    assert env_error(config) == (
        "environment variable VCP_MODELS__DOWNLOAD__MAX_CONCURENT_FILES: "
        "models.download.max_concurent_files: unknown field 'max_concurent_files'; "
        "did you mean 'max_concurrent_files'?"
    )


def test_bad_hf_endpoint_names_the_variable(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "mirror.lan")
    assert env_error(config) == (
        "environment variable HF_ENDPOINT: models.hub.endpoint: "
        "expected an http(s) URL, got 'mirror.lan'"
    )


def test_bad_vcp_endpoint_is_blamed_not_hf_endpoint(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://fine.example")
    monkeypatch.setenv("VCP_MODELS__HUB__ENDPOINT", "ftp://wrong")
    assert env_error(config).startswith("environment variable VCP_MODELS__HUB__ENDPOINT: ")


def test_bad_yaml_value_is_blamed_on_the_file_when_env_is_unrelated(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config("models:\n  download:\n    max_redirects: 99\n")
    monkeypatch.setenv("VCP_MODELS__DOWNLOAD__MAX_CONCURRENT_FILES", "4")
    assert env_error(path) == (
        f"{path}:3:5: models.download.max_redirects: must be from 0 to 30 (got 99)"
    )


def test_environment_value_fixes_a_bad_yaml_value(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The environment wins outright: the file's value is never validated on its own.
    path = write_config("models:\n  download:\n    max_redirects: 99\n")
    monkeypatch.setenv("VCP_MODELS__DOWNLOAD__MAX_REDIRECTS", "5")
    assert load_settings(path).models.download.max_redirects == 5


# -- variables that set nothing, and values that are not JSON -------------------------------------


@pytest.mark.parametrize(
    ("variable", "meant"),
    [
        ("VCP_MODLES__CACHE_DIR", "VCP_MODELS__CACHE_DIR"),  # misspelt section
        ("VCP_MODELS_CACHE_DIR", "VCP_MODELS__CACHE_DIR"),  # one underscore instead of two
        ("vcp_models_cache_dir", "VCP_MODELS__CACHE_DIR"),
        ("VCP_CONFG", "VCP_CONFIG"),
    ],
)
def test_a_misspelt_vcp_variable_is_not_ignored_in_silence(
    config: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    variable: str, meant: str,
) -> None:  # fmt: skip
    monkeypatch.setenv(variable, "/data/models")

    settings = load_settings(config)

    assert settings.models.cache_dir == Path("/yaml/models")  # still ignored, but now said so
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        f"environment variable {variable} is not a vcp setting and is ignored; "
        f"did you mean {meant}?"
    ]


def test_an_unrelated_vcp_variable_is_warned_about_without_a_guess(
    config: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("VCP_SOMETHING_ELSE", "1")
    load_settings(config)
    assert caplog.messages == [
        "environment variable VCP_SOMETHING_ELSE is not a vcp setting and is ignored"
    ]


def test_correct_variables_give_no_warning(
    config: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for name, value in {
        "VCP_MODELS__CACHE_DIR": "/data/m",
        "VCP_MODELS__DOWNLOAD": '{"max_redirects": 3}',
        "VCP_CONFIG": str(config),
        "VCP_MIRROR_TOKEN": "s3cret",
    }.items():
        monkeypatch.setenv(name, value)
    load_settings(config)
    assert caplog.messages == []


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("VCP_MODELS__DOWNLOAD__RETRY_BACKOFF_SECONDS", "[1, x]"),
        ("VCP_MODELS__DOWNLOAD", "{max_redirects: 3}"),
        ("VCP_DETECTORS", "nudity"),
    ],
)
def test_a_variable_whose_value_is_not_json_is_blamed_not_the_file(
    config: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as info:
        load_settings(config)
    (problem,) = info.value.problems
    assert problem.source == f"environment variable {variable}"
    assert str(problem).startswith(f"environment variable {variable}: not valid JSON")
    assert info.value.hint and "JSON" in info.value.hint
