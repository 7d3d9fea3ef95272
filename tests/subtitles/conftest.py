"""Films with subtitles for the subtitle tests: a short real film, and copies of it with text
subtitle streams of each kind vcp reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from vcp_testing.videos import write_video

# What the cues say; times in seconds. The second cue's word is split by markup.
LINES = [
    (0.5, 1.5, "{\\an8}What the {\\i1}fuck{\\i0} is this?"),
    (2.0, 2.8, "Oh, sh{\\b1}it{\\b0}.\\NNot again."),
    (3.0, 3.6, "A classic assistant."),
]


@pytest.fixture(scope="session")
def plain_film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4-second H.264 + AAC film without subtitles."""
    return write_video(tmp_path_factory.mktemp("plain") / "plain.mp4", seconds=4.0)
