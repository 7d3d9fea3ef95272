"""vcp's mpv script: mpv, which does not read Kodi/MPlayer edit lists, skips and mutes by one.

The film is the sample with its hand-written report: the exported EDL skips 1-4 s (a picture) and
mutes three words. mpv plays it for real (Debian's mpv, installed by `make test`), with no video
and either no sound (the skip, in real time) or the sound written to a WAV file (what a viewer
would hear, checked sample by sample).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

MPV = shutil.which("mpv")
needs_mpv = pytest.mark.skipif(MPV is None, reason="mpv is not installed (`make test` adds it)")
SILENT = 1e-4  # peak amplitude of a muted stretch (the film's speech peaks at 0.3-0.8)
FILTER_FRAME = 0.02  # the mute filter works on 256-sample frames (12 ms at 22050 Hz)


def vcp(*argv: str | Path, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "vcp", *map(str, argv)],
        capture_output=True, text=True, cwd=cwd, timeout=60, check=True,
    )  # fmt: skip
    return done.stdout


def mpv(video: Path, *options: str, script: bool = True) -> str:
    """Play ``video`` in mpv without video output; what the script logged."""
    assert MPV is not None
    script_opts = [f"--script={vcp('export', '--mpv-script', cwd=video.parent).strip()}"]
    done = subprocess.run(
        [MPV, "--no-config", "--vo=null", "--msg-level=all=warn,vcp_skip=info",
         *(script_opts if script else []), *options, str(video)],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return done.stdout + done.stderr


def edits(edl: Path) -> list[tuple[float, float, int]]:
    lines = map(str.split, edl.read_text().splitlines())
    return [(float(start), float(end), int(action)) for start, end, action in lines]


def sound(path: Path) -> tuple[np.ndarray, int]:
    with av.open(str(path)) as wav:
        stream = wav.streams.audio[0]
        return np.concatenate([f.to_ndarray()[0] for f in wav.decode(stream)]), stream.rate


def test_export_names_the_installed_script(tmp_path: Path) -> None:
    path = Path(vcp("export", "--mpv-script", cwd=tmp_path).strip())
    assert path.name == "vcp_skip.lua" and path.is_file()
    assert "mp.observe_property" in path.read_text()


@needs_mpv
@pytest.mark.slow
def test_mpv_skips_the_edl_s_skip_on_time(film: tuple[Path, Path]) -> None:
    video, _ = film
    vcp("export", video, "--format", "edl", cwd=video.parent)
    assert edits(video.with_suffix(".edl"))[0] == (1.0, 4.0, 0)
    log = mpv(video, "--ao=null", "--end=5")  # real time: the timer starts the skip
    at = float(re.search(r"vcp: skip 1\.000-4\.000 at ([\d.]+)", log)[1])  # type: ignore[index]
    assert 1.0 <= at < 1.1, log  # on time, or at worst a frame (0.1 s) late
    assert "vcp: playing from 4.000" in log, log  # the playback time jumped to the skip's end


@needs_mpv
def test_mpv_mutes_every_word_of_the_edl_and_only_with_the_script(
    film: tuple[Path, Path],
) -> None:
    video, _ = film
    vcp("export", video, "--format", "edl", cwd=video.parent)
    edl = video.with_suffix(".edl")
    mutes = [(s, e) for s, e, action in edits(edl) if action == 1]
    edl.write_text("".join(f"{s:.3f} {e:.3f} 1\n" for s, e in mutes))  # mutes only: the
    # sound written is then the film's own timeline
    heard, logs = {}, {}
    for script in (True, False):
        wav = video.parent / f"heard-{script}.wav"
        logs[script] = mpv(video, "--untimed", "--ao=pcm", f"--ao-pcm-file={wav}", script=script)
        heard[script] = sound(wav)
    assert len(mutes) == 3
    assert all(f"vcp: mute {s:.3f}-{e:.3f}" in logs[True] for s, e in mutes), logs[True]
    samples, rate = heard[True]
    plain, _ = heard[False]
    for start, end in mutes:
        span = slice(round((start + FILTER_FRAME) * rate), round(end * rate))
        assert np.abs(samples[span]).max() < SILENT, (start, end)  # muted with the script
        assert np.abs(plain[span]).max() > 0.1, (start, end)  # a word is there without it
    assert abs(len(samples) - len(plain)) < rate // 10  # nothing skipped, nothing added
