"""The hostile-input suite of the media side: films, reports, names and outputs meant to break vcp.

    python scripts/soak_media.py            # every case: the table of docs/reliability.md
    python scripts/soak_media.py --quick    # one or two of each class (also run by `make test`)
    python scripts/soak_media.py --only report-nan --keep   # one family; keep its files

Each case builds its files in a folder of its own (small films written with PyAV, the sample
film and its real report from tests/fixtures, reports edited by hand), runs one real command
(`python -m vcp analyze|export|censor|review ...`, a child process) and checks what a user must be
able to count on:

- the exit code is one of the expected ones (0 where the input is odd but usable, 2 for a refused
  report or output, 4 for a film that cannot be read, 130/143 for a signal);
- a failure says one thing: a single ``error:`` line (no traceback), holding the expected words;
- nothing printed holds a raw control character (a file name's escape codes are escaped);
- every file that existed before the run (in its folder, and any outside file the case names,
  like /etc/passwd) has the same bytes after it;
- nothing partial is left: no temporary file, and after a failure no new file at all; paths a
  hostile report points at are never created;
- the run ends within its time budget.

The table (case, command, exit, first line of the message, files intact) goes to stdout; the
script exits 1 if any case failed. `analyze` cases need the default models: they are copied
once from a loopback mirror seeded from the installed model packages (no network). Cases that
need root (a small tmpfs for a full disk) are skipped, with the reason, without it.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "sample.mp4"
SAMPLE_REPORT = ROOT / "tests" / "fixtures" / "sample.vcp.json"
EVIL = "evil\x1b]0;PWNED\x07\x1b[2J\nname"  # a title-setting and screen-clearing file name
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # printed raw, these act on the terminal
PARTIAL = re.compile(r"\.partial|\.tmp$|^\.")  # vcp's temporary names are hidden, *.partial.*
DEFAULT_BUDGET_S = 60.0


# -- films ----------------------------------------------------------------------------------------


def tiny_film(
    path: Path,
    *,
    seconds: float = 3.0,
    rotation: int | None = None,
    offset: float = 0.0,
    options: dict[str, str] | None = None,
    audio: str = "aac",
) -> Path:
    """A 64x48 H.264 + AAC film (MP4 or Matroska by suffix); ``rotation``: display rotation in
    degrees; ``offset``: every timestamp moved by that many seconds (either sign); ``audio``:
    the codec."""
    options = dict(options or {})
    if offset < 0:
        options["avoid_negative_ts"] = "disabled"  # else the muxer moves the start to zero
    with av.open(str(path), "w", options=options) as out:
        video = out.add_stream("libx264", rate=25)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        video.options = {"preset": "ultrafast", "bf": "0", "threads": "1"}
        if rotation is not None:
            video.set_display_rotation(rotation)
        # (AAC's priming samples, or PCM in stereo, before a negative start leave Matroska's
        # start time unset: mono PCM keeps it, as vcp's own tests of start times do)
        mono = offset < 0
        sound = out.add_stream(
            audio, rate=16000 if mono else 48000, layout="mono" if mono else "stereo"
        )
        packets = _pictures(video, seconds) + _tones(sound, seconds)
        for packet in sorted(packets, key=lambda p: float(p.dts * p.time_base)):
            _shift(packet, offset)
            out.mux(packet)
    return path


def _pictures(stream: Any, seconds: float) -> list[Any]:
    packets = []
    for i in range(round(seconds * 25)):
        image = np.full((48, 64, 3), 40 + (i * 5) % 200, np.uint8)
        image[:24, :32] = 255  # a white corner: a rotation shows
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts = i
        packets += stream.encode(frame)
    return packets + stream.encode(None)


def _tones(stream: Any, seconds: float) -> list[Any]:
    rate, layout = stream.rate, stream.layout.name
    t = np.arange(round(seconds * rate)) / rate
    tone = (0.2 * np.sin(2 * np.pi * 330 * t)).astype(np.float32)
    packets = []
    for k in range(0, len(tone), 1024):
        chunk = tone[k : k + 1024].reshape(1, -1)
        chunk = np.ascontiguousarray(np.repeat(chunk, stream.layout.nb_channels, axis=0))
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
        frame.sample_rate, frame.pts, frame.time_base = rate, k, Fraction(1, rate)
        packets += stream.encode(frame)
    return packets + stream.encode(None)


def _shift(packet: Any, offset: float) -> None:
    if not offset:
        return
    fine = Fraction(1, 48000)  # the encoder's own time base (1/25 s) cannot hold the offset
    for name in ("pts", "dts"):
        stamp = getattr(packet, name)
        if stamp is not None:
            setattr(packet, name, round((stamp * packet.time_base + Fraction(offset)) / fine))
    packet.time_base = fine


def covered_film(path: Path, source: Path) -> Path:
    """``source`` remuxed into Matroska with a PNG cover and a font attached."""
    with av.open(str(source)) as inp, av.open(str(path), "w") as out:
        streams = {s: out.add_stream_from_template(s) for s in inp.streams}
        out.add_attachment(name="font.ttf", mimetype="font/ttf", data=b"not a font" * 20)
        out.add_attachment(name="cover.png", mimetype="image/png", data=_png())
        for packet in inp.demux():
            if packet.size:
                packet.stream = streams[packet.stream]
                out.mux(packet)
    return path


def _png() -> bytes:
    encoder = av.CodecContext.create("png", "w")
    encoder.width = encoder.height = 16
    encoder.pix_fmt, encoder.time_base = "rgb24", Fraction(1, 25)
    frame = av.VideoFrame.from_ndarray(np.full((16, 16, 3), 200, np.uint8), format="rgb24")
    frame.pts = 0
    return b"".join(bytes(p) for p in (*encoder.encode(frame), *encoder.encode(None)))


def streamless_film(path: Path) -> Path:
    """A Matroska file holding one subtitle stream and nothing to see or hear."""
    srt = path.with_suffix(".srt")
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nHello\n", encoding="utf-8")
    with av.open(str(srt)) as inp, av.open(str(path), "w") as out:
        text = out.add_stream_from_template(inp.streams.subtitles[0])
        for packet in inp.demux():
            if packet.size:
                packet.stream = text
                out.mux(packet)
    srt.unlink()
    return path


def claiming_film(path: Path, source: Path, *, seconds: float = 1e9) -> Path:
    """``source`` (Matroska) with its header's duration rewritten to ``seconds``."""
    data = bytearray(source.read_bytes())
    at = data.find(b"\x44\x89\x88")  # Segment Info > Duration, an 8-byte float in milliseconds
    if at < 0:
        raise RuntimeError(f"no 8-byte Duration element in {source}")
    data[at + 3 : at + 11] = struct.pack(">d", seconds * 1000)
    path.write_bytes(bytes(data))
    return path


