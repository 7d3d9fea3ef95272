"""Remote file names must never land outside the cache."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from vcp.core.relpaths import join_under, safe_relpath
from vcp.errors import ModelError, UnsafePathError

HOSTILE = [
    ("", "empty"),
    ("model\0.bin", "NUL byte"),
    ("model\n.bin", "control character"),
    ("model\x1b[2J.bin", "control character"),
    ("model\x7f", "control character"),
    ("model\x85", "control character"),  # C1 control (NEL)
    ("..\\..\\evil.dll", "backslash"),
    ("sub\\model.bin", "backslash"),
    ("/etc/passwd", "absolute path"),
    ("//server/share/x", "absolute path"),
    ("C:evil", "Windows drive"),
    ("C:/Windows/evil", "Windows drive"),
    ("z:x", "Windows drive"),
    ("..", "'..' component"),
    ("../evil", "'..' component"),
    ("a/../../evil", "'..' component"),
    ("a/b/..", "'..' component"),
    (".", "'.' component"),
    ("./a", "'.' component"),
    ("a/./b", "'.' component"),
    ("a//b", "empty component"),
    ("a/", "empty component"),
]

GOOD = [
    "config.json",
    "model.bin",
    "onnx/model_quantized.onnx",
    "a/b/c/d.txt",
    ".gitattributes",
    "..hidden",  # starts with dots but is not a '..' component
    "a/...",
    "weights-v1.2:final",  # a colon after the first character is not a drive
    "modèle/日本語.bin",
    "name with spaces.txt",
]


@pytest.mark.parametrize(("name", "reason"), HOSTILE)
def test_hostile_names_are_refused_with_a_reason(name: str, reason: str) -> None:
    with pytest.raises(UnsafePathError) as info:
        safe_relpath(name, model="org/model")
    error = info.value
    assert reason in error.reason
    assert error.name == name
    assert error.model == "org/model"
    assert f"refusing file name {name!r}" in str(error)
    assert error.hint


@pytest.mark.parametrize("name", GOOD)
def test_good_names_pass_unchanged(name: str) -> None:
    assert safe_relpath(name) == PurePosixPath(name)
    assert str(safe_relpath(name)) == name


def test_unsafe_path_is_a_model_error() -> None:
    with pytest.raises(ModelError):
        safe_relpath("../x")


@pytest.mark.parametrize("name", GOOD)
def test_join_under_stays_under_root(tmp_path: Path, name: str) -> None:
    target = join_under(tmp_path, name)
    assert target == tmp_path.joinpath(*name.split("/"))
    assert target.is_relative_to(tmp_path)
    assert target != tmp_path


@pytest.mark.parametrize(("name", "reason"), HOSTILE)
def test_join_under_refuses_hostile_names(tmp_path: Path, name: str, reason: str) -> None:
    with pytest.raises(UnsafePathError, match="refusing file name"):
        join_under(tmp_path, name, model="org/model")


def test_join_under_a_relative_root() -> None:
    assert join_under(Path("cache"), "onnx/model.onnx") == Path("cache/onnx/model.onnx")


def test_join_under_filesystem_root() -> None:
    assert join_under(Path("/"), "etc-like/name") == Path("/etc-like/name")
