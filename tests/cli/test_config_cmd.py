"""``vcp config validate|show`` and the CLI frame, as a user runs them.

Each behaviour is checked in-process through ``vcp.cli.main.main`` and, for the promises that
matter most (exit codes, one located error line), through ``python -m vcp`` in a subprocess.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from vcp.cli.main import main

REPO = Path(__file__).parents[2]
CONFIGS = sorted((REPO / "configs").glob("*.yaml"))

MALFORMED = "models:\n  cache_dir: [unclosed\n  hub: {}\n"
MALFORMED_ERROR = "{path}:3:6: invalid YAML: expected ',' or ']', but got ':'"
WRONG_FIELD = """\
models:
  sources:
    - name: tiny
      url: https://example.com/tiny.onnx
      checksum: abcdef123456
"""
WRONG_FIELD_ERROR = (
    "{path}:5:7: models.sources[0].checksum: expected 64 hex digits for sha256, got 12"
)

pytestmark = pytest.mark.usefixtures("restore_logging")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test may depend on the developer's VCP_*/HF_* variables or real cache location."""
    for name in list(os.environ):
        if name.upper().startswith(("VCP_", "HF_")) or name == "XDG_CACHE_HOME":
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def run_vcp(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vcp", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def shown(stdout: str) -> dict[str, Any]:
    """The settings `config show` printed, parsed back."""
    header, _, body = stdout.partition("\n")
    assert header.startswith("# effective settings: ")
    data = YAML(typ="safe").load(body)
    assert isinstance(data, dict)
    return data


def write(tmp_path: Path, text: str, name: str = "vcp.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- validate -------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.name)
def test_validate_every_shipped_config(config: Path, tmp_path: Path) -> None:
    result = run_vcp("config", "validate", "-c", config, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"ok: {config}: ")
    assert result.stderr == ""


def test_validate_counts_what_it_checked(capsys: pytest.CaptureFixture[str]) -> None:
    config = REPO / "configs" / "team-mirror.yaml"
    assert main(["config", "validate", "-c", str(config)]) == 0
    assert capsys.readouterr().out == (
        f"ok: {config}: 3 model sources, 3 detectors (nudity, profanity, subtitles), "
        "over the built-in defaults\n"
    )


def test_validate_without_a_file_checks_the_builtin_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["config", "validate"]) == 0
    assert capsys.readouterr().out == (
        "ok: <built-in default.yaml>: 3 model sources, 3 detectors (nudity, profanity, subtitles)\n"
    )


def test_validate_reads_vcp_config(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = REPO / "configs" / "team-mirror.yaml"
    monkeypatch.setenv("VCP_CONFIG", str(config))
    assert main(["config", "validate"]) == 0
    assert capsys.readouterr().out.startswith(f"ok: {config}: ")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "expected"),
    [(MALFORMED, MALFORMED_ERROR), (WRONG_FIELD, WRONG_FIELD_ERROR)],
    ids=["malformed-yaml", "wrong-field"],
)
def test_bad_file_gives_one_located_error_and_exit_2(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    result = run_vcp("config", "validate", "-c", path, cwd=tmp_path)
    assert result.returncode == 2
    assert error_lines(result.stderr) == [f"error: {expected.format(path=path)}"]
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("text", "expected", "hint"),
    [
        (MALFORMED, MALFORMED_ERROR, "fix the YAML syntax at that line"),
        (WRONG_FIELD, WRONG_FIELD_ERROR, "fix the field named above"),
    ],
    ids=["malformed-yaml", "wrong-field"],
)
def test_bad_file_in_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str, hint: str
) -> None:
    path = write(tmp_path, text)
    assert main(["config", "validate", "-c", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    first, second = err.splitlines()
    assert first == f"error: {expected.format(path=path)}"
    assert second.startswith(f"  hint: {hint}")


def test_show_fails_the_same_way_as_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, WRONG_FIELD)
    assert main(["config", "show", "-c", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert error_lines(err) == [f"error: {WRONG_FIELD_ERROR.format(path=path)}"]


def test_every_problem_gets_its_own_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "processing:\n  frame_interval_seconds: 0\noutput:\n  prety: true\n")
    assert main(["config", "validate", "-c", str(path)]) == 2
    assert error_lines(capsys.readouterr().err) == [
        f"error: {path}:2:3: processing.frame_interval_seconds: must be from 0.04 to 600 (got 0)",
        f"error: {path}:4:3: output.prety: unknown field 'prety'; did you mean 'pretty'?",
    ]


def test_missing_config_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.yaml"
    assert main(["config", "validate", "-c", str(missing)]) == 2
    assert capsys.readouterr().err == (
        f"error: {missing}: configuration file not found\n"
        "  hint: check the path given with -c/--config or VCP_CONFIG\n"
    )


@pytest.mark.slow
def test_missing_file_named_by_vcp_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "gone.yaml"
    monkeypatch.setenv("VCP_CONFIG", str(missing))
    result = run_vcp("config", "show", cwd=tmp_path)
    assert result.returncode == 2
    assert error_lines(result.stderr) == [f"error: {missing}: configuration file not found"]


def test_bad_environment_value_names_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VCP_MODELS__DOWNLOAD__MAX_CONCURRENT_FILES", "0")
    assert main(["config", "validate"]) == 2
    assert error_lines(capsys.readouterr().err) == [
        "error: environment variable VCP_MODELS__DOWNLOAD__MAX_CONCURRENT_FILES: "
        "models.download.max_concurrent_files: must be from 1 to 64 (got 0)"
    ]


def test_misspelt_variable_is_warned_about_with_the_right_name(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VCP_MODLES__CACHE_DIR", "/data/models")
    assert main(["config", "show"]) == 0
    err = capsys.readouterr().err
    assert "VCP_MODLES__CACHE_DIR is not a vcp setting and is ignored" in err
    assert "did you mean VCP_MODELS__CACHE_DIR?" in err


def test_environment_value_that_is_not_json_is_an_error_naming_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VCP_MODELS__DOWNLOAD__RETRY_BACKOFF_SECONDS", "1,2")
    assert main(["config", "validate"]) == 2
    err = capsys.readouterr().err
    assert error_lines(err)[0].startswith(
        "error: environment variable VCP_MODELS__DOWNLOAD__RETRY_BACKOFF_SECONDS: not valid JSON"
    )
    assert "Traceback" not in err


# -- show -----------------------------------------------------------------------------------------


def test_show_prints_the_resolved_cache_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# effective settings: <built-in default.yaml> + environment overrides\n")
    data = shown(out)
    # The default file says `cache_dir: null`; show answers with the real place.
    assert data["models"]["cache_dir"] == str(tmp_path / "home" / ".cache" / "vcp" / "models")
    assert data["models"]["sources"][0]["name"] == "whisper-tiny-en"


def test_show_reflects_environment_overrides(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VCP_MODELS__CACHE_DIR", str(tmp_path / "big-disk"))
    monkeypatch.setenv("VCP_MODELS__DOWNLOAD__MAX_CONCURRENT_FILES", "3")
    monkeypatch.setenv("HF_ENDPOINT", "http://mirror.lan:8080")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(["config", "show"]) == 0
    models = shown(capsys.readouterr().out)["models"]
    assert models["cache_dir"] == str(tmp_path / "big-disk")
    assert models["download"]["max_concurrent_files"] == 3
    assert models["hub"]["endpoint"] == "http://mirror.lan:8080"
    assert models["hub"]["offline"] is True


@pytest.mark.slow
def test_show_reflects_environment_in_a_subprocess(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VCP_MODELS__CACHE_DIR", str(tmp_path / "env-cache"))
    result = run_vcp("config", "show", "-c", REPO / "configs" / "custom-url.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = shown(result.stdout)
    assert data["models"]["cache_dir"] == str(tmp_path / "env-cache")
    assert "nudenet-640m" in [s["name"] for s in data["models"]["sources"]]


def test_show_uses_the_given_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "models:\n  cache_dir: ~/models\nprocessing:\n  merge_gap_seconds: 5\n")
    assert main(["config", "show", "-c", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        f"# effective settings: <built-in default.yaml> + {path} + environment overrides\n"
    )
    data = shown(out)
    assert data["models"]["cache_dir"] == str(tmp_path / "home" / "models")  # ~ expanded
    assert data["processing"]["merge_gap_seconds"] == 5
    assert len(data["models"]["sources"]) == 3  # the defaults: the file names none


def test_show_never_prints_a_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_TopSecretValue")
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert "hf_TopSecretValue" not in out
    assert shown(out)["models"]["hub"]["token_env"] == "HF_TOKEN"


# -- the frame ------------------------------------------------------------------------------------


def test_help_lists_the_command_groups(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: vcp ")
    assert re.search(r"^\s+config\s+check and show the configuration$", out, re.M)
    assert "--verbose" in out and "--quiet" in out


@pytest.mark.slow
def test_help_through_python_m_vcp(tmp_path: Path) -> None:
    result = run_vcp("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "config" in result.stdout and "--version" in result.stdout


def test_config_help_lists_validate_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["config", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "validate" in out and "show" in out


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    assert "usage: vcp" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["config", "validate", "--strict"])
    assert info.value.code == 2
    assert "unrecognized arguments: --strict" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["-q", "-v", "-vv"])
def test_verbosity_flags_after_the_command(capsys: pytest.CaptureFixture[str], flag: str) -> None:
    assert main(["config", "validate", flag]) == 0
    assert capsys.readouterr().out.startswith("ok: ")


def test_a_configuration_warning_is_printed_once_per_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `vcp models pin` validates the settings again after rewriting the file: the same warning
    # comes twice from the loader within one run, and the user reads it once.
    from vcp.cli.main import configure_logging
    from vcp.config import load_settings

    monkeypatch.setenv("VCP_MODLES__CACHE_DIR", "/data/models")
    configure_logging(0, False)
    load_settings()
    load_settings()

    assert capsys.readouterr().err.count("VCP_MODLES__CACHE_DIR is not a vcp setting") == 1
