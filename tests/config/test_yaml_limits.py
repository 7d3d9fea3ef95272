"""A configuration file cannot make vcp hang or fill memory: YAML bombs and huge files are refused
quickly, with the place to look at."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from vcp.cli.main import main
from vcp.config import load_settings
from vcp.errors import ConfigError


def billion_laughs(levels: int = 9) -> str:
    """The classic: each level is a list of nine aliases of the level before (9**9 values)."""
    names = "abcdefghijklmnop"[:levels]
    lines = [f"{names[0]}: &{names[0]} [{', '.join(['lol'] * 9)}]"]
    for previous, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


def refused(path: Path) -> ConfigError:
    started = time.monotonic()
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert time.monotonic() - started < 2, "refusing the file took too long"
    return info.value


def test_a_billion_laughs_config_is_refused_at_once_at_the_alias(
    write_config: Callable[..., Path],
) -> None:
    path = write_config(billion_laughs())

    error = refused(path)

    (problem,) = error.problems
    assert problem.source == str(path)
    assert problem.line is not None and 4 <= problem.line <= 9, problem
    assert "aliases expand to more than" in problem.message
    assert error.hint and "alias" in error.hint


def test_vcp_config_validate_reports_a_yaml_bomb_with_file_and_line(
    write_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(billion_laughs())

    code = main(["config", "validate", "-c", str(path)])

    err = capsys.readouterr().err
    assert code == 2
    assert f"error: {path}:" in err and "aliases expand" in err
    assert "Traceback" not in err


def test_a_merge_key_bomb_is_refused_too(write_config: Callable[..., Path]) -> None:
    levels = ["a0: &a0 {" + ", ".join(f"k{i}: [x, x, x, x, x, x, x, x]" for i in range(8)) + "}"]
    for n in range(1, 9):
        keys = ", ".join(f"m{i}: *a{n - 1}" for i in range(8))
        levels.append(f"a{n}: &a{n} {{{keys}}}")
    path = write_config("\n".join(levels) + "\n")

    assert "aliases expand" in str(refused(path))


def test_a_config_using_a_few_aliases_still_loads(write_config: Callable[..., Path]) -> None:
    path = write_config(
        """
        models:
          download:
            retry_backoff_seconds: [1, 2]
          sources:
            - name: one
              hf: &repo {repo: acme/one, revision: main, files: [a.bin]}
            - name: two
              hf: *repo
        """
    )

    settings = load_settings(path)

    ours = [s.hf.repo for s in settings.models.sources if s.hf and s.name in ("one", "two")]
    assert ours == ["acme/one", "acme/one"]


def test_a_config_file_over_one_mib_is_refused_without_being_parsed(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("# padding\n" * 200_000, encoding="utf-8")  # 2 MB of comments

    error = refused(path)

    assert error.problems[0].source == str(path)
    assert "more than a configuration may be (1 MiB)" in str(error)


def test_a_config_nested_hundreds_of_levels_deep_is_an_error_not_a_crash(
    write_config: Callable[..., Path],
) -> None:
    path = write_config("models: " + "[" * 600 + "]" * 600 + "\n")

    assert "invalid YAML" in str(refused(path))
