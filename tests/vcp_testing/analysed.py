"""The sample film with the report `vcp analyze` really wrote for it (the docs show its outputs).

tests/fixtures/sample.vcp.json is the report of `make demo`: `vcp analyze
tests/fixtures/sample.mp4` with the built-in configuration and the default models (copy
.demo/sample.vcp.json after `make sample` changes the film; tests/docs/test_export_docs.py says
when it is stale). Unlike the hand-written report of ``vcp_testing.reports``, it holds what a user
gets: four words, no picture (NudeNet finds no nudity in the sample).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLE = FIXTURES / "sample.mp4"
REPORT = FIXTURES / "sample.vcp.json"


def analysed_film(folder: Path, name: str = "movie.mp4") -> tuple[Path, Path]:
    """A copy of the sample as ``folder/name`` and the committed real report beside it, as
    `vcp analyze` names it (``<stem>.vcp.json``), its input renamed to the copy."""
    folder.mkdir(parents=True, exist_ok=True)
    video = folder / name
    shutil.copyfile(SAMPLE, video)
    data = json.loads(REPORT.read_text(encoding="utf-8"))
    data["input"].update(path=str(video.resolve()), name=video.name)
    report = video.with_name(f"{video.stem}.vcp.json")
    report.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return video, report
