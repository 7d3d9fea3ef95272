"""``vcp analyze --cluster`` before any Ray: without the extra it says how to install it, and a
value that names no cluster is a usage error."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from vcp_testing.cli import Result


def test_without_ray_the_cluster_option_says_how_to_install_it(
    run: Callable[..., Result], film: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails as if it were not installed
    video, report = film
    before = report.read_bytes()
    result = run("analyze", video, "--cluster", "local")
    assert result.returncode == 1
    assert "needs Ray, which is not installed" in result.stderr
    assert "pip install 'vcp[ray]'" in result.stderr
    assert report.read_bytes() == before  # nothing was analysed or written


def test_a_cluster_that_is_no_address_is_refused_with_the_forms(
    run: Callable[..., Result], film: tuple[Path, Path]
) -> None:
    video, _ = film
    result = run("analyze", video, "--cluster", "my-cluster")
    assert result.returncode == 2
    assert "--cluster 'my-cluster' is not a Ray cluster" in result.stderr
    assert "ray://HOST:PORT" in result.stderr
