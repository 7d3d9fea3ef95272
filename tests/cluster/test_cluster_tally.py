"""The pure parts of a cluster run: which cluster --cluster names, the driver's tally and ETA,
a node's settings, and the progress lines the CLI prints."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from vcp.cli.progress.cluster import ClusterView, node_line, total_line
from vcp.cluster import ClusterProgress, ClusterReady, ClusterTally, NodeFilmFinished, parse_target
from vcp.cluster.node_settings import settings_for_node
from vcp.config import Settings
from vcp.errors import UsageError

A, B, C = Path("/films/a.mkv"), Path("/films/b.mkv"), Path("/films/c.mkv")


@pytest.mark.parametrize(
    ("text", "kind", "loopback"),
    [
        ("auto", "auto", False),
        ("local", "local", True),
        ("ray://10.0.0.5:10001", "address", False),
        ("10.0.0.5:6379", "address", False),
        ("127.0.0.1:6379", "address", True),
        ("ray://localhost:10001", "address", True),
        ("head.lan:6379", "address", False),
    ],
)
def test_cluster_targets(text: str, kind: str, loopback: bool) -> None:
    target = parse_target(text)
    assert (target.kind, target.on_loopback) == (kind, loopback)
    assert str(target) == text


@pytest.mark.parametrize("text", ["", "somewhere", "ray://host", "host:0", "host:70000", "a b:1"])
def test_a_cluster_that_is_no_address_is_a_usage_error_with_the_forms(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_target(text)
    assert "ray://HOST:PORT" in (caught.value.hint or "")


def test_the_tally_counts_films_and_hours_per_node_and_estimates_the_rest() -> None:
    tally = ClusterTally({A: 3600.0, B: 1800.0, C: 1800.0}, started_at=100.0)
    tally.add_nodes(["n1", "n2"])
    assert tally.totals(100.0).eta_seconds is None  # no rate yet
    tally.started(A, "n1")
    tally.started(B, "n2")
    assert [line.running for line in tally.lines()] == [("a.mkv",), ("b.mkv",)]
    tally.finished(B, "n2", ok=True)
    tally.started(C, "n2")
    tally.finished(C, "n2", ok=False)
    total = tally.totals(130.0)  # 1 h of film in 30 s: the last hour takes 30 s more
    assert (total.films, total.films_total, total.failed) == (2, 3, 1)
    assert (total.seconds, total.seconds_total) == (3600.0, 7200.0)
    assert total.eta_seconds == pytest.approx(30.0)
    n1, n2 = tally.lines()
    assert (n1.films, n1.running, n2.films, n2.failed, n2.seconds) == (0, ("a.mkv",), 2, 1, 3600)
    tally.finished(A, "n1", ok=True)
    assert tally.totals(140.0).eta_seconds == 0.0


def test_a_film_that_leaves_a_lost_node_is_no_longer_running_there() -> None:
    tally = ClusterTally({A: 10.0}, started_at=0.0)
    tally.started(A, "n1")
    tally.requeued(A, "n1")
    tally.started(A, "n2")
    assert [(line.node, line.running) for line in tally.lines()] == [
        ("n1", ()),
        ("n2", ("a.mkv",)),
    ]


def test_progress_lines_name_each_node_and_the_total() -> None:
    tally = ClusterTally({A: 5400.0, B: 1800.0}, started_at=0.0)
    tally.add_nodes(["vm (1a2b3c4d)"])
    tally.started(A, "vm (1a2b3c4d)")
    tally.finished(A, "vm (1a2b3c4d)", ok=True)
    tally.started(B, "vm (1a2b3c4d)")
    (line,) = tally.lines()
    assert node_line(line) == "  vm (1a2b3c4d): 1 film, 1.50 h of film; now: b.mkv"
    assert total_line(tally.totals(600.0)) == (
        "  total: 1/2 films, 1.50/2.00 h of film, 0:10:00 so far, ETA 0:03:20"
    )


def test_the_view_writes_the_lines_when_a_film_finishes_and_nothing_when_quiet() -> None:
    tally = ClusterTally({A: 60.0}, started_at=0.0)
    tally.add_nodes(["n1"])
    out, quiet = io.StringIO(), io.StringIO()
    for view in (ClusterView(out), ClusterView(quiet, quiet=True)):
        view(ClusterReady("local", ("n1",)))
        view(ClusterProgress(tally.lines(), tally.totals(0.0)))
        view(ClusterProgress(tally.lines(), tally.totals(1.0)))  # nothing new: not written again
        tally.finished(A, "n1", ok=False)
        view(NodeFilmFinished(A, "n1", ok=False, error="boom"))
        view(ClusterProgress(tally.lines(), tally.totals(2.0)))
    lines = out.getvalue().splitlines()
    assert lines[0] == "cluster local: 1 node"
    assert lines.count("  n1: 0 films, 0.00 h of film") == 1
    assert "a.mkv: failed on n1" in lines
    assert lines[-1].startswith("  total: 1/1 films, 0.02/0.02 h of film, 1 failed")
    assert quiet.getvalue() == ""


def test_a_node_uses_its_own_mirror_and_cache_and_the_driver_s_analysis_settings() -> None:
    settings = Settings.load()
    env = {"HF_ENDPOINT": "http://mirror.lan:8080/", "VCP_MODELS__CACHE_DIR": "/srv/vcp-cache"}
    node = settings_for_node(settings, env)
    assert node.models.hub.endpoint == "http://mirror.lan:8080"
    assert node.models.cache_dir == Path("/srv/vcp-cache")
    assert node.detectors == settings.detectors and node.actions == settings.actions
    assert settings_for_node(settings, {}) is settings