def cut_film(path: Path, source: Path, *, keep: float = 0.5) -> Path:
    """The first ``keep`` of ``source``'s bytes: an interrupted download."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


# -- reports --------------------------------------------------------------------------------------


def report_of(film: Path, segments: Sequence[dict[str, Any]], **input: Any) -> dict[str, Any]:
    """A version-1 report of ``film`` (as JSON data), its length as vcp measures it (3 s when
    vcp cannot read it); ``input`` overrides its fields."""
    from vcp.errors import VcpError
    from vcp.media.probe import probe

    try:
        duration = probe(film).duration
    except VcpError:
        duration = 3.0
    return {
        "format": "vcp-report",
        "version": 1,
        "input": {
            "path": str(film), "name": film.name, "size": film.stat().st_size,
            "duration": duration, **input,
        },
        "summary": {"segments": len(segments), "flagged_seconds": 0, "categories": {}},
        "segments": list(segments),
        "vcp": {"version": "0.1.0", "created": "2026-12-01T06:00:00Z"},
    }  # fmt: skip


def seg(id: int, start: float, end: float, category: str = "profanity") -> dict[str, Any]:
    """One segment: an audio word, or (``nudity``) a video stretch."""
    kind = "video" if category == "nudity" else "audio"
    return {
        "id": id, "start": start, "end": end, "category": category, "kind": kind,
        "labels": [category], "confidence": 0.9,
    }  # fmt: skip


def write_json(path: Path, data: Any) -> Path:
    """``data`` as JSON text at ``path``."""
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def report_path(film: Path) -> Path:
    """Where vcp looks for ``film``'s report."""
    return film.with_name(f"{film.stem}.vcp.json")


# -- what a case is -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """A case's run once its files exist: the command line after ``vcp``, and what to watch."""

    argv: list[str | Path]
    watch: tuple[Path, ...] = ()  # files outside the case's folder that must keep their bytes
    never: tuple[Path, ...] = ()  # paths that must not exist after the run
    check: Callable[[], str | None] | None = None  # after a success: a problem, or None
    interrupt: int | None = None  # a signal sent once the output's temporary file appears
    cleanup: Callable[[], None] | None = None  # after the checks (unmount a small disk)


@dataclass(frozen=True)
class Case:
    """One hostile input through one command, and what must happen."""

    name: str
    command: str
    build: Callable[[Path, Kit], Setup]
    exits: frozenset[int]
    words: str = ""  # what stderr must say (a failure's message, or a success's warning)
    needs: str = ""  # "models" (analyze), "root" (a small tmpfs)
    budget: float = DEFAULT_BUDGET_S


@dataclass
class Outcome:
    """What one case did, and what was wrong with it."""

    case: Case
    code: int | None = None
    message: str = ""
    intact: str = "-"
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    skipped: str = ""


