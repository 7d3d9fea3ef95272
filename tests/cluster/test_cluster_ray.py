"""Films analysed on a real Ray cluster on this machine (tests/cluster/conftest.py), with models
from the loopback mirror: the reports are the ones a single-machine run writes, each node
downloads and loads the models once, a worker killed mid-film loses no film, and neither does a
node that leaves (the last test: it stops the module's second node)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest
from vcp_testing.analysis import SAMPLE, config_data, write_config
from vcp_testing.cli import Run
from vcp_testing.ray_cluster import LocalCluster

from vcp.cluster import (
    ClusterEvent,
    ClusterReady,
    NodeClosed,
    NodeFilmFinished,
    NodeFilmRequeued,
    NodeFilmStarted,
    analyze_on_cluster,
)
from vcp.config import Settings
from vcp.mirror import MirrorServer

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("restore_logging")]
WEIGHTS = ("/model.bin", "/320n.onnx")  # the two default models' large files


def films(folder: Path, names: str = "abc") -> list[Path]:
    folder.mkdir()
    for name in names:
        shutil.copyfile(SAMPLE, folder / f"{name}.mp4")
    return sorted(folder.glob("*.mp4"))


def comparable(report: Path) -> dict[str, Any]:
    """A report's JSON without what differs between two runs of the same film under other names
    at other times: the file's name and path, when it was written, and the copy's time."""
    data = json.loads(report.read_text())
    del data["input"]["path"], data["input"]["name"], data["vcp"]["created"]
    del data["inference"]["fingerprint"]["mtime_ns"]
    return data


def inference_of(report: Path) -> dict[str, Any]:
    """Each detector's stored inference in a report, by detector name."""
    stored = json.loads(report.read_text())["inference"]["detectors"]
    return {entry["name"]: entry for entry in stored}


async def test_reports_equal_a_single_machine_run_and_models_come_once_per_node(
    ray_cluster: LocalCluster, default_mirror: MirrorServer, tmp_path: Path, vcp: Run
) -> None:
    config = write_config(tmp_path / "vcp.yaml", config_data(default_mirror.url, tmp_path / "c"))
    videos = films(tmp_path / "films")
    on_cluster = await vcp(
        "analyze", tmp_path / "films", "--cluster", ray_cluster.address, "--download-models",
        "-c", config,
    )  # fmt: skip
    assert on_cluster.returncode == 0, on_cluster.stderr
    # each node fetched each model once from the mirror, into its own cache, for three films
    for weights in WEIGHTS:
        copies = [next(c.glob(f"models--*/snapshots/*{weights}")) for c in ray_cluster.caches]
        assert default_mirror.stats.bytes_for(weights) == sum(p.stat().st_size for p in copies)
    assert "total: 3/3 films, 0.01/0.01 h of film" in on_cluster.stderr
    assert on_cluster.stdout.count(".vcp.json") == 3

    single = tmp_path / "single" / "sample.mp4"
    single.parent.mkdir()
    shutil.copyfile(SAMPLE, single)
    alone = await vcp("analyze", single, "--download-models", "-c", config)
    assert alone.returncode == 0, alone.stderr
    expected = comparable(single.with_suffix(".vcp.json"))
    assert expected["segments"], "the sample has segments to compare"
    for video in videos:
        assert comparable(video.with_suffix(".vcp.json")) == expected, video.name

    # run again: every report is current, decided at the driver; no film goes to a node
    before = {v: v.with_suffix(".vcp.json").read_bytes() for v in videos}
    again = await vcp("analyze", tmp_path / "films", "--cluster", ray_cluster.address, "-c", config)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1] == "3 current, 0 analysed, 0 failed"
    assert "cluster " not in again.stderr  # the cluster was not even joined
    assert {v: v.with_suffix(".vcp.json").read_bytes() for v in videos} == before


