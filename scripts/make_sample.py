"""Build tests/fixtures/sample.mp4 and its truth file (run by ``make sample``).

The sample is 14 s of 640x360 H.264 at 10 fps with an AAC speech track: the first half shows
scikit-image's ``astronaut`` portrait, the second half scikit-image's ``coffee`` photo (a cup, no
person). The speech is espeak-ng, built phrase part by phrase part: each part is synthesised
alone, its silence trimmed, and the parts joined with short gaps, so the script knows to the sample
where every profane word starts and ends. ``sample.truth.json`` records those times and the picture
ranges.

Needs espeak-ng on PATH and scikit-image in the environment; the outputs are committed, so tests
need neither. Deterministic: the same inputs give the same bytes (single-threaded x264, no dates).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray

from vcp.media.subtitles import ASS_HEADER

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"

WIDTH, HEIGHT, FPS = 640, 360, 10
DURATION = 14.0
PORTRAIT_UNTIL = 7.0
RATE = 22050  # espeak-ng's own output rate: no resampling in this script
GAP = 0.06  # seconds between the parts of one phrase
SILENCE = 250  # int16 amplitude below which espeak-ng's output counts as silence

# (start second, parts); a part is (text, category) with category None for clean words.
PHRASES: list[tuple[float, list[tuple[str, str | None]]]] = [
    (0.3, [("Hello, and welcome to the show.", None)]),
    (2.5, [("What the", None), ("fuck", "profanity"), ("is this?", None)]),
    (5.0, [("This is", None), ("shit.", "profanity")]),
    (7.4, [("God damn", "blasphemy"), ("that was loud.", None)]),
    (9.8, [("Shut up, you", None), ("motherfucker.", "profanity")]),
    (12.4, [("Thank you for watching.", None)]),
]


@dataclass(frozen=True)
class Placed:
    """One profane part as placed on the track."""

    word: str
    category: str
    start: float
    end: float


def speak(text: str, workdir: Path) -> NDArray[np.int16]:
    """``text`` spoken by espeak-ng, leading and trailing silence trimmed."""
    path = workdir / "part.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), text], check=True)
    with wave.open(str(path)) as wav:
        assert wav.getframerate() == RATE and wav.getnchannels() == 1
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > SILENCE)
    return samples[loud[0] : loud[-1] + 1]


def speech_track(workdir: Path) -> tuple[NDArray[np.int16], list[Placed]]:
    """The whole speech track and where each profane part lies on it."""
    track = np.zeros(int(DURATION * RATE), dtype=np.int16)
    placed: list[Placed] = []
    for start, parts in PHRASES:
        at = int(start * RATE)
        for text, category in parts:
            samples = speak(text, workdir)
            track[at : at + len(samples)] = samples
            if category is not None:
                word = text.strip(".,?!").lower()
                placed.append(Placed(word, category, at / RATE, (at + len(samples)) / RATE))
            at += len(samples) + int(GAP * RATE)
        assert at < len(track), f"phrase at {start}s runs past the end"
    return track, placed


def fit(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """``image`` scaled to fit WIDTHxHEIGHT, centred on black (letterboxed)."""
    h, w = image.shape[:2]
    scale = min(WIDTH / w, HEIGHT / h)
    nh, nw = int(h * scale), int(w * scale)
    rows = (np.arange(nh) / scale).astype(int)
    cols = (np.arange(nw) / scale).astype(int)
    canvas = np.zeros((HEIGHT, WIDTH, 3), dtype=np.uint8)
    top, left = (HEIGHT - nh) // 2, (WIDTH - nw) // 2
    canvas[top : top + nh, left : left + nw] = image[rows][:, cols]
    return canvas


def pictures() -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """The portrait and the no-person picture, framed."""
    from skimage import data

    return fit(data.astronaut()), fit(data.coffee())


def encode(path: Path, track: NDArray[np.int16]) -> None:
    """Write the video: the portrait until PORTRAIT_UNTIL, then the cup; ``track`` as AAC."""
    portrait, cup = pictures()
    with av.open(str(path), "w", options={"fflags": "+bitexact"}) as out:
        video = out.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.options = {"crf": "30", "preset": "medium", "threads": "1", "g": str(2 * FPS)}
        audio = out.add_stream("aac", rate=RATE, layout="mono")
        audio.bit_rate = 48000
        for i in range(int(DURATION * FPS)):
            picture = portrait if i / FPS < PORTRAIT_UNTIL else cup
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, FPS)
            out.mux(video.encode(frame))
        out.mux(video.encode())
        speech = av.AudioFrame.from_ndarray(track.reshape(1, -1), format="s16", layout="mono")
        speech.sample_rate, speech.pts = RATE, 0
        out.mux(audio.encode(speech))
        out.mux(audio.encode())


def cues() -> list[tuple[float, float, str]]:
    """One English subtitle per phrase, shown until just before the next one (the profane words
    spelt out, as a film's own subtitles would: what `vcp censor` must mask)."""
    starts = [start for start, _ in PHRASES] + [DURATION]
    return [
        (start, round(starts[i + 1] - 0.2, 3), " ".join(text for text, _ in parts))
        for i, (start, parts) in enumerate(PHRASES)
    ]


def add_subtitles(path: Path) -> None:
    """Add a mov_text stream (language ``eng``) saying ``cues()`` to ``path``; the picture and
    sound are copied packet for packet, so adding it changes nothing else."""
    from av.subtitles.subtitle import SubtitleSet

    tmp = path.with_name(f".{path.name}.tmp.mp4")
    with av.open(str(path)) as inp, av.open(str(tmp), "w", options={"fflags": "+bitexact"}) as out:
        copies = {s.index: out.add_stream_from_template(s) for s in inp.streams}
        text = out.add_stream("mov_text")
        text.codec_context.subtitle_header = ASS_HEADER
        text.time_base = Fraction(1, 1000)
        text.metadata["language"] = "eng"
        for i, (start, end, line) in enumerate(cues()):
            begin, length = round(start * 1000), round((end - start) * 1000)
            event = f"{i},0,Default,,0,0,0,,{line}".encode()
            packet = text.codec_context.encode_subtitle(
                SubtitleSet.create(event, 0, length, pts=begin)
            )
            packet.stream, packet.time_base = text, Fraction(1, 1000)
            packet.pts = packet.dts = begin
            packet.duration = length
            out.mux(packet)
        for packet in inp.demux():
            if packet.size == 0 and packet.pts is None:
                continue
            packet.stream = copies[packet.stream.index]
            out.mux(packet)
    tmp.replace(path)


def truth(placed: list[Placed]) -> dict[str, object]:
    """The truth file's content."""
    return {
        "duration": DURATION,
        "words": [
            {
                "word": p.word,
                "category": p.category,
                "start": round(p.start, 3),
                "end": round(p.end, 3),
            }
            for p in placed
        ],
        "pictures": [
            {"start": 0.0, "end": PORTRAIT_UNTIL, "content": "portrait", "person": True},
            {"start": PORTRAIT_UNTIL, "end": DURATION, "content": "coffee cup", "person": False},
        ],
        "phrases": [" ".join(text for text, _ in parts) for _, parts in PHRASES],
        "subtitles": [{"start": a, "end": b, "text": t} for a, b, t in cues()],
    }


def main() -> None:
    """Build the sample and its truth file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=FIXTURES / "sample.mp4")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        track, placed = speech_track(Path(workdir))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    encode(args.out, track)
    add_subtitles(args.out)
    truth_path = args.out.with_name(args.out.stem + ".truth.json")
    truth_path.write_text(json.dumps(truth(placed), indent=2) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes) and {truth_path}")


if __name__ == "__main__":
    main()
