"""The writer of a censored copy (``vcp.media.rewrite.writer``): the encoders it finds, the errors
it translates, and a copy that would receive no frame."""

from __future__ import annotations

from pathlib import Path

import av
import pytest
from vcp_testing.censor_films import Film

from vcp.actions import EditPlan, VideoEdit
from vcp.cli.exit_codes import exit_code
from vcp.media.probe import StreamInfo


def test_pyav_encoders_are_found_and_tried_at_the_streams_rate() -> None:
    from vcp.media.rewrite.writer import encoder_for

    assert encoder_for(StreamInfo(1, "audio", "aac", sample_rate=48000, channels=2)) == "aac"
    assert encoder_for(StreamInfo(1, "audio", "mp3", sample_rate=44100, channels=2)) == "libmp3lame"
    assert encoder_for(StreamInfo(1, "audio", "ac3", sample_rate=48000, channels=6)) == "ac3"
    assert encoder_for(StreamInfo(1, "audio", "ac3", sample_rate=22050, channels=2)) is None
    assert encoder_for(StreamInfo(1, "audio", "dts", sample_rate=48000, channels=6)) is None
    assert encoder_for(StreamInfo(1, "audio", "vorbis", sample_rate=48000, channels=2)) is None


def test_transcoding_failures_say_where_and_what_to_do(tmp_path: Path) -> None:
    import errno

    from vcp.errors import MediaError, OutputError
    from vcp.media.containers import is_refused_write, open_input
    from vcp.media.rewrite.writer import unfit_container

    src, out = Path("in.mkv"), Path("out.mp4")
    # A full disk is not the film's fault: it passes the input's boundary for write_output to
    # name the output (the censor CLI test with a small file system shows the whole way).
    assert is_refused_write(av.error.OSError(errno.ENOSPC, "No space left on device"))
    assert not is_refused_write(av.error.InvalidDataError(1094995529, "Invalid data"))
    wrong = unfit_container(
        ValueError("'mp4' format does not support 'srt' codec"), source=src, output=out
    )
    assert isinstance(wrong, OutputError) and exit_code(wrong) == 2 and wrong.where == "out.mp4"
    assert "(.mkv)" in (wrong.hint or "") and "-o" not in (wrong.hint or "")
    junk = tmp_path / "in.mkv"
    junk.write_bytes(b"not a film" * 100)
    with pytest.raises(MediaError) as broken, open_input(junk):
        pass
    assert broken.value.where == str(junk) and exit_code(broken.value) == 4


def test_a_copy_that_receives_no_frame_is_refused_even_when_the_length_is_unknown(
    film: Film, tmp_path: Path
) -> None:
    # A plan of unknown length (a container that lies about its duration) passes the check made
    # before the work; the writer still notices that no frame or sample reached the output.
    from vcp.config.schema.actions import ActionsSettings
    from vcp.errors import OutputError
    from vcp.media.rewrite.writer import Recipe, transcode

    skip = VideoEdit(0.0, 1000.0, "skip", ("nudity",), (1,))
    recipe = Recipe(plan=EditPlan((), (skip,), None), actions=ActionsSettings(), encoders={})
    with pytest.raises(OutputError) as caught:
        transcode(film.path, tmp_path / "out.mkv", recipe, on_progress=lambda s: None)
    assert "nothing left to write" in caught.value.message
