"""Benchmark `vcp analyze`: time to first detection, and throughput on a generated 1-hour film.

    python scripts/bench_analyze.py                     # both (40 min on a busy 2-core VM)
    python scripts/bench_analyze.py --quick             # 5-minute film, one run of each
    python scripts/bench_analyze.py --skip-long         # time to first detection only
    python scripts/bench_analyze.py --skip-first --variant profanity.beam_size=1

1. **Time to first detection** (issue 8, "readiness-driven"). The local mirror, seeded with the
   default models, serves whisper's ``model.bin`` at a per-connection rate cap (``Faults`` with
   ``only="*model.bin"``), so whisper's 75 MB arrive seconds after NudeNet's 12 MB. A child
   process with a fresh model cache then runs either vcp's way, ``analyze(sample, settings,
   models=mm, on_event=...)``, or the sequential baseline of the original design, ``await
   mm.ensure()`` and only then ``analyze``, on tests/fixtures/sample.mp4 with FACE_FEMALE mapped
   to a ``faces`` category. Times are seconds from opening the ModelManager.
2. **Throughput**. A 1-hour 720p H.264 film (simple moving pictures, ``--fps`` frames a second)
   with an AAC speech track (a minute of espeak-ng speech with profane words and pauses, looped)
   is generated once and kept in ``.bench/analyze/``. ``vcp analyze`` runs on it as a subprocess
   with the models already cached (``--offline``), one sample a second, both detectors, under a
   wrapper that reports its wall time and peak RSS. Then each stage alone, each in its own
   process: frame decoding (``iter_frames`` at 1 s, fit 320), NudeNet's scan (decoding included)
   and the speech detector's scan, the last two on the first ``--component-seconds`` of the film.
   ``--variant DETECTOR.KEY=VALUE[+...]`` adds ``vcp analyze`` runs with changed settings on a
   shorter film (``--variant-seconds``), beside a run with the defaults on it; ``--speech-variant``
   adds runs of the speech stage alone.

Only 127.0.0.1 is contacted. The result is markdown for docs/benchmarks.md. Exit status 1 when the
first vision detection does not come before whisper's ModelReady, or a full-length analysis misses
its target (10x real time, peak RSS under 1 GB), or a run fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve()
SAMPLE = REPO_ROOT / "tests" / "fixtures" / "sample.mp4"
MB = 1_000_000
HOUR = 3600.0
QUICK_SECONDS = 300.0
SPEED_TARGET = 10.0  # times faster than real time
RSS_LIMIT_MB = 1000.0
DEFAULT_RATE_MB = 1.5  # per connection, whisper's model.bin only: 8 connections, about 6 s
DEFAULT_FPS = 10
DEFAULT_COMPONENT_SECONDS = 600.0
DEFAULT_TIMEOUT_S = 3600.0
DETECT_SAMPLES = 300  # frames NudeNet's inference alone is timed on
WIDTH, HEIGHT = 1280, 720
KEYFRAME_SECONDS = 5  # x264 would put one every 250 frames (25 s at 10 fps); films use 2-10 s
VOICE_RATE = 22050  # espeak-ng's output rate
AUDIO_RATE = 48000
FILM_VERSION = 1  # bump when the generated film changes: cached films are rebuilt

# About a minute of dialogue (with pauses) that the film's speech track loops; 7 profane words.
DIALOGUE: list[tuple[str, float]] = [  # (line, seconds of pause after it)
    ("Good evening, and welcome back to the program.", 1.2),
    ("Tonight we are talking about the weather in the mountains.", 0.8),
    ("What the fuck happened to the road up there?", 2.0),
    ("The bridge was washed away by the storm last week.", 0.6),
    ("That is a damn shame, it was a beautiful bridge.", 1.5),
    ("The council says it will take months to rebuild it.", 0.7),
    ("Bullshit. They said the same thing three years ago.", 2.5),
    ("Let us hear from our reporter in the valley.", 0.9),
    ("Thank you. It is cold and wet down here, and the river is still rising.", 1.0),
    ("Oh shit, the camera is getting wet.", 1.8),
    ("People here are tired of waiting for help.", 0.8),
    ("One farmer told me, and I quote, this is a fucking disaster.", 2.2),
    ("We will be back after a short break.", 3.0),
    ("God damn it, who left the microphone on?", 1.0),
    ("Sorry about that. Welcome back, everyone.", 1.5),
]


@dataclass(frozen=True)
class Work:
    """The scratch folder's layout (``.bench/analyze`` by default; git-ignored)."""

    root: Path

    @property
    def mirror(self) -> Path:
        return self.root / "mirror"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def runs(self) -> Path:
        return self.root / "runs"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def film(self, seconds: float, fps: int) -> Path:
        return self.root / f"film-{seconds:g}s-{fps}fps-v{FILM_VERSION}.mp4"


