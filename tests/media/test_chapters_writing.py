"""The chapters copy is written like every other output: under a temporary name, renamed when
complete; a write the system refuses is an OutputError naming the copy, and nothing is left."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from vcp_testing.diskspace import small_filesystem
from vcp_testing.videos import write_video

from vcp.errors import MediaError, OutputError
from vcp.media.chapters import Chapter, write_with_chapters

CHAPTERS = [Chapter(0, 1000, "clear"), Chapter(1000, 2000, "profanity")]

# A file size limit in a child process: writes past it fail with EFBIG (SIGXFSZ ignored).
_SIZE_LIMITED = textwrap.dedent(
    """
    import resource, signal, sys
    from pathlib import Path
    from vcp.errors import VcpError
    from vcp.media.chapters import Chapter, write_with_chapters

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
    try:
        write_with_chapters(Path(sys.argv[1]), Path(sys.argv[2]), [Chapter(0, 1000, "a")])
    except VcpError as exc:
        print(type(exc).__name__, exc.where, exc.message, sep="|")
    """
)


@pytest.fixture
def film(tmp_path: Path) -> Path:
    return write_video(tmp_path / "film.mkv", seconds=2.0, noise=True)


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_file_size_limit_is_an_output_error_and_the_old_copy_stays(
    film: Path, tmp_path: Path
) -> None:
    target = tmp_path / "copy.mkv"
    target.write_bytes(b"an earlier copy")
    done = subprocess.run(
        [sys.executable, "-c", _SIZE_LIMITED, str(film), str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    kind, where, message = done.stdout.strip().split("|")
    assert kind == "OutputError" and Path(where) == target
    assert "File too large" in message
    assert target.read_bytes() == b"an earlier copy"
    assert names(tmp_path) == ["copy.mkv", "film.mkv"]


def test_a_full_disk_is_an_output_error_and_leaves_nothing(film: Path, tmp_path: Path) -> None:
    with small_filesystem(tmp_path / "small", kib=16) as small:
        with pytest.raises(OutputError) as caught:
            write_with_chapters(film, small / "copy.mkv", CHAPTERS)
        assert caught.value.path == small / "copy.mkv"
        assert "No space left on device" in caught.value.reason
        assert names(small) == []


def test_a_damaged_film_is_a_media_error_and_leaves_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mkv"
    broken.write_bytes(b"\x1a\x45\xdf\xa3" + b"garbage" * 500)
    with pytest.raises(MediaError):
        write_with_chapters(broken, tmp_path / "copy.mkv", CHAPTERS)
    assert names(tmp_path) == ["broken.mkv"]


def test_a_complete_copy_leaves_no_temporary_file(film: Path, tmp_path: Path) -> None:
    result = write_with_chapters(film, tmp_path / "copy.mkv", CHAPTERS)
    assert result.packets > 0
    assert names(tmp_path) == ["copy.mkv", "film.mkv"]