class Kit:
    """The material cases share: films written once, the sample and its report, a model cache."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._masters: dict[str, Path] = {}
        self._config: Path | None = None

    def film(self, folder: Path, kind: str, name: str | None = None) -> Path:
        """A copy of the ``kind`` film (see ``MASTERS``) in ``folder``."""
        if kind not in self._masters:
            suffix, make = MASTERS[kind]
            master = self.root / "masters" / f"{kind}{suffix}"
            master.parent.mkdir(parents=True, exist_ok=True)
            self._masters[kind] = make(master, self)
        master = self._masters[kind]
        target = folder / (name or f"film{master.suffix}")
        shutil.copyfile(master, target)
        return target

    def sample(self, folder: Path, name: str = "movie.mp4") -> tuple[Path, Path]:
        """The sample film as ``folder/name`` and its real report beside it, renamed to it."""
        film = folder / name
        shutil.copyfile(SAMPLE, film)
        data = json.loads(SAMPLE_REPORT.read_text(encoding="utf-8"))
        data["input"].update(path=str(film), name=film.name)
        return film, write_json(report_path(film), data)

    def config(self) -> Path:
        """A configuration whose models (NudeNet only: fast on tiny films) are in a local cache;
        its endpoint is a closed port, so nothing is downloaded."""
        if self._config is None:
            self._config = models_config(self.root / "models")
        return self._config


def models_config(folder: Path) -> Path:
    """Seed a mirror from the installed model packages, fill a cache from it, write a config."""
    from ruamel.yaml import YAML

    from vcp.config import load_settings
    from vcp.mirror import MirrorServer, seed_default_models
    from vcp.models.manager import ModelManager

    cache, mirror_root = folder / "cache", folder / "mirror"
    seed_default_models(mirror_root)

    async def fill() -> None:
        async with MirrorServer(mirror_root) as mirror:
            settings = load_settings().models
            hub = settings.hub.model_copy(update={"endpoint": mirror.url})
            settings = settings.model_copy(update={"cache_dir": cache, "hub": hub})
            async with ModelManager(settings) as models:
                await models.ensure()

    asyncio.run(fill())
    data = load_settings().model_dump(mode="json", exclude_none=True)
    data["models"]["cache_dir"] = str(cache)
    data["models"]["hub"]["endpoint"] = "http://127.0.0.1:9"
    for detector in data["detectors"]:
        detector["enabled"] = detector["type"] == "nudenet"
    path = folder / "vcp.yaml"
    with path.open("w", encoding="utf-8") as out:
        YAML().dump(data, out)
    return path


MASTERS: dict[str, tuple[str, Callable[[Path, Kit], Path]]] = {
    "mkv": (".mkv", lambda p, k: tiny_film(p)),
    "mp4": (".mp4", lambda p, k: tiny_film(p)),
    "long": (".mp4", lambda p, k: tiny_film(p, seconds=6.0, options={"movflags": "faststart"})),
    "rotated": (".mp4", lambda p, k: tiny_film(p, rotation=90)),
    "early": (".mkv", lambda p, k: tiny_film(p, offset=-2.046, audio="pcm_s16le")),
    "late": (".mkv", lambda p, k: tiny_film(p, offset=30.0, audio="pcm_s16le")),
    "covered": (".mkv", lambda p, k: covered_film(p, k.film(p.parent, "mkv", "plain.mkv"))),
    "streamless": (".mkv", lambda p, k: streamless_film(p)),
    "claiming": (".mkv", lambda p, k: claiming_film(p, k.film(p.parent, "mkv", "real.mkv"))),
    "cut": (".mp4", lambda p, k: cut_film(p, k.film(p.parent, "long", "whole.mp4"))),
    "garbage": (".mp4", lambda p, k: _garbage(p)),
    "empty": (".mp4", lambda p, k: _empty(p)),
    "slow": (".mp4", lambda p, k: _slow(p)),
}


def _garbage(path: Path) -> Path:
    path.write_bytes(np.random.default_rng(13).integers(0, 256, 50_000, np.uint8).tobytes())
    return path


def _empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def _slow(path: Path) -> Path:
    """A film whose censoring takes several seconds: 40 s of 640x360 noise-free picture."""
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=25)
        video.width, video.height, video.pix_fmt = 640, 360, "yuv420p"
        video.options = {"preset": "ultrafast", "threads": "1"}
        y, x = np.mgrid[0:360, 0:640]
        for i in range(40 * 25):
            image = (((x + i * 4) // 16 + y // 16) % 2 * 160 + 40).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(np.repeat(image[:, :, None], 3, 2), format="rgb24")
            frame.pts = i
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
    return path


# -- running a case -------------------------------------------------------------------------------


def run_case(case: Case, kit: Kit) -> Outcome:
    """Build the case's files, run its command, check everything a user must count on."""
    outcome = Outcome(case)
    folder = kit.root / "cases" / case.name
    folder.mkdir(parents=True)
    if case.needs == "root" and os.geteuid() != 0:
        outcome.skipped = "needs root for a small tmpfs"
        return outcome
    setup = case.build(folder, kit)
    try:
        before = fingerprints(folder, setup.watch)
        began = time.monotonic()
        done = run_vcp(setup, folder, kit, budget=case.budget)
        outcome.seconds = time.monotonic() - began
        judge(outcome, done, setup, before, folder)
    finally:
        if setup.cleanup is not None:
            setup.cleanup()
    return outcome


