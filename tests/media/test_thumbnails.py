"""Stills taken from the film with PyAV (``vcp.media.thumbnails``) for the review page."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import pytest
from vcp_testing.reports import SAMPLE

from vcp.cli.exit_codes import exit_code
from vcp.errors import MediaError
from vcp.media.thumbnails import grab_thumbnails


def _pixels(jpeg: bytes) -> np.ndarray:
    with av.open(io.BytesIO(jpeg), format="image2pipe") as still:
        return next(still.decode(video=0)).to_ndarray(format="rgb24")


def test_stills_show_the_frame_at_each_time() -> None:
    portrait, cup, past_the_end = grab_thumbnails(SAMPLE, [2.0, 10.0, 99.0])
    assert portrait and cup and past_the_end  # past the end: the last frame
    small = [_pixels(j) for j in (portrait, cup, past_the_end)]
    assert {p.shape for p in small} == {(90, 160, 3)}  # 640x360 scaled to 160 wide
    assert np.abs(small[0].astype(int) - small[1]).mean() > 20  # the portrait is not the cup
    assert np.abs(small[1].astype(int) - small[2]).mean() < 10  # the cup stays to the end


def test_unreadable_film_is_a_media_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a film" * 100)
    with pytest.raises(MediaError) as caught:
        grab_thumbnails(junk, [1.0])
    assert exit_code(caught.value) == 4 and caught.value.where == str(junk)
