"""vcp.models.planning.checks: a plan's pins and sizes against what the Hub or a server says."""

from __future__ import annotations

import pytest

from vcp.core.checksums import Checksum
from vcp.errors import IntegrityError, ModelError, ModelUnavailable, PinMismatch
from vcp.models.hub.api import HubFile, RepoSnapshot
from vcp.models.planning.checks import (
    check_listed_pin,
    check_pin,
    check_size,
    none_worked,
    unverifiable,
)
from vcp.models.planning.specs import FileSpec, RemoteFile

A = Checksum.parse("sha256:" + "a" * 64)
B = Checksum.parse("sha256:" + "b" * 64)
SHA1 = Checksum.parse("git-sha1:" + "c" * 40)
COMMIT = "d" * 40


def spec(pinned: Checksum | None = A, size: int | None = None) -> FileSpec:
    url = "http://127.0.0.1:9/acme/x/resolve/main/model.bin"
    return FileSpec("speech", "model.bin", url, "models--acme--x", pinned, size, hub=True)


def remote(etag: str | None, size: int | None = 10) -> RemoteFile:
    return RemoteFile("http://127.0.0.1:9/blob", size, etag, COMMIT, accepts_ranges=True)


def snapshot(entry: HubFile) -> RepoSnapshot:
    return RepoSnapshot("acme/x", "main", COMMIT, (entry,), fetched_at=0.0)


def test_a_listing_that_disagrees_with_the_pin_names_both_and_the_commit() -> None:
    entry = HubFile("model.bin", 10, B, lfs=True)
    with pytest.raises(PinMismatch) as caught:
        check_listed_pin(spec(), entry, snapshot(entry))
    error = caught.value
    assert error.expected == str(A) and str(B) in error.got and COMMIT[:12] in error.got
    assert (error.model, error.file) == ("speech", "model.bin")
    assert "vcp models pin" in (error.hint or "")


def test_a_listing_that_agrees_or_uses_another_algorithm_passes() -> None:
    check_listed_pin(
        spec(), HubFile("model.bin", 10, A, lfs=True), snapshot(HubFile("m", 1, A, lfs=True))
    )
    check_listed_pin(
        spec(), HubFile("model.bin", 10, SHA1, lfs=False), snapshot(HubFile("m", 1, A, lfs=True))
    )
    check_listed_pin(
        spec(pinned=None),
        HubFile("model.bin", 10, B, lfs=True),
        snapshot(HubFile("m", 1, A, lfs=True)),
    )


def test_a_server_etag_that_disagrees_with_the_pin_is_a_pin_mismatch() -> None:
    with pytest.raises(PinMismatch, match="the server's ETag"):
        check_pin(spec(), remote(B.hexdigest))
    check_pin(spec(), remote(A.hexdigest))
    check_pin(spec(), remote('W/"not-a-hash"'))  # an ETag that is no content hash says nothing


def test_sizes_are_compared_only_when_both_are_known() -> None:
    with pytest.raises(IntegrityError, match="size mismatch"):
        check_size(spec(size=11), remote(None, size=10))
    check_size(spec(size=None), remote(None, size=10))
    check_size(spec(size=10), remote(None, size=None))


def test_an_unverifiable_file_says_how_to_pin_or_accept_it() -> None:
    error = unverifiable(spec(pinned=None))
    assert isinstance(error, ModelError) and "could not be verified" in str(error)
    assert "allow_unverified" in (error.hint or "") and "model.bin" in (error.hint or "")


def test_one_failed_source_is_its_own_error_several_are_summed_up() -> None:
    only = ModelError("gone", model="speech", file="model.bin", hint="h1")
    assert none_worked("speech", [("speech", only)]) is only
    other = ModelError("offline", model="mirror", hint="h2")
    error = none_worked("speech", [("speech", only), ("mirror", other)])
    assert isinstance(error, ModelUnavailable)
    assert "tried 2" in str(error) and "speech: model.bin: gone" in str(error)
    assert "mirror: offline" in str(error) and error.hint == "h1 / h2"