def fingerprints(folder: Path, watch: Sequence[Path]) -> dict[Path, str]:
    """The sha256 of every file under ``folder`` and of each watched file that exists."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    return {p: _sha256(p) for p in (*files, *(w for w in watch if w.is_file()))}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_vcp(
    setup: Setup, folder: Path, kit: Kit, *, budget: float
) -> subprocess.CompletedProcess[str]:
    """``python -m vcp ARGV`` in ``folder``; a run over ``budget`` seconds is killed (code None)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VCP_", "HF_"))}
    env.update(XDG_CACHE_HOME=str(kit.root / "xdg"), HF_HUB_OFFLINE="1", NO_COLOR="1")
    argv = [sys.executable, "-m", "vcp", *map(str, setup.argv)]
    with subprocess.Popen(
        argv, cwd=folder, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as child:
        if setup.interrupt is not None:
            _interrupt_when_writing(child, folder, setup.interrupt, budget=budget)
        try:
            out, err = child.communicate(timeout=budget)
        except subprocess.TimeoutExpired:
            child.kill()
            out, err = child.communicate()
            return subprocess.CompletedProcess(argv, -1, out, err + "\n(over its time budget)")
    return subprocess.CompletedProcess(argv, child.returncode, out, err)


def _interrupt_when_writing(
    child: subprocess.Popen[str], folder: Path, sig: int, *, budget: float
) -> None:
    """Send ``sig`` once a temporary output appears in ``folder`` (the run is mid-write)."""
    deadline = time.monotonic() + budget
    while time.monotonic() < deadline and child.poll() is None:
        if any(PARTIAL.search(p.name) for p in folder.iterdir()):
            time.sleep(0.3)
            child.send_signal(sig)
            return
        time.sleep(0.02)


def judge(
    outcome: Outcome,
    done: subprocess.CompletedProcess[str],
    setup: Setup,
    before: dict[Path, str],
    folder: Path,
) -> None:
    """Fill ``outcome`` from the run: its code, message and every broken promise."""
    case, problems = outcome.case, outcome.problems
    outcome.code = done.returncode
    outcome.message = first_line(done.stderr) or first_line(done.stdout)
    if done.returncode not in case.exits:
        problems.append(f"exit {done.returncode}, expected {sorted(case.exits)}")
    problems += message_problems(done, case)
    after = fingerprints(folder, setup.watch)
    changed = [p for p, digest in before.items() if after.get(p) != digest]
    outcome.intact = (
        "yes" if not changed else "NO: " + ", ".join(_shown(p, folder) for p in changed)
    )
    problems += [f"{_shown(p, folder)} changed or went away" for p in changed]
    new = [p for p in after if p not in before]
    left = [p for p in new if PARTIAL.search(p.name) or done.returncode != 0]
    problems += [f"left {_shown(p, folder)}" for p in left]
    problems += [f"created {p}" for p in setup.never if os.path.lexists(p)]
    if done.returncode == 0 and setup.check is not None:
        problems += [found for found in [setup.check()] if found]


def message_problems(done: subprocess.CompletedProcess[str], case: Case) -> list[str]:
    """What is wrong with what the run printed."""
    found = []
    if "Traceback" in done.stderr:
        found.append("a traceback")
    if CONTROL.search(done.stdout + done.stderr):
        found.append("a raw control character printed")
    if done.returncode not in (0, 130, 143, -1):
        errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
        if len(errors) != 1:
            found.append(f"{len(errors)} error lines, expected one")
    if case.words and case.words not in done.stderr:
        found.append(f"stderr does not say {case.words!r}")
    return found


def first_line(text: str) -> str:
    """The first non-empty line of ``text``."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _shown(path: Path, folder: Path) -> str:
    return str(path.relative_to(folder)) if path.is_relative_to(folder) else str(path)


# -- the cases ------------------------------------------------------------------------------------

OK, REFUSED, UNREADABLE = frozenset({0}), frozenset({2}), frozenset({4})
SKIP_ALL = [seg(1, 0.5, 1.5, "nudity"), seg(2, 1.0, 1.4)]  # a skip and a mute
PASSWD = Path("/etc/passwd")


def _analyze(kind: str, *, name: str | None = None) -> Callable[[Path, Kit], Setup]:
    def build(folder: Path, kit: Kit) -> Setup:
        film = kit.film(folder, kind, name)
        return Setup(["analyze", film.name, "-c", kit.config(), "--progress", "none"])

    return build


def _with_report(
    kind: str, command: str, *extra: str, segments: Sequence[dict[str, Any]] = SKIP_ALL
) -> Callable[[Path, Kit], Setup]:
    """``command`` on a ``kind`` film and a hand-written report of it."""

    def build(folder: Path, kit: Kit) -> Setup:
        film = kit.film(folder, kind)
        report = write_json(report_path(film), report_of(film, segments))
        return Setup(_argv(command, film, report, folder, *extra))

    return build


def _argv(command: str, film: Path, report: Path, folder: Path, *extra: str) -> list[str | Path]:
    if command == "censor":
        out = folder / f"out{film.suffix}"
        return [
            "censor",
            film.name,
            "--report",
            report.name,
            "-o",
            out.name,
            "--progress",
            "none",
            *extra,
        ]
    if command == "review":
        return ["review", report.name, *extra]
    return ["export", report.name, *extra]


def _checked(
    build: Callable[[Path, Kit], Setup], check: Callable[[Path], str | None]
) -> Callable[[Path, Kit], Setup]:
    """``build`` with ``check(folder)`` run after a success."""

    def wrapped(folder: Path, kit: Kit) -> Setup:
        return dataclasses.replace(build(folder, kit), check=lambda: check(folder))

    return wrapped


def _rotation_kept(folder: Path) -> str | None:
    with av.open(str(folder / "out.mp4")) as out:
        rotation = next(out.decode(video=0)).rotation
    return None if rotation == 90 else f"the copy's rotation is {rotation}, not 90"


def _attachments_kept(folder: Path) -> str | None:
    outputs = [p for p in folder.glob("*.mkv") if p.name not in ("film.mkv",)]
    for path in outputs:
        with av.open(str(path)) as out:
            names = {s.metadata.get("filename") for s in out.streams if s.type == "attachment"}
            covers = [s for s in out.streams if s.type == "video" and s.disposition.attached_pic]
        if "font.ttf" not in names or ("cover.png" not in names and not covers):
            return f"{path.name} lost an attachment: {sorted(n or '?' for n in names)}"
    return None if outputs else "no output written"


def broken_film_cases() -> list[Case]:
    """Films that are cut, empty, or hold nothing to see or hear."""
    chapters = ("--format", "chapters")
    return [
        Case("film-cut-analyze", "analyze", _analyze("cut"), OK, "warning", needs="models"),
        Case("film-cut-censor", "censor", _with_report("cut", "censor"), frozenset({0, 4})),
        Case("film-cut-review", "review", _with_report("cut", "review"), OK),
        Case(
            "film-empty-analyze", "analyze", _analyze("empty"), UNREADABLE, "empty", needs="models"
        ),
        Case("film-empty-censor", "censor", _with_report("empty", "censor"), UNREADABLE),
        Case(
            "film-empty-chapters", "export", _with_report("empty", "export", *chapters), UNREADABLE
        ),
        Case(
            "film-no-streams-analyze", "analyze", _analyze("streamless"), UNREADABLE, needs="models"
        ),
        Case("film-no-streams-censor", "censor", _with_report("streamless", "censor"), UNREADABLE),
    ]


def odd_film_cases() -> list[Case]:
    """Films that lie about their length, or start before or after zero."""
    chapters = ("--format", "chapters")
    return [
        Case(
            "film-claims-1e9s-analyze",
            "analyze",
            _analyze("claiming"),
            frozenset({0, 4}),
            needs="models",
        ),
        Case(
            "film-claims-1e9s-censor",
            "censor",
            _with_report("claiming", "censor"),
            frozenset({0, 2, 4}),
        ),
        Case(
            "film-claims-1e9s-review",
            "review",
            _with_report("claiming", "review"),
            frozenset({0, 2, 4}),
        ),
        Case("film-starts-at-2s-early-analyze", "analyze", _analyze("early"), OK, needs="models"),
        Case("film-starts-at-2s-early-censor", "censor", _with_report("early", "censor"), OK),
        Case(
            "film-starts-at-2s-early-chapters",
            "export",
            _with_report("early", "export", *chapters),
            OK,
        ),
        Case("film-starts-at-30s-censor", "censor", _with_report("late", "censor"), OK),
    ]


def garbage_film_cases() -> list[Case]:
    """Garbage under a film's name; films whose rotation or attachments a copy easily loses; a
    report that skips all of a film."""
    chapters = ("--format", "chapters")
    return [
        Case(
            "film-garbage-analyze",
            "analyze",
            _analyze("garbage"),
            UNREADABLE,
            "not a media file",
            needs="models",
        ),
        Case(
            "film-garbage-censor",
            "censor",
            _with_report("garbage", "censor"),
            UNREADABLE,
            "not a media file",
        ),
        Case("film-garbage-review", "review", _with_report("garbage", "review"), frozenset({0, 4})),
        Case(
            "film-garbage-chapters",
            "export",
            _with_report("garbage", "export", *chapters),
            UNREADABLE,
        ),
        Case(
            "film-rotated-censor",
            "censor",
            _checked(_with_report("rotated", "censor"), _rotation_kept),
            OK,
        ),
        Case(
            "film-attachments-censor",
            "censor",
            _checked(_with_report("covered", "censor"), _attachments_kept),
            OK,
        ),
        Case(
            "film-attachments-chapters",
            "export",
            _checked(_with_report("covered", "export", *chapters), _attachments_kept),
            OK,
        ),
        Case(
            "film-all-skipped-censor",
            "censor",
            _with_report("mkv", "censor", segments=[seg(1, 0.0, 3.0, "nudity")]),
            REFUSED,
            "nothing left to write",
        ),
    ]


def _edited(data: dict[str, Any], how: str) -> str:
    """The sample's report as text, made hostile: ``how`` names the change."""
    first = data["segments"][0]
    if how == "deep":
        return "[" * 200_000 + "]" * 200_000
    if how == "nan":
        first["end"] = float("nan")  # json.dumps writes NaN, which Python's parser reads back
    elif how == "inf":
        return json.dumps(data).replace(f'"end": {json.dumps(first["end"])}', '"end": 1e999', 1)
    elif how == "huge-int":
        first["start"] = 10**400
    elif how == "late":
        first["start"], first["end"] = 5e6, 5e6 + 1
    elif how == "many":
        data["segments"] = [
            {**first, "id": i + 1, "start": i % 1400 / 100, "end": i % 1400 / 100 + 0.5}
            for i in range(100_000)
        ]
    return json.dumps(data)


def _hostile_report(how: str, command: str, *extra: str) -> Callable[[Path, Kit], Setup]:
    def build(folder: Path, kit: Kit) -> Setup:
        film, report = kit.sample(folder)
        data = json.loads(report.read_text(encoding="utf-8"))
        report.write_text(_edited(data, how), encoding="utf-8")
        return Setup(_argv(command, film, report, folder, *extra))

    return build


def _oversized_report(folder: Path, kit: Kit) -> Setup:
    _, report = kit.sample(folder)
    with report.open("r+b") as stream:
        stream.truncate(300 << 20)  # sparse: 300 MiB on paper, nothing on the disk
    return Setup(["export", report.name])


def _pointing(
    target: Callable[[Path], Path], command: str, *extra: str
) -> Callable[[Path, Kit], Setup]:
    """A report whose ``input.path`` names another place; outputs must not go there."""

    def build(folder: Path, kit: Kit) -> Setup:
        film, report = kit.sample(folder)
        elsewhere = target(folder)
        data = json.loads(report.read_text(encoding="utf-8"))
        data["input"]["path"] = str(elsewhere)
        write_json(report, data)
        beside = [
            elsewhere.with_suffix(s)
            for s in (".edl", ".mcf", ".vcp.vtt", ".chapters.mkv", ".vcp.html")
        ]
        never = tuple(p for p in beside if not os.path.lexists(p))
        return Setup(_argv(command, film, report, folder, *extra), watch=(elsewhere,), never=never)

    return build


def _elsewhere(folder: Path) -> Path:
    other = folder / "elsewhere"
    other.mkdir()
    return other / "movie.mp4"


def report_cases() -> list[Case]:
    """Reports with numbers no film has, absurd shapes, and paths that point elsewhere."""
    cases = []
    for how, words in (
        ("nan", "finite"),
        ("inf", "finite"),
        ("deep", "nests deeper"),
        ("huge-int", "segments.0.start"),
        ("late", "segments.0"),
    ):
        for command in ("export", "censor", "review"):
            cases.append(
                Case(
                    f"report-{how}-{command}",
                    command,
                    _hostile_report(how, command),
                    REFUSED,
                    words,
                )
            )
    chapters = ("--format", "chapters")
    return [
        *cases,
        Case(
            "report-300MiB-export", "export", _oversized_report, REFUSED, "too large for a report"
        ),
        Case(
            "report-100k-segments-export",
            "export",
            _hostile_report("many", "export", "--format", "edl,mcf,vtt"),
            OK,
            budget=20.0,
        ),
        Case(
            "report-100k-segments-review",
            "review",
            _hostile_report("many", "review"),
            OK,
            budget=60.0,
        ),
        Case("report-names-elsewhere-export", "export", _pointing(_elsewhere, "export"), OK),
        Case("report-names-etc-passwd-export", "export", _pointing(lambda f: PASSWD, "export"), OK),
        Case(
            "report-names-etc-passwd-chapters",
            "export",
            _pointing(lambda f: PASSWD, "export", *chapters),
            frozenset({0, 2, 4}),
        ),
        Case("report-names-etc-passwd-review", "review", _pointing(lambda f: PASSWD, "review"), OK),
        Case(
            "report-names-etc-passwd-censor",
            "censor",
            _pointing(lambda f: PASSWD, "censor"),
            frozenset({0, 2}),
        ),
    ]


def _evil_sample(command: str) -> Callable[[Path, Kit], Setup]:
    """The sample under a name holding a newline and terminal escape codes, with its report."""

    def build(folder: Path, kit: Kit) -> Setup:
        film, report = kit.sample(folder, f"{EVIL}.mp4")
        if command == "analyze":
            report.unlink()
            return Setup(["analyze", film.name, "-c", kit.config(), "--progress", "none"])
        return Setup(_argv(command, film, report, folder))

    return build


def name_cases() -> list[Case]:
    """File names that would set the terminal's title and clear it if printed raw."""
    return [
        Case("name-escapes-export", "export", _evil_sample("export"), OK),
        Case("name-escapes-review", "review", _evil_sample("review"), OK),
        Case("name-escapes-censor", "censor", _evil_sample("censor"), OK),
        Case(
            "name-escapes-analyze",
            "analyze",
            _evil_sample("analyze"),
            OK,
            needs="models",
        ),
        Case(
            "name-escapes-garbage-analyze",
            "analyze",
            _analyze("garbage", name=f"{EVIL}.mp4"),
            UNREADABLE,
            needs="models",
        ),
    ]


def _collision(
    command: str, output: Callable[[Path, Path], Path], *extra: str
) -> Callable[[Path, Kit], Setup]:
    """``command`` on the sample with ``-o output(film, report)``."""

    def build(folder: Path, kit: Kit) -> Setup:
        film, report = kit.sample(folder)
        target = output(film, report)
        if command == "analyze":  # refused before any model is looked for: none are needed
            return Setup(["analyze", film.name, "-o", target, "--offline", *extra])
        if command == "censor":
            return Setup(["censor", film.name, "-o", target, "--progress", "none", *extra])
        if command == "review":
            return Setup(["review", report.name, "-o", target, *extra])
        return Setup(["export", report.name, "-o", target, *extra])

    return build


def _other_film(film: Path, report: Path) -> Path:
    other = film.with_name("precious.mp4")
    shutil.copyfile(film, other)
    return other


def _symlink(film: Path, report: Path) -> Path:
    link = film.with_name("link.mp4")
    link.symlink_to(film.name)
    return link


def _hardlink(film: Path, report: Path) -> Path:
    link = film.with_name("hard.mp4")
    os.link(film, link)
    return link


def _chapters_over_a_film(folder: Path, kit: Kit) -> Setup:
    film, report = kit.sample(folder)
    shutil.copyfile(film, folder / "movie.chapters.mkv")  # a film of the user's, not vcp's copy
    return Setup(["export", report.name, "--format", "chapters"])


def analyze_output_cases() -> list[Case]:
    """-o of analyze naming the film (with --force too) or another film."""
    film = lambda f, r: f  # noqa: E731
    force = "--force"
    return [
        Case(
            "output-is-film-analyze",
            "analyze",
            _collision("analyze", film),
            REFUSED,
            "the output is the input",
        ),
        Case(
            "output-is-other-film-analyze",
            "analyze",
            _collision("analyze", _other_film),
            REFUSED,
            "already exists",
        ),
        Case(
            "output-is-film-forced-analyze",
            "analyze",
            _collision("analyze", film, force),
            REFUSED,
            "the output is the input",
        ),
    ]


def review_export_output_cases() -> list[Case]:
    """-o of review and export naming the film, the report or another film."""
    film, report = (lambda f, r: f), (lambda f, r: r)
    force = "--force"
    return [
        Case(
            "output-is-report-review",
            "review",
            _collision("review", report, force),
            REFUSED,
            "the output is the input",
        ),
        Case("output-is-film-review", "review", _collision("review", film), REFUSED),
        Case(
            "output-is-other-film-review",
            "review",
            _collision("review", _other_film),
            REFUSED,
            "already exists",
        ),
        Case("output-is-report-export", "export", _collision("export", report), REFUSED),
        Case(
            "output-chapters-over-a-film-export",
            "export",
            _chapters_over_a_film,
            REFUSED,
            "already exists",
        ),
    ]


def censor_output_cases() -> list[Case]:
    """-o of censor naming the film, the report, another film, or the film through a link."""
    film, report = (lambda f, r: f), (lambda f, r: r)
    force = "--force"
    return [
        Case(
            "output-is-film-censor",
            "censor",
            _collision("censor", film, force),
            REFUSED,
            "the output is the input",
        ),
        Case(
            "output-is-report-censor",
            "censor",
            _collision("censor", report, force),
            REFUSED,
            "the output is the input",
        ),
        Case(
            "output-is-other-film-censor",
            "censor",
            _collision("censor", _other_film),
            REFUSED,
            "already exists",
        ),
        Case(
            "output-is-film-by-symlink-censor",
            "censor",
            _collision("censor", _symlink, force),
            REFUSED,
            "the output is the input",
        ),
        Case(
            "output-is-film-by-hard-link-censor",
            "censor",
            _collision("censor", _hardlink, force),
            REFUSED,
            "the output is the input",
        ),
    ]


def _small_disk(command: str, kib: int) -> Callable[[Path, Kit], Setup]:
    """``command`` writing into a ``kib`` KiB tmpfs: the disk fills up mid-write."""

    def build(folder: Path, kit: Kit) -> Setup:
        film, report = kit.film(folder, "mkv"), None
        report = write_json(report_path(film), report_of(film, SKIP_ALL))
        small = folder / "small"
        small.mkdir()
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(small)], check=True
        )
        (small / "keep.txt").write_text("a file already on that disk\n")
        if command == "censor":
            argv: list[str | Path] = [
                "censor",
                film.name,
                "-o",
                small / "out.mkv",
                "--progress",
                "none",
            ]
        else:
            argv = ["export", report.name, "--format", "chapters", "-o", small]
        unmount = lambda: subprocess.run(["umount", str(small)], check=False)  # noqa: E731
        return Setup(argv, cleanup=unmount)

    return build


