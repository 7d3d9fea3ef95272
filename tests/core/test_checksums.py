"""Checksums: known vectors, git blob ids, parsing and user-facing messages, file hashing, ETags."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from vcp.core.checksums import (
    DEFAULT_ALGORITHM,
    HEX_LENGTHS,
    Checksum,
    Hasher,
    check_hex,
    checksum_from_etag,
    hash_file,
)

SHA256_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
SHA256_HELLO = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
GIT_HELLO = "b6fc4c620b67d95f953a5c1c1230aaab5db5a1b0"

VECTORS = [
    ("sha256", b"", SHA256_EMPTY),
    ("sha256", b"hello", SHA256_HELLO),
    ("sha1", b"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    ("sha1", b"hello", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
    ("md5", b"", "d41d8cd98f00b204e9800998ecf8427e"),
    ("md5", b"hello", "5d41402abc4b2a76b9719d911017c592"),
    (
        "sha512",
        b"",
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
        "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
    ),
    (
        "sha512",
        b"hello",
        "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca7"
        "2323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043",
    ),
    (
        "blake2b",
        b"",
        "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419"
        "d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce",
    ),
    (
        "blake2b",
        b"hello",
        "e4cfa39a3d37be31c59609e807970799caa68a19bfaa15135f165085e01d41a6"
        "5ba1e1b146aeb6bd0092b49eac214c103ccfa3a365954bbbe52f74a2b3620c94",
    ),
    # git's ids for an empty blob and for "hello" (no newline), as `git hash-object` prints them
    ("git-sha1", b"", "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"),
    ("git-sha1", b"hello", GIT_HELLO),
]


def _hash(algorithm: str, data: bytes) -> Hasher:
    hasher = Hasher(algorithm, size=len(data))
    hasher.update(data)
    return hasher


# -- Hasher --------------------------------------------------------------------------------------


def test_vectors_cover_every_algorithm() -> None:
    assert {algorithm for algorithm, _, _ in VECTORS} == set(HEX_LENGTHS)


@pytest.mark.parametrize(("algorithm", "data", "expected"), VECTORS)
def test_known_vectors(algorithm: str, data: bytes, expected: str) -> None:
    hasher = _hash(algorithm, data)
    assert hasher.hexdigest() == expected
    assert len(expected) == HEX_LENGTHS[algorithm]
    assert hasher.checksum() == Checksum(algorithm, expected)


@pytest.mark.parametrize("algorithm", sorted(HEX_LENGTHS))
def test_incremental_updates_equal_one_shot(algorithm: str) -> None:
    data = bytes(range(256)) * 40
    hasher = Hasher(algorithm, size=len(data))
    for i in range(0, len(data), 777):
        hasher.update(memoryview(data)[i : i + 777])
    assert hasher.hexdigest() == _hash(algorithm, data).hexdigest()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize("data", [b"", b"hello\n", b"\x00\xff binary \r\n" * 1000])
def test_git_sha1_matches_git_hash_object(data: bytes) -> None:
    git = subprocess.run(
        ["git", "hash-object", "--stdin"], input=data, capture_output=True, check=True, timeout=30
    )
    assert _hash("git-sha1", data).hexdigest() == git.stdout.decode().strip()


def test_git_sha1_needs_the_size_up_front() -> None:
    with pytest.raises(ValueError, match="git-sha1 needs the file size"):
        Hasher("git-sha1")


def test_hasher_rejects_unknown_algorithm_with_the_known_list() -> None:
    with pytest.raises(ValueError, match=r"unknown algorithm 'sha3'; use one of sha256, sha1"):
        Hasher("sha3")


# -- Checksum.parse / check_hex ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SHA256_HELLO, Checksum("sha256", SHA256_HELLO)),
        (f"sha256:{SHA256_HELLO}", Checksum("sha256", SHA256_HELLO)),
        (SHA256_HELLO.upper(), Checksum("sha256", SHA256_HELLO)),
        (f"SHA256:{SHA256_HELLO.upper()}", Checksum("sha256", SHA256_HELLO)),
        (f"  sha256:{SHA256_HELLO}\n", Checksum("sha256", SHA256_HELLO)),
        (f"git-sha1:{GIT_HELLO}", Checksum("git-sha1", GIT_HELLO)),
        (
            "md5:5D41402ABC4B2A76B9719D911017C592",
            Checksum("md5", "5d41402abc4b2a76b9719d911017c592"),
        ),
    ],
)
def test_parse_accepts_prefixed_bare_and_uppercase(text: str, expected: Checksum) -> None:
    assert Checksum.parse(text) == expected


def test_parse_bare_hex_uses_the_default_algorithm() -> None:
    assert DEFAULT_ALGORITHM == "sha256"
    sha1 = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"
    assert Checksum.parse(sha1, default_algorithm="sha1") == Checksum("sha1", sha1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abcdef012345", "expected 64 hex digits for sha256, got 12"),
        (f"sha1:{SHA256_HELLO}", "expected 40 hex digits for sha1, got 64"),
        (
            f"sha3:{SHA256_HELLO}",
            "unknown algorithm 'sha3'; use one of sha256, sha1, sha512, md5, blake2b, git-sha1",
        ),
        ("z" * 64, "not a hex string"),
        (f"sha256:{SHA256_HELLO[:-1]}g", "not a hex string"),
        ("sha256:", "empty digest for sha256"),
        ("", "empty digest for sha256"),
    ],
)
def test_parse_rejects_with_a_user_ready_message(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Checksum.parse(text)


def test_str_round_trips() -> None:
    checksum = Checksum.parse(SHA256_HELLO.upper())
    assert str(checksum) == f"sha256:{SHA256_HELLO}"
    assert Checksum.parse(str(checksum)) == checksum


def test_direct_construction_normalises_so_spellings_compare_equal() -> None:
    assert Checksum("sha256", SHA256_HELLO.upper()) == Checksum("sha256", SHA256_HELLO)
    with pytest.raises(ValueError, match="expected 64 hex digits"):
        Checksum("sha256", "abc")


def test_check_hex_returns_the_lowercased_digest() -> None:
    assert (
        check_hex("md5", "D41D8CD98F00B204E9800998ECF8427E") == "d41d8cd98f00b204e9800998ecf8427e"
    )


def test_checksum_is_frozen() -> None:
    checksum = Checksum("sha256", SHA256_EMPTY)
    with pytest.raises(AttributeError):
        checksum.hexdigest = SHA256_HELLO  # type: ignore[misc]


# -- hash_file -----------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["sha256", "md5", "blake2b"])
def test_hash_file_over_many_chunks_equals_hashlib(tmp_path: Path, algorithm: str) -> None:
    data = bytes(range(251)) * 1000  # 251 000 bytes: not a multiple of the chunk size
    path = tmp_path / "model.bin"
    path.write_bytes(data)
    got = hash_file(path, algorithm, chunk_size=4096)
    assert got == Checksum(algorithm, hashlib.new(algorithm, data).hexdigest())


def test_hash_file_git_sha1_takes_the_size_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_bytes(b"hello")
    assert hash_file(path, "git-sha1", chunk_size=2) == Checksum("git-sha1", GIT_HELLO)


def test_hash_file_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.touch()
    assert hash_file(path, "sha256") == Checksum("sha256", SHA256_EMPTY)


def test_hash_file_missing_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        hash_file(tmp_path / "nope", "sha256")


# -- ETags ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("etag", "expected"),
    [
        (f'"{SHA256_HELLO}"', Checksum("sha256", SHA256_HELLO)),
        (SHA256_HELLO, Checksum("sha256", SHA256_HELLO)),
        (f'W/"{SHA256_HELLO}"', Checksum("sha256", SHA256_HELLO)),
        (f'"{SHA256_HELLO.upper()}"', Checksum("sha256", SHA256_HELLO)),
        (f'"{GIT_HELLO}"', Checksum("git-sha1", GIT_HELLO)),
        (f'W/"{GIT_HELLO}"', Checksum("git-sha1", GIT_HELLO)),
        (None, None),
        ("", None),
        ('""', None),
        ('"5f3e-61a2b4c8"', None),  # nginx-style mtime-size tag
        ('W/"0815"', None),
        (f'"{"g" * 64}"', None),  # right length, not hex
        (f'"{SHA256_HELLO}00"', None),  # 66 hex digits: neither hash
        ('"d41d8cd98f00b204e9800998ecf8427e"', None),  # S3-style md5 is not a Hub identity
    ],
)
def test_checksum_from_etag(etag: str | None, expected: Checksum | None) -> None:
    assert checksum_from_etag(etag) == expected