async def test_a_changed_inference_setting_runs_only_its_detector_on_the_nodes(
    ray_cluster: LocalCluster, default_mirror: MirrorServer, tmp_path: Path
) -> None:
    data = config_data(default_mirror.url, tmp_path / "c")
    videos = films(tmp_path / "films", "ab")
    reports = {video: video.with_suffix(".vcp.json") for video in videos}
    first = analyze_on_cluster(
        Settings.model_validate(data), videos, cluster=ray_cluster.address, report_paths=reports,
        offline=False,
    )  # fmt: skip
    assert [r.outcome async for r in first] == ["analysed", "analysed"]
    before = {video: inference_of(report) for video, report in reports.items()}

    data["processing"]["frame_interval_seconds"] = 0.5  # NudeNet's inference only
    events: list[ClusterEvent] = []
    again = analyze_on_cluster(
        Settings.model_validate(data), videos, cluster=ray_cluster.address, report_paths=reports,
        offline=False, on_event=events.append,
    )  # fmt: skip
    assert [r.outcome async for r in again] == ["analysed", "analysed"]
    closed = [e for e in events if isinstance(e, NodeClosed)]
    assert closed and sum(e.loads for e in closed) == len(closed)  # NudeNet alone, per node
    for video, report in reports.items():
        stored = inference_of(report)
        assert stored["profanity"] == before[video]["profanity"]  # whisper's words kept
        assert stored["nudity"]["frames"] != before[video]["nudity"]["frames"]  # twice the frames


async def test_a_worker_killed_mid_film_loses_no_film(
    ray_cluster: LocalCluster, default_mirror: MirrorServer, tmp_path: Path
) -> None:
    settings = Settings.model_validate(config_data(default_mirror.url, tmp_path / "c"))
    videos = films(tmp_path / "films", "abcd")
    events: list[ClusterEvent] = []
    killed: list[int] = []

    def on_event(event: ClusterEvent) -> None:
        # The first node to finish a film gets the next one: kill its worker during that film.
        events.append(event)
        done = [e for e in events if isinstance(e, NodeFilmFinished)]
        if killed or len(done) != 1 or not isinstance(event, NodeFilmStarted):
            return
        if event.node == done[0].node and done[0].pid is not None:
            asyncio.get_running_loop().call_later(0.1, os.kill, done[0].pid, signal.SIGKILL)
            killed.append(done[0].pid)

    reports = {v: v.with_suffix(".vcp.json") for v in videos}
    run = analyze_on_cluster(
        settings, videos, cluster=ray_cluster.address, report_paths=reports, offline=False,
        on_event=on_event,
    )  # fmt: skip
    results = [result async for result in run]
    assert killed, "no worker was killed"
    assert sorted(r.path for r in results) == videos
    assert all(r.ok for r in results), [r.error for r in results]
    assert all(path.is_file() for path in reports.values())
    # The killed worker finished one film; the film it was killed in was run again by Ray, on
    # the same node (its actor is pinned there), in a new worker process.
    finished = [e for e in events if isinstance(e, NodeFilmFinished)]
    assert [e.pid for e in finished].count(killed[0]) == 1
    node = finished[0].node
    second = [e.film for e in events if isinstance(e, NodeFilmStarted) and e.node == node][1]
    again = next(e for e in finished if e.film == second)
    assert (again.node, again.ok) == (node, True) and again.pid not in (None, killed[0])
    assert len([e for e in events if isinstance(e, NodeClosed)]) == 2


async def test_a_node_that_leaves_mid_film_hands_its_film_to_the_other(
    ray_cluster: LocalCluster, default_mirror: MirrorServer, tmp_path: Path
) -> None:
    settings = Settings.model_validate(config_data(default_mirror.url, tmp_path / "c"))
    videos = films(tmp_path / "films", "abcd")
    events: list[ClusterEvent] = []

    def on_event(event: ClusterEvent) -> None:
        # Both nodes have started their first film: stop the worker node (not the head) in it.
        events.append(event)
        started = [e for e in events if isinstance(e, NodeFilmStarted)]
        if isinstance(event, NodeFilmStarted) and len(started) == 2:
            assert not any(isinstance(e, NodeFilmFinished) for e in events), "films too short"
            asyncio.get_running_loop().call_later(0.1, ray_cluster.remove_a_worker_node)

    run = analyze_on_cluster(
        settings, videos, cluster=ray_cluster.address, offline=False, on_event=on_event
    )
    results = [result async for result in run]
    ready = next(e for e in events if isinstance(e, ClusterReady))
    assert len(ready.nodes) == 2, "this test needs the module's two nodes"
    assert sorted(r.path for r in results) == videos
    assert all(r.ok for r in results), [r.error for r in results]
    (requeued,) = [e for e in events if isinstance(e, NodeFilmRequeued)]
    (stayed,) = set(ready.nodes) - {requeued.node}
    finished = {e.film: e for e in events if isinstance(e, NodeFilmFinished)}
    assert finished[requeued.film].node == stayed
    assert [e.node for e in events if isinstance(e, NodeClosed)] == [stayed]