def _signalled(sig: int) -> Callable[[Path, Kit], Setup]:
    def build(folder: Path, kit: Kit) -> Setup:
        film = kit.film(folder, "slow")
        report = write_json(report_path(film), report_of(film, [seg(1, 5.0, 6.0, "nudity")]))
        argv: list[str | Path] = [
            "censor",
            film.name,
            "--report",
            report.name,
            "-o",
            "out.mp4",
            "--progress",
            "none",
        ]
        return Setup(argv, interrupt=sig)

    return build


def disk_and_signal_cases() -> list[Case]:
    """A disk that fills up while the copy is written; Ctrl-C and SIGTERM while it is."""
    return [
        Case(
            "disk-full-censor",
            "censor",
            _small_disk("censor", 32),
            REFUSED,
            "No space left on device",
            needs="root",
        ),
        Case(
            "disk-full-chapters",
            "export",
            _small_disk("export", 32),
            REFUSED,
            "No space left on device",
            needs="root",
        ),
        Case(
            "sigint-censor",
            "censor",
            _signalled(signal.SIGINT),
            frozenset({130}),
            "interrupted",
        ),
        Case(
            "sigterm-censor",
            "censor",
            _signalled(signal.SIGTERM),
            frozenset({143}),
            "interrupted",
        ),
    ]


