"""docs/configuration.md's merge example does what its comments say, and validate prints what the
page shows (the file is written under the name the page gives, the command run in its folder)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from vcp_testing.reports import doc_files

from vcp.cli.main import main
from vcp.config import load_settings

DOC = (Path(__file__).resolve().parents[2] / "docs" / "configuration.md").read_text("utf-8")
SECTION = DOC[DOC.index("## Your file and the defaults") : DOC.index("## The file, section by")]

pytestmark = pytest.mark.usefixtures("restore_logging")


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (name, text), *_ = doc_files(SECTION, "file").items()
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return path


def test_the_example_changes_what_its_comments_say_and_keeps_the_rest(example: Path) -> None:
    settings, default = load_settings(example), load_settings(None)
    assert settings.models.download == default.models.download.model_copy(
        update={"max_concurrent_files": 4}
    )
    profanity = next(d for d in settings.detectors if d.name == "profanity")
    default_profanity = next(d for d in default.detectors if d.name == "profanity")
    assert profanity == default_profanity.model_copy(update={"threshold": 0.2})
    assert [d.name for d in settings.detectors if not d.enabled] == ["nudity"]
    assert settings.actions == default.actions.model_copy(
        update={"padding": default.actions.padding.model_copy(update={"audio": (0.25, 0.25)})}
    )
    assert settings.models.sources == default.models.sources


def test_validate_prints_what_the_page_shows(
    example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (command, shown), *_ = re.findall(r"```console\n\$ (.*?)\n(.*?)```", SECTION, re.S)
    argv = shlex.split(command)
    assert argv[0] == "vcp"
    assert main(argv[1:]) == 0
    assert capsys.readouterr().out == shown
