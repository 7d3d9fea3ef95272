"""The one PyAV boundary: what a user reads when a file cannot be opened, read or written."""

from __future__ import annotations

import errno
from pathlib import Path

import av
import pytest

from vcp.core.atomic import write_output
from vcp.errors import MediaError, OutputError
from vcp.media.containers import open_input, open_output, reason

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample.mp4"


def test_a_file_that_is_not_media_is_named_with_a_hint(tmp_path: Path) -> None:
    junk = tmp_path / "holiday.mp4"
    junk.write_bytes(b"not a film" * 100)
    with pytest.raises(MediaError) as caught, open_input(junk):
        pass
    assert caught.value.message.startswith("holiday.mp4: not a media file PyAV can read (")
    assert str(junk) not in caught.value.message  # the path is the where, not in the reason
    assert caught.value.where == str(junk) and "re-export" in (caught.value.hint or "")


def test_a_missing_file_is_the_systems_refusal(tmp_path: Path) -> None:
    with pytest.raises(MediaError) as caught, open_input(tmp_path / "gone.mkv"):
        pass
    assert caught.value.message.startswith("gone.mkv: cannot read the file: No such file")


def test_a_failure_inside_the_block_says_what_was_being_done() -> None:
    with pytest.raises(MediaError) as caught, open_input(SAMPLE, doing="reading stills") as inp:
        raise av.error.InvalidDataError(errno.EINVAL, "Invalid data found")
    assert caught.value.message == "sample.mp4: reading stills failed: Invalid data found"
    assert inp is not None and caught.value.where == str(SAMPLE)


def test_a_refused_write_passes_for_the_output_to_be_named(tmp_path: Path) -> None:
    full = av.error.OSError(errno.ENOSPC, "No space left on device")
    with pytest.raises(OutputError) as caught:

        def fill(tmp: Path) -> None:
            with open_output(tmp, format="matroska"), open_input(SAMPLE):
                raise full

        write_output(tmp_path / "copy.mkv", fill)
    assert caught.value.message == "copy.mkv: cannot write it: No space left on device"
    assert list(tmp_path.iterdir()) == []  # the temporary file is gone


def test_a_container_pyav_cannot_write_is_an_output_error(tmp_path: Path) -> None:
    shown = tmp_path / "copy.xyz"
    with pytest.raises(OutputError) as caught, open_output(tmp_path / ".tmp.xyz", shown_as=shown):
        pass
    assert caught.value.path == shown and "cannot write this kind of file" in caught.value.reason
    assert ".mkv" in (caught.value.hint or "") and "-o" not in (caught.value.hint or "")


def test_reason_drops_the_file_name_ffmpeg_repeats() -> None:
    with pytest.raises(av.error.FFmpegError) as caught:
        av.open("/nonexistent/film.mkv")
    assert "film.mkv" in str(caught.value)
    assert reason(caught.value) == "No such file or directory"