# One case or two of each class, for `make test` (under 30 s on 2 cores): the rest repeat a
# class through another command, or load models, or take seconds.
QUICK = frozenset(
    {
        "film-cut-censor", "film-empty-censor", "film-no-streams-censor",
        "film-claims-1e9s-censor", "film-starts-at-2s-early-censor",
        "film-garbage-chapters", "film-rotated-censor",
        "film-attachments-censor", "film-all-skipped-censor",
        "report-nan-export", "report-inf-review", "report-deep-censor", "report-huge-int-export",
        "report-late-censor", "report-300MiB-export", "report-names-elsewhere-export",
        "report-names-etc-passwd-export", "report-names-etc-passwd-chapters",
        "name-escapes-export",
        "output-is-film-analyze", "output-is-report-review", "output-is-report-censor",
        "output-is-film-by-hard-link-censor", "output-chapters-over-a-film-export",
        "disk-full-censor",
    }
)  # fmt: skip


def all_cases() -> list[Case]:
    """Every case, in the table's order."""
    return [
        *broken_film_cases(),
        *odd_film_cases(),
        *garbage_film_cases(),
        *report_cases(),
        *name_cases(),
        *analyze_output_cases(),
        *review_export_output_cases(),
        *censor_output_cases(),
        *disk_and_signal_cases(),
    ]


