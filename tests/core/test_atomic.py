"""vcp.core.atomic: a target has its old content or the new one, and no temporary file is left."""

from __future__ import annotations

from pathlib import Path

import pytest

from vcp.core.atomic import atomic_write_text, replace_atomically, temp_beside


def test_write_text_creates_folders_and_replaces_the_content(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "record.json"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two", durable=True)
    assert target.read_text(encoding="utf-8") == "two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["record.json"]


def test_a_failing_fill_keeps_the_old_content_and_removes_the_temporary_file(
    tmp_path: Path,
) -> None:
    target = tmp_path / "config.yaml"
    target.write_text("old", encoding="utf-8")

    def half_then_fail(tmp: Path) -> None:
        tmp.write_text("ne", encoding="utf-8")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        replace_atomically(target, half_then_fail)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["config.yaml"]


def test_a_given_temporary_name_is_used_and_cleaned_up(tmp_path: Path) -> None:
    target = tmp_path / "blob"
    tmp = tmp_path / "blob.1234.incomplete"
    replace_atomically(target, lambda p: p.write_bytes(b"x"), tmp=tmp)
    assert target.read_bytes() == b"x" and not tmp.exists()


def test_temporary_names_are_hidden_siblings_and_differ(tmp_path: Path) -> None:
    a, b = temp_beside(tmp_path / "f.json"), temp_beside(tmp_path / "f.json")
    assert a.parent == tmp_path and a.name.startswith(".f.json.") and a.name.endswith(".tmp")
    assert a != b
