"""`vcp config validate|show` on a partial file: the merged settings are what they report."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from vcp.cli.main import main
from vcp.config import load_settings

DEFAULT_DETECTORS = [d.name for d in load_settings(None).detectors]

pytestmark = pytest.mark.usefixtures("restore_logging")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "my.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_validate_lists_the_default_detectors_under_an_actions_only_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 14: this used to say "0 detectors".
    path = write(tmp_path, "actions:\n  padding: {audio: 0.3}\n")
    assert main(["config", "validate", "-c", str(path)]) == 0
    out, err = capsys.readouterr()
    sources = len(load_settings(None).models.sources)
    assert out == (
        f"ok: {path}: {sources} model sources, {len(DEFAULT_DETECTORS)} detectors "
        f"({', '.join(DEFAULT_DETECTORS)}), over the built-in defaults\n"
    )
    assert err == ""


def test_validate_warns_when_no_detector_is_enabled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    off = "".join(f"  - {{name: {name}, enabled: false}}\n" for name in DEFAULT_DETECTORS)
    path = write(tmp_path, "detectors:\n" + off)
    assert main(["config", "validate", "-c", str(path)]) == 0  # censor and export can use it
    out, err = capsys.readouterr()
    assert f"0 detectors (disabled: {', '.join(DEFAULT_DETECTORS)})" in out
    assert err.startswith("warning: no detector is enabled: `vcp analyze` refuses")


def test_a_standalone_file_is_not_merged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        "merge_defaults: false\n"
        "models:\n  sources:\n"
        "    - {name: a, url: 'https://example.com/a.onnx', allow_unverified: true}\n"
        "detectors:\n  - {name: feet, type: nudenet, model: a}\n",
    )
    assert main(["config", "validate", "-c", str(path)]) == 0
    assert capsys.readouterr().out == f"ok: {path}: 1 model sources, 1 detector (feet)\n"


def test_merge_defaults_must_be_true_or_false(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "processing: {}\nmerge_defaults: no thanks\n")
    assert main(["config", "validate", "-c", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}:2:1: merge_defaults: must be true or false")


def test_show_prints_the_merged_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "detectors:\n  - {name: profanity, threshold: 0.2}\n")
    assert main(["config", "show", "-c", str(path)]) == 0
    out = capsys.readouterr().out
    header, _, body = out.partition("\n")
    assert (
        header == f"# effective settings: <built-in default.yaml> + {path} + environment overrides"
    )
    shown = YAML(typ="safe").load(body)
    profanity, nudity, *_ = shown["detectors"]
    assert (profanity["name"], profanity["threshold"]) == ("profanity", 0.2)
    assert profanity["type"] == "speech-profanity" and profanity["model"] == "whisper-tiny-en"
    default = next(d for d in load_settings(None).detectors if d.name == "profanity")
    assert profanity == {**default.model_dump(mode="json", exclude_none=True), "threshold": 0.2}
    assert nudity["name"] == "nudity" and nudity["enabled"] is True