# -- the table ------------------------------------------------------------------------------------


def table(outcomes: Sequence[Outcome]) -> str:
    """The markdown table of docs/reliability.md."""
    lines = [
        "| case | command | exit | message (first line) | files intact |",
        "|---|---|---|---|---|",
    ]
    for o in outcomes:
        code = "skipped" if o.skipped else str(o.code)
        message = o.skipped or o.message
        if o.problems:
            message = f"**FAIL: {'; '.join(o.problems)}** {message}"
        lines.append(
            f"| {o.case.name} | {o.case.command} | {code} | {_cell(message)} | {o.intact} |"
        )
    return "\n".join(lines)


def _cell(text: str, width: int = 110) -> str:
    text = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text).replace("|", "\\|")
    return text if len(text) <= width else text[: width - 1] + "…"


def run(
    cases: Sequence[Case], root: Path, *, log: Callable[[str], object] = print
) -> list[Outcome]:
    """Run ``cases`` in folders under ``root``; one line per case to ``log``."""
    kit = Kit(root)
    outcomes = []
    for case in cases:
        outcome = run_case(case, kit)
        state = "skip" if outcome.skipped else ("FAIL" if outcome.problems else "ok")
        log(f"{state:4} {case.name} ({outcome.seconds:.1f} s) {'; '.join(outcome.problems)}")
        outcomes.append(outcome)
    return outcomes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="only the fast cases")
    parser.add_argument("--only", default="", help="only the cases whose name holds this")
    parser.add_argument("--keep", action="store_true", help="keep the cases' files (printed)")
    parser.add_argument("--quiet", action="store_true", help="no line per case")
    args = parser.parse_args(argv)
    cases = [c for c in all_cases() if args.only in c.name and (c.name in QUICK or not args.quick)]
    root = Path(tempfile.mkdtemp(prefix="vcp-soak-media-"))
    try:
        outcomes = run(cases, root, log=(lambda _: None) if args.quiet else print)
    finally:
        if args.keep:
            print(f"files kept in {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(table(outcomes))
    failed = [o for o in outcomes if o.problems]
    for o in failed:
        print(f"FAIL {o.case.name}: {'; '.join(o.problems)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