# -- the mirror, the config and the cached models -------------------------------------------


def seed(work: Work) -> Path:
    """The mirror root with the default models (hard links to the dev packages' copies)."""
    from vcp.mirror import seed_default_models

    done = work.mirror / ".seeded"
    if not done.exists():
        seed_default_models(work.mirror)
        done.touch()
    return work.mirror


def config_data(endpoint: str, cache: Path, *, faces: bool) -> dict[str, Any]:
    """The built-in configuration pointed at ``endpoint`` and ``cache`` (as the tests build it);
    with ``faces``, NudeNet's FACE_FEMALE label is reported as the category ``faces``."""
    from vcp.config import load_settings

    data = load_settings().model_dump(mode="json", exclude_none=True)
    data["models"]["cache_dir"] = str(cache)
    data["models"]["hub"]["endpoint"] = endpoint
    if faces:
        nudity = next(d for d in data["detectors"] if d["type"] == "nudenet")
        nudity["categories"]["faces"] = ["FACE_FEMALE"]
    return data


def apply_variant(data: dict[str, Any], variant: str) -> dict[str, Any]:
    """``data`` with ``DETECTOR.KEY=VALUE[+DETECTOR.KEY=VALUE...]`` applied (each VALUE parsed
    as YAML: 1, false, [en]); ``env:NAME=VALUE`` parts are the process's (see ``variant_env``)."""
    from ruamel.yaml import YAML

    for change in variant.split("+"):
        if change.startswith("env:"):
            continue
        target, _, raw = change.partition("=")
        name, _, key = target.partition(".")
        detector = next((d for d in data["detectors"] if d["name"] == name), None)
        if detector is None or not key or not raw:
            raise ValueError(f"bad variant {change!r}: want DETECTOR.KEY=VALUE, a known detector")
        detector[key] = YAML(typ="safe").load(raw)
    return data


def variant_env(variant: str | None) -> dict[str, str]:
    """The ``env:NAME=VALUE`` parts of a variant: environment variables of the measured process
    (e.g. ``env:OMP_WAIT_POLICY=PASSIVE``, a setting of the OpenMP runtime under CTranslate2)."""
    parts = [p.removeprefix("env:") for p in (variant or "").split("+") if p.startswith("env:")]
    return dict(p.partition("=")[::2] for p in parts)


def write_config(path: Path, data: dict[str, Any]) -> Path:
    from ruamel.yaml import YAML

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as out:
        YAML().dump(data, out)
    return path


async def fill_models(work: Work) -> None:
    """Download the default models from the (unthrottled) mirror into ``work.models`` once."""
    from vcp.config import Settings
    from vcp.mirror import MirrorServer
    from vcp.models.manager import ModelManager

    async with MirrorServer(seed(work)) as mirror:
        settings = Settings(**config_data(mirror.url, work.models, faces=False))
        async with ModelManager(settings.models) as models:
            await models.ensure()


# -- the film ---------------------------------------------------------------------------------


def speak(text: str, workdir: Path) -> Any:
    """``text`` spoken by espeak-ng (int16, VOICE_RATE), leading and trailing silence trimmed."""
    import numpy as np

    path = workdir / "line.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(path), text], check=True)
    with wave.open(str(path)) as wav:
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 250)
    return samples[loud[0] : loud[-1] + 1]


