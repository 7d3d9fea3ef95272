"""A film's fingerprint changes when its content does, and only then (its time aside)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from vcp.core.fingerprint import BLOCK_SIZE, Fingerprint, fingerprint


def _film(path: Path, size: int) -> Path:
    path.write_bytes(bytes(i * 7 % 251 for i in range(size)))
    return path


def test_a_copy_matches_and_a_touched_file_is_not_unchanged(tmp_path: Path) -> None:
    film = _film(tmp_path / "film.mkv", 5 * 1024 * 1024)
    before = fingerprint(film)
    copy = tmp_path / "copy.mkv"
    shutil.copyfile(film, copy)
    os.utime(copy, ns=(before.mtime_ns + 10**9, before.mtime_ns + 10**9))
    after = fingerprint(copy)
    assert after.matches(before) and not after.unchanged(before)
    assert fingerprint(film).unchanged(before)


def test_a_changed_sampled_block_or_size_is_another_film(tmp_path: Path) -> None:
    film = _film(tmp_path / "film.mkv", 5 * 1024 * 1024)
    before = fingerprint(film)
    with open(film, "r+b") as fh:  # the last block is always sampled
        fh.seek(-10, os.SEEK_END)
        fh.write(b"re-encoded")
    assert not fingerprint(film).matches(before)
    with open(film, "ab") as fh:
        fh.write(b"x")
    assert fingerprint(film).size == before.size + 1


def test_a_small_file_is_read_whole(tmp_path: Path) -> None:
    film = _film(tmp_path / "tiny.mp4", BLOCK_SIZE * 3 + 5)
    before = fingerprint(film)
    data = bytearray(film.read_bytes())
    data[BLOCK_SIZE + 1] ^= 0xFF  # any byte of a small file counts
    film.write_bytes(bytes(data))
    assert not fingerprint(film).matches(before)


def test_it_round_trips_through_json(tmp_path: Path) -> None:
    print_ = fingerprint(_film(tmp_path / "film.mkv", 1000))
    assert Fingerprint.from_json(print_.to_json()) == print_
    assert print_.sample.startswith("blake2b-128:")
