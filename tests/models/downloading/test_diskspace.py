"""Disk space is checked before a byte moves, at the nearest directory that exists."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from vcp.errors import DiskSpaceError, ModelError
from vcp.models.downloading.diskspace import check_disk_space, existing_ancestor, required_bytes


def _usage(free: int, seen: list[Path] | None = None) -> Callable[[Path], shutil._ntuple_diskusage]:
    def usage(path: Path) -> shutil._ntuple_diskusage:
        if seen is not None:
            seen.append(path)
        return shutil._ntuple_diskusage(10 * free + 1, 9 * free + 1, free)

    return usage


@pytest.mark.parametrize(
    ("pending", "factor", "expected"),
    [
        (0, 1.1, 0),
        (100, 1.0, 100),
        (100, 1.1, 110),  # not 111: float error must not refuse a disk that is exactly enough
        (1, 1.1, 2),
        (3, 1.5, 5),
        (75_537_502, 1.2, 90_645_003),
        (10**12, 2.0, 2 * 10**12),
        (10**18 + 1, 1.1, 11 * 10**17 + 2),
    ],
)
def test_required_bytes_rounds_up(pending: int, factor: float, expected: int) -> None:
    assert required_bytes(pending, factor) == expected


@pytest.mark.parametrize(
    ("pending", "factor"), [(-1, 1.0), (10, -0.5), (10, float("nan")), (10, float("inf"))]
)
def test_required_bytes_rejects_negatives(pending: int, factor: float) -> None:
    with pytest.raises(ValueError, match="pending_bytes >= 0"):
        required_bytes(pending, factor)


def test_sufficient_space_passes(tmp_path: Path) -> None:
    check_disk_space(tmp_path, pending_bytes=1000, factor=1.1, usage=_usage(10_000))


def test_exactly_enough_passes(tmp_path: Path) -> None:
    check_disk_space(tmp_path, pending_bytes=1000, factor=1.1, usage=_usage(1100))


def test_one_byte_short_raises_with_the_numbers(tmp_path: Path) -> None:
    with pytest.raises(DiskSpaceError) as info:
        check_disk_space(
            tmp_path, pending_bytes=1000, factor=1.1, usage=_usage(1099), model="org/model"
        )
    error = info.value
    assert (error.required, error.available, error.path) == (1100, 1099, tmp_path)
    assert error.model == "org/model"
    assert "not enough disk space" in str(error)
    assert str(tmp_path) in str(error)
    assert error.hint and "cache_dir" in error.hint
    assert isinstance(error, ModelError)


def test_large_shortfall_message_is_in_megabytes(tmp_path: Path) -> None:
    with pytest.raises(DiskSpaceError, match=r"3,000\.0 MB needed, 500\.0 MB free"):
        check_disk_space(
            tmp_path, pending_bytes=1_500_000_000, factor=2.0, usage=_usage(500_000_000)
        )


@pytest.mark.parametrize("factor", [1.0, 0.0])
def test_nothing_pending_never_raises_nor_measures(tmp_path: Path, factor: float) -> None:
    seen: list[Path] = []
    check_disk_space(tmp_path, pending_bytes=0, factor=factor, usage=_usage(0, seen))
    check_disk_space(tmp_path, pending_bytes=10, factor=0.0, usage=_usage(0, seen))
    assert seen == []


def test_missing_cache_dir_is_measured_at_its_nearest_parent(tmp_path: Path) -> None:
    cache = tmp_path / "not" / "yet" / "cache"
    seen: list[Path] = []
    with pytest.raises(DiskSpaceError) as info:
        check_disk_space(cache, pending_bytes=10, factor=1.0, usage=_usage(5, seen))
    assert seen == [tmp_path]
    assert info.value.path == cache  # the user is told about the directory they configured


def test_default_usage_is_the_real_disk(tmp_path: Path) -> None:
    check_disk_space(tmp_path / "cache", pending_bytes=1, factor=1.0)


def test_existing_ancestor(tmp_path: Path) -> None:
    assert existing_ancestor(tmp_path) == tmp_path
    assert existing_ancestor(tmp_path / "a" / "b") == tmp_path
    (tmp_path / "a").mkdir()
    assert existing_ancestor(tmp_path / "a" / "b" / "c") == tmp_path / "a"


def test_existing_ancestor_below_a_regular_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    assert existing_ancestor(tmp_path / "file" / "sub") == tmp_path / "file"


def test_existing_ancestor_of_a_relative_path_ends_at_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert existing_ancestor(Path("no/such/dir")) == Path(".")