def dialogue() -> Any:
    """DIALOGUE as one mono float32 track at AUDIO_RATE over faint noise (a room, not silence)."""
    import av
    import numpy as np

    parts = []
    with tempfile.TemporaryDirectory() as tmp:
        for line, pause in DIALOGUE:
            parts += [speak(line, Path(tmp)), np.zeros(int(pause * VOICE_RATE), np.int16)]
    voice = np.concatenate(parts).reshape(1, -1)
    frame = av.AudioFrame.from_ndarray(voice, format="s16", layout="mono")
    frame.sample_rate = VOICE_RATE
    resampler = av.AudioResampler(format="flt", layout="mono", rate=AUDIO_RATE)
    track = np.concatenate([f.to_ndarray().ravel() for f in [*resampler.resample(frame)]])
    noise = np.random.default_rng(1).normal(0.0, 0.003, len(track)).astype(np.float32)
    return (track + noise).clip(-1, 1)


class Pictures:
    """Cheap moving pictures straight in YUV 4:2:0: a scrolling texture and a sliding box."""

    def __init__(self) -> None:
        import numpy as np

        rows, cols = np.mgrid[0:HEIGHT, 0 : 2 * WIDTH]
        wave_ = np.sin(cols / 37.0) + np.cos(rows / 23.0 + cols / 91.0)
        grain = np.random.default_rng(0).integers(-12, 12, (HEIGHT, 2 * WIDTH))
        self.texture = (wave_ * 50 + 128 + grain).clip(16, 235).astype(np.uint8)
        self.buffer = np.full((HEIGHT * 3 // 2, WIDTH), 128, np.uint8)
        chroma = self.buffer[HEIGHT:]  # U then V, each (WIDTH / 2) x (HEIGHT / 2), flattened
        chroma[:] = (128 + 40 * np.sin(np.arange(chroma.size) / 9000.0)).reshape(chroma.shape)

    def frame(self, i: int, fps: int) -> Any:
        import av

        shift = (i * 4) % WIDTH
        self.buffer[:HEIGHT] = self.texture[:, shift : shift + WIDTH]
        left = (i * 9) % (WIDTH - 240)
        self.buffer[240:480, left : left + 240] = 235 - (i // fps) % 100  # a box, a new grey each s
        frame = av.VideoFrame.from_ndarray(self.buffer, format="yuv420p")
        frame.pts, frame.time_base = i, Fraction(1, fps)
        return frame


def make_film(path: Path, seconds: float, fps: int) -> Path:
    """The test film (kept: built once per length and frame rate, about 4 minutes for an hour)."""
    if path.is_file():
        return path
    started = time.perf_counter()
    print(f"generating {path.name} ...", file=sys.stderr, flush=True)
    tmp = path.with_name(path.name + ".tmp.mp4")
    _encode_film(tmp, seconds, fps, dialogue())
    os.replace(tmp, path)
    print(f"  {path.stat().st_size / MB:.0f} MB in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)  # fmt: skip
    return path


def _encode_film(path: Path, seconds: float, fps: int, track: Any) -> None:
    import av

    pictures = Pictures()
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.options = {"preset": "ultrafast", "crf": "26", "g": str(KEYFRAME_SECONDS * fps)}
        audio = out.add_stream("aac", rate=AUDIO_RATE, layout="mono")
        audio.bit_rate = 96000
        for second in range(int(seconds)):  # one second of each stream at a time: interleaved
            for i in range(second * fps, (second + 1) * fps):
                out.mux(video.encode(pictures.frame(i, fps)))
            out.mux(audio.encode(_audio_second(track, second)))
        out.mux(video.encode())
        out.mux(audio.encode())


def _audio_second(track: Any, second: int) -> Any:
    import av

    loops = len(track) // AUDIO_RATE  # whole seconds of the dialogue, looped
    start = (second % loops) * AUDIO_RATE
    frame = av.AudioFrame.from_ndarray(
        track[start : start + AUDIO_RATE].reshape(1, -1), format="flt", layout="mono"
    )
    frame.sample_rate, frame.pts = AUDIO_RATE, second * AUDIO_RATE
    return frame


# -- measurement 1: time to first detection ---------------------------------------------------


@dataclass
class FirstRun:
    """Seconds from opening the ModelManager to each milestone of one run."""

    mode: str
    nudenet_ready: float
    first_vision: float
    whisper_ready: float
    first_speech: float
    done: float

    @property
    def vision_first(self) -> bool:
        return self.first_vision < self.whisper_ready


async def time_to_first_detection(args: argparse.Namespace, work: Work) -> list[FirstRun]:
    """``--repeat`` runs of each mode against a throttled mirror, each with a fresh cache."""
    from vcp.mirror import Faults, MirrorServer

    faults = Faults(bytes_per_second=int(args.rate_mb * MB), only="*model.bin")
    runs: list[FirstRun] = []
    async with MirrorServer(seed(work), faults=faults) as mirror:
        for attempt in range(args.repeat):
            for mode in ("readiness", "sequential"):
                runs.append(await _first_run(mode, mirror.url, work, attempt))
                print(f"  {_first_line(runs[-1])}", file=sys.stderr, flush=True)
    return runs


async def _first_run(mode: str, endpoint: str, work: Work, attempt: int) -> FirstRun:
    run_dir = work.runs / f"first-{mode}-{attempt}"
    shutil.rmtree(run_dir, ignore_errors=True)
    config = write_config(
        run_dir / "vcp.yaml", config_data(endpoint, run_dir / "cache", faces=True)
    )
    cmd = [sys.executable, str(SCRIPT), "_first", mode, str(config)]
    child = await asyncio.create_subprocess_exec(
        *cmd, stdout=asyncio.subprocess.PIPE, env=_env(), cwd=REPO_ROOT
    )  # the mirror runs on this event loop: the child must not block it
    out, _ = await child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"{mode} run failed (exit {child.returncode})")
    shutil.rmtree(run_dir, ignore_errors=True)
    return FirstRun(mode=mode, **json.loads(out.decode().splitlines()[-1]))


def _first_line(run: FirstRun) -> str:
    return (
        f"{run.mode:>10}: first vision detection {run.first_vision:5.2f} s, whisper ready "
        f"{run.whisper_ready:5.2f} s, done {run.done:5.2f} s"
    )


async def _first_main(mode: str, config: str) -> int:
    """The child of one run: analyse the sample, print the milestones as JSON."""
    from vcp import analyze
    from vcp.config import load_settings
    from vcp.models.manager import ModelManager

    settings = load_settings(Path(config))
    clock = _Milestones(settings)
    async with ModelManager(settings.models, on_event=clock) as models:
        if mode == "sequential":
            await models.ensure()
        await analyze(SAMPLE, settings, models=models, on_event=clock)
        clock.mark("done")
    print(json.dumps(clock.times))
    return 0


class _Milestones:
    """An event handler that notes when each milestone first happened."""

    def __init__(self, settings: Any) -> None:
        self.started = time.perf_counter()
        self.times: dict[str, float] = {}
        self.vision = {d.name for d in settings.detectors if d.type == "nudenet"}
        self.models = {d.model: d.type for d in settings.detectors}

    def mark(self, name: str) -> None:
        self.times.setdefault(name, round(time.perf_counter() - self.started, 3))

    def __call__(self, event: Any) -> None:
        from vcp.analysis.events import DetectionFound
        from vcp.models.events import ModelReady

        if isinstance(event, ModelReady):
            kind = "nudenet" if self.models.get(event.model) == "nudenet" else "whisper"
            self.mark(f"{kind}_ready")
        elif isinstance(event, DetectionFound):
            vision = event.detection.detector in self.vision
            self.mark("first_vision" if vision else "first_speech")


# -- measuring a child process -------------------------------------------------------------------


def measure(
    cmd: Sequence[str], *, log: Path, timeout: float, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run ``cmd`` under the wrapper (``_measure``): exit code, wall seconds, CPU seconds (user +
    system, every thread) and peak RSS (KiB) of that one process."""
    wrapper = [sys.executable, str(SCRIPT), "_measure", str(log), str(timeout), "--", *cmd]
    env = _env() | (env or {})
    done = subprocess.run(wrapper, env=env, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _measure_main(log: str, timeout: str, cmd: list[str]) -> int:
    """The wrapper, as in bench_download.py: with exactly one child, RUSAGE_CHILDREN is that
    child's. CPU time is reported too: on a machine shared with other work, wall time says how
    long the run took *here*, CPU time what it costs anywhere."""
    started = time.perf_counter()
    with open(log, "w") as out:
        try:
            code = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, timeout=float(timeout))
            rc = code.returncode
        except subprocess.TimeoutExpired:
            rc = -1
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss = usage.ru_maxrss // (1024 if sys.platform == "darwin" else 1)  # bytes there, KiB here
    cpu = usage.ru_utime + usage.ru_stime
    print(json.dumps({"rc": rc, "wall": wall, "cpu": cpu, "rss_kib": rss}))
    return 0


# -- measurement 2: throughput ----------------------------------------------------------------


@dataclass
class Stage:
    """One measured process: what ran, over how many seconds of film, wall and CPU time, peak
    RSS."""

    name: str
    media_seconds: float
    wall: float
    cpu: float
    rss_kib: int
    samples: int | None = None  # frames, for the vision stages
    note: str = ""

    @property
    def speed(self) -> float:
        """Times faster than real time."""
        return self.media_seconds / self.wall

    @property
    def rss_mb(self) -> float:
        return self.rss_kib * 1024 / MB


def analyze_film(film: Path, work: Work, variant: str | None, args: argparse.Namespace) -> Stage:
    """``vcp analyze`` on ``film`` in a child process, models cached, nothing downloaded."""
    from vcp.media.probe import probe

    variant = _with_base(args.base, variant)
    slug = f"{film.stem}-{variant or 'default'}".replace("=", "-").replace("/", "_")
    data = config_data("http://127.0.0.1:9", work.models, faces=False)  # offline: never used
    config = write_config(work.runs / f"analyze-{slug}.yaml", _variant(data, variant))
    report = work.runs / f"analyze-{slug}.vcp.json"
    cmd = [sys.executable, "-m", "vcp", "analyze", str(film), "-c", str(config), "-o",
           str(report), "--offline", "--progress", "none"]  # fmt: skip
    log = work.logs / f"analyze-{slug}.log"
    got = measure(cmd, log=log, timeout=args.timeout, env=variant_env(variant))
    if got["rc"] != 0:
        raise RuntimeError(f"vcp analyze failed (exit {got['rc']}); see {log}")
    summary = json.loads(report.read_text())["summary"]
    note = f"{summary.get('segments', '?')} segments"
    name = f"vcp analyze ({variant})" if variant else "vcp analyze"
    return Stage(name, probe(film).duration, got["wall"], got["cpu"], got["rss_kib"], note=note)


def _with_base(base: str | None, variant: str | None) -> str | None:
    """``--base`` changes, then the run's own (a later setting of the same key wins)."""
    return "+".join(v for v in (base, variant) if v) or None


def _variant(data: dict[str, Any], variant: str | None) -> dict[str, Any]:
    return apply_variant(data, variant) if variant else data


def component(kind: str, film: Path, work: Work, *, limit: float, variant: str | None = None,
              args: argparse.Namespace) -> Stage:  # fmt: skip
    """One stage alone in a child process (``_component``): decode, nudenet or speech."""
    variant = _with_base(args.base, variant)
    data = config_data("http://127.0.0.1:9", work.models, faces=False)
    slug = f"{kind}-{(variant or 'default').replace('=', '-').replace('/', '_')}"
    config = write_config(work.runs / f"component-{slug}.yaml", _variant(data, variant))
    cmd = [sys.executable, str(SCRIPT), "_component", kind, str(film), str(config), str(limit)]
    log = work.logs / f"component-{slug}.log"
    got = measure(cmd, log=log, timeout=args.timeout, env=variant_env(variant))
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    if got["rc"] != 0 or not lines:
        raise RuntimeError(f"stage {kind} failed (exit {got['rc']}); see {log}")
    result = json.loads(lines[-1])
    name = f"{_STAGE_NAMES[kind]} ({variant})" if variant else _STAGE_NAMES[kind]
    # The stage's own clocks (model loading and start-up excluded); the process's peak RSS.
    samples, hits = result.get("samples"), result.get("detections")
    note = "" if hits is None else f"{hits} detections"
    stage = Stage(name, result["seconds"], result["wall"], result["cpu"], got["rss_kib"], samples)
    stage.note = note
    return stage


_STAGE_NAMES = {
    "decode": "decode frames (auto)",
    "decode-seek": "decode frames (seek)",
    "decode-decode": "decode frames (decode all)",
    "nudenet": "NudeNet scan (decoding included)",
    "nudenet-detect": "NudeNet inference alone (detect)",
    "speech": "speech scan",
}


def _component_main(kind: str, film: str, config: str, limit: str) -> int:
    """The child of one stage: run it over the first ``limit`` seconds, print JSON."""
    from vcp.config import load_settings
    from vcp.media.probe import probe

    settings = load_settings(Path(config))
    media = probe(Path(film))
    end = min(float(limit), media.duration)
    if kind.startswith("decode"):
        strategy = kind.partition("-")[2] or "auto"
        result = _time_decode(media, end, settings, strategy)
    else:
        result = _time_scan(kind, media, end, settings)
    print(json.dumps(result))
    return 0


def _time_decode(media: Any, end: float, settings: Any, strategy: str) -> dict[str, Any]:
    from vcp.media.frames import Frame, iter_frames

    started, cpu, samples, seen = time.perf_counter(), time.process_time(), 0, 0.0
    interval = settings.processing.frame_interval_seconds
    for item in iter_frames(media, interval=interval, fit=320, strategy=strategy):  # type: ignore[arg-type]
        if isinstance(item, Frame):
            samples, seen = samples + 1, item.time
            if seen + interval >= end - interval / 2:  # the samples of [0, end)
                break
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    seconds = min(seen + interval, media.duration)
    return {"seconds": seconds, "wall": wall, "cpu": cpu, "samples": samples}


def _time_scan(kind: str, media: Any, end: float, settings: Any) -> dict[str, Any]:
    """The detector's own scan (its decoding included) up to ``end``; load time excluded."""
    import asyncio as aio

    from vcp.analysis.detectors import Detection, Progress, detector_class
    from vcp.models.manager import ModelManager

    wanted = "nudenet" if kind.startswith("nudenet") else "speech-profanity"
    config = next(d for d in settings.detectors if d.type == wanted)

    async def local_model() -> Any:
        async with ModelManager(settings.models, offline=True) as models:
            return (await models.ensure([config.model]))[config.model]

    model = aio.run(local_model())
    detector = detector_class(wanted).load(config, model.path, processing=settings.processing)
    if kind == "nudenet-detect":
        return _time_detect(detector, media, end, settings)
    started, cpu, seen, hits = time.perf_counter(), time.process_time(), 0.0, 0
    steps = detector.scan(media)
    for step in steps:
        if isinstance(step, Detection):
            hits += 1
        elif isinstance(step, Progress):
            seen = step.seconds
            if seen >= end:
                break
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    getattr(steps, "close", lambda: None)()
    seen = min(seen, media.duration)
    samples = math.ceil(seen / settings.processing.frame_interval_seconds - 1e-6)
    result = {"seconds": seen, "wall": wall, "cpu": cpu, "detections": hits}
    return result | ({"samples": samples} if kind == "nudenet" else {})


def _time_detect(detector: Any, media: Any, end: float, settings: Any) -> dict[str, Any]:
    """NudeNet's inference alone (``detect``) on frames decoded beforehand (at most 300)."""
    from vcp.media.frames import Frame, iter_frames

    interval = settings.processing.frame_interval_seconds
    images = []
    for item in iter_frames(media, interval=interval, fit=320):
        if isinstance(item, Frame):
            images.append(item.image)
            if len(images) >= min(DETECT_SAMPLES, end / interval):
                break
    detector.detect(images[:2])  # warm-up: onnxruntime plans its buffers on the first run
    started, cpu = time.perf_counter(), time.process_time()
    detector.detect(images)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": len(images) * interval, "wall": wall, "cpu": cpu, "samples": len(images)}


# -- report -------------------------------------------------------------------------------------


def first_table(runs: list[FirstRun]) -> list[str]:
    """Per mode: the range (min-max) and median of each milestone over the runs."""
    lines = [
        "| mode | runs | NudeNet ready s | first vision detection s | whisper ready s "
        "| first speech detection s | done s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for mode in ("readiness", "sequential"):
        mine = [r for r in runs if r.mode == mode]
        if not mine:
            continue
        cells = [
            _spread([getattr(r, key) for r in mine])
            for key in ("nudenet_ready", "first_vision", "whisper_ready", "first_speech", "done")
        ]
        label = _MODE_LABELS[mode]
        lines.append(f"| {label} | {len(mine)} | " + " | ".join(cells) + " |")
    return lines


_MODE_LABELS = {
    "readiness": "vcp (readiness-driven)",
    "sequential": "sequential (ensure, then analyse)",
}


def _spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def stage_table(stages: list[Stage]) -> list[str]:
    lines = [
        "| stage | film s | wall s | x real time | samples/s | CPU s | CPU s per film hour "
        "| peak RSS MB | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in stages:
        rate = f"{s.samples / s.wall:.1f}" if s.samples else "-"
        per_hour = s.cpu * HOUR / s.media_seconds
        lines.append(
            f"| {s.name} | {s.media_seconds:.0f} | {s.wall:.1f} | {s.speed:.1f} | {rate} "
            f"| {s.cpu:.0f} | {per_hour:.0f} | {s.rss_mb:.0f} | {s.note} |"
        )
    return lines


def machine_info(args: argparse.Namespace, load: list[str]) -> list[str]:
    from importlib import metadata

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    packages = ("vcp", "av", "onnxruntime", "faster-whisper", "ctranslate2")
    return [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.system()} {platform.release()} {platform.machine()}, "
        f"{cores} usable cores (of {os.cpu_count()})",
        f"- python {platform.python_version()}; "
        + ", ".join(f"{p} {version(p)}" for p in packages),
        *(f"- load ({when}): {text}" for when, text in load),
    ]


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


# -- checks and the command line ---------------------------------------------------------------


def first_verdict(runs: list[FirstRun]) -> tuple[bool, str]:
    mine = [r for r in runs if r.mode == "readiness"]
    early = [r for r in mine if r.vision_first]
    ok = len(early) == len(mine)
    lead = [r.whisper_ready - r.first_vision for r in mine]
    return ok, (
        f"first vision detection before whisper finished downloading: {len(early)} of "
        f"{len(mine)} readiness-driven runs ({min(lead):.2f}-{max(lead):.2f} s earlier): "
        f"{'PASS' if ok else 'FAIL'}"
    )


def throughput_verdict(run: Stage) -> tuple[bool, str]:
    rss_ok = run.rss_mb < RSS_LIMIT_MB
    rss = f"peak RSS {run.rss_mb:.0f} MB (limit {RSS_LIMIT_MB:.0f}): {'PASS' if rss_ok else 'FAIL'}"
    if run.media_seconds < HOUR - 1:
        return rss_ok, f"speed {run.speed:.1f}x real time (the target is for 1 h); {rss}"
    fast = run.speed >= SPEED_TARGET
    verdict = "PASS" if fast else "FAIL"
    return fast and rss_ok, (
        f"speed {run.speed:.1f}x real time, {run.wall / 60:.1f} min for 1 h "
        f"(target {SPEED_TARGET:.0f}x, under 6 min): {verdict}; {rss}"
    )


def _env() -> dict[str, str]:
    """The parent's environment minus vcp's and the Hub's settings (each run sets its own)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "VCP_"))}
    return env | {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--work", type=Path, default=REPO_ROOT / ".bench" / "analyze", help="scratch folder")
    add("--quick", action="store_true", help="a 5-minute film, one run of each (smoke test)")
    add("--skip-first", action="store_true", help="skip the time-to-first-detection runs")
    add("--skip-long", action="store_true", help="skip the throughput runs")
    add("--film-seconds", type=float, help="film length (default 3600; 300 with --quick)")
    add("--fps", type=int, default=DEFAULT_FPS, help="film frame rate (default 10)")
    add("--component-seconds", type=float, default=DEFAULT_COMPONENT_SECONDS,
        help="seconds of film each stage alone reads (default 600)")  # fmt: skip
    add("--repeat", type=int, help="runs of each first-detection mode (default 3; 1 with --quick)")
    add("--rate-mb", type=float, default=DEFAULT_RATE_MB,
        help="cap per connection on whisper's model.bin, MB/s (default 1.5)")  # fmt: skip
    add("--variant", action="append", default=[], metavar="DETECTOR.KEY=VALUE[+...]",
        help="also run vcp analyze with this setting (repeatable)")  # fmt: skip
    add("--speech-variant", action="append", default=[], metavar="DETECTOR.KEY=VALUE",
        help="also run the speech stage alone with this setting (repeatable)")  # fmt: skip
    add("--base", metavar="DETECTOR.KEY=VALUE[+...]", help="changes for every run (as --variant)")
    add("--no-stages", action="store_true", help="no per-stage runs")
    add("--no-full", action="store_true", help="no full-length vcp analyze run")
    add("--variant-seconds", type=float, default=QUICK_SECONDS,
        help="film length for the --variant runs (default 300)")  # fmt: skip
    add("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds before giving up a run")
    args = parser.parse_args(argv)
    args.work = args.work.resolve()
    args.film_seconds = args.film_seconds or (QUICK_SECONDS if args.quick else HOUR)
    args.repeat = args.repeat or (1 if args.quick else 3)
    return args


def throughput(args: argparse.Namespace, work: Work) -> tuple[Stage | None, list[Stage]]:
    """The full-length run (None with ``--no-full``), then the variants and the stages alone."""
    film = make_film(work.film(args.film_seconds, args.fps), args.film_seconds, args.fps)
    asyncio.run(fill_models(work))
    full = None if args.no_full else _logged(analyze_film(film, work, None, args))
    stages = [full] if full else []
    if args.variant:  # on a shorter film, beside the default settings on that film
        seconds = min(args.variant_seconds, args.film_seconds)
        short = make_film(work.film(seconds, args.fps), seconds, args.fps)
        for variant in [None, *args.variant]:
            stages.append(_logged(analyze_film(short, work, variant, args)))
    if not args.no_stages:
        stages += _stages(film, work, args)
    return full, stages


def _stages(film: Path, work: Work, args: argparse.Namespace) -> list[Stage]:
    limit = min(args.component_seconds, args.film_seconds)
    stages = [_logged(component("decode", film, work, limit=args.film_seconds, args=args))]
    for kind in ("decode-decode", "decode-seek", "nudenet-detect", "nudenet", "speech"):
        stages.append(_logged(component(kind, film, work, limit=limit, args=args)))
    for v in args.speech_variant:
        stages.append(_logged(component("speech", film, work, limit=limit, variant=v, args=args)))
    return stages


def _logged(stage: Stage) -> Stage:
    print(
        f"  {stage.name}: {stage.media_seconds:.0f} s of film in {stage.wall:.1f} s "
        f"({stage.speed:.1f}x), {stage.cpu:.0f} CPU s, {stage.rss_mb:.0f} MB  [{load_average()}]",
        file=sys.stderr,
        flush=True,
    )
    return stage


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    work = Work(args.work)
    for folder in (work.root, work.runs, work.logs):
        folder.mkdir(parents=True, exist_ok=True)
    started, load, out, ok = time.perf_counter(), [("start", load_average())], [], True
    if not args.skip_first:
        runs = asyncio.run(time_to_first_detection(args, work))
        good, verdict = first_verdict(runs)
        out += ["### Time to first detection", "", *first_table(runs), "", verdict, ""]
        ok = ok and good
        load.append(("after first-detection runs", load_average()))
    if not args.skip_long:
        full, stages = throughput(args, work)
        good, verdict = throughput_verdict(full) if full else (True, "")
        out += ["### Throughput", "", *stage_table(stages), "", verdict, ""]
        ok = ok and good
        load.append(("after throughput runs", load_average()))
    print("\n".join([*out, *machine_info(args, load)]))
    print(f"\nbenchmark took {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["_measure"]:  # internal: the measuring wrapper (see measure())
        sys.exit(_measure_main(sys.argv[2], sys.argv[3], sys.argv[5:]))
    if sys.argv[1:2] == ["_first"]:  # internal: one time-to-first-detection run
        sys.exit(asyncio.run(_first_main(sys.argv[2], sys.argv[3])))
    if sys.argv[1:2] == ["_component"]:  # internal: one stage alone
        sys.exit(_component_main(*sys.argv[2:6]))
    sys.exit(main())
