"""vcp.core.outputs: the one rule for every output, on real files (links, ``..``, folders)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vcp.core.atomic import write_output, write_text_output
from vcp.core.outputs import OutputGuard
from vcp.errors import OutputError


@pytest.fixture
def film(tmp_path: Path) -> Path:
    path = tmp_path / "film.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42 the film")
    return path


def _refusal(guard: OutputGuard, output: Path) -> OutputError:
    with pytest.raises(OutputError) as caught:
        guard.check(output)
    return caught.value


@pytest.mark.parametrize("way", ["same", "dotdot", "symlink", "hardlink"])
def test_the_input_is_refused_under_any_name_even_with_force(
    tmp_path: Path, film: Path, way: str
) -> None:
    (tmp_path / "sub").mkdir()
    alias = {
        "same": lambda: film,
        "dotdot": lambda: tmp_path / "sub" / ".." / film.name,
        "symlink": lambda: (tmp_path / "link.mp4").symlink_to(film) or tmp_path / "link.mp4",
        "hardlink": lambda: os.link(film, tmp_path / "hard.mp4") or tmp_path / "hard.mp4",
    }[way]()
    error = _refusal(OutputGuard({film: "the film being read"}, force=True), alias)
    assert error.path == alias and not error.force_allows
    assert "the film being read" in str(error)


def test_an_existing_file_needs_force_unless_the_command_refreshes_it(
    tmp_path: Path, film: Path
) -> None:
    own = tmp_path / "mine.txt"
    own.write_text("vcp wrote me")
    other = tmp_path / "notes.txt"
    other.write_text("the user's notes")
    guard = OutputGuard(
        {film: "the film being read"},
        refreshes=lambda p: p.read_text().startswith("vcp"),
        refreshed="a vcp file",
    )
    guard.check(own)
    error = _refusal(guard, other)
    assert error.force_allows and "already exists and is not a vcp file" in str(error)
    OutputGuard({film: "the film being read"}, force=True).check(other)


def test_folders_that_cannot_take_the_output_are_refused(tmp_path: Path) -> None:
    guard = OutputGuard()
    assert "is a folder" in str(_refusal(guard, tmp_path))
    assert "does not exist" in str(_refusal(guard, tmp_path / "gone" / "out.txt"))
    guard.check(tmp_path / "gone" / "out.txt", folder_made_later=True)
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert "not a folder" in str(_refusal(guard, blocker / "out.txt"))


def test_a_dangling_symlink_counts_as_an_existing_file(tmp_path: Path) -> None:
    link = tmp_path / "out.txt"
    link.symlink_to(tmp_path / "nowhere")
    assert _refusal(OutputGuard(), link).force_allows


def test_a_failed_write_is_an_output_error_that_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    target.write_text("old")

    def fill(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="No space left on device") as caught:
        write_output(target, fill)
    assert caught.value.path == target and caught.value.hint
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_text_outputs_keep_unix_line_ends_and_the_umasks_mode(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    os.umask(mask)
    target = write_text_output(tmp_path / "film.edl", "1 2 0\n3 4 1\n")
    assert target.read_bytes() == b"1 2 0\n3 4 1\n"
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
