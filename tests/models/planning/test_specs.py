"""vcp.models.planning.specs: from a configured source to the files to fetch (pure)."""

from __future__ import annotations

import pytest
from vcp_testing.hub import hf_source

from vcp.config.schema import ModelSource
from vcp.core.checksums import Checksum
from vcp.errors import UnsafePathError
from vcp.models.hub.api import HubFile
from vcp.models.planning.specs import file_specs, listed_specs

ENDPOINT = "http://127.0.0.1:9"
COMMIT = "c" * 40
SHA = "sha256:" + "a" * 64


def source(files: list[str], **extra: object) -> ModelSource:
    return ModelSource.model_validate(hf_source("speech", "acme/speech", files, **extra))


def test_hub_files_become_resolve_urls_in_the_repo_folder_with_their_pins() -> None:
    specs = file_specs(
        source(["model.bin", "sub/vocab.txt"], checksums={"model.bin": SHA}), endpoint=ENDPOINT
    )
    assert [s.url for s in specs] == [
        f"{ENDPOINT}/acme/speech/resolve/main/model.bin",
        f"{ENDPOINT}/acme/speech/resolve/main/sub/vocab.txt",
    ]
    assert {s.folder for s in specs} == {"models--acme--speech"}
    assert specs[0].pinned == Checksum.parse(SHA) and specs[1].pinned is None
    assert all(s.hub and s.revision == "main" and s.size is None for s in specs)


def test_a_url_source_is_one_file_in_its_own_folder() -> None:
    src = ModelSource.model_validate(
        {
            "name": "det",
            "url": "http://127.0.0.1:9/files/det.onnx",
            "checksum": "b" * 64,
            "size": 12,
        }
    )
    [spec] = file_specs(src, endpoint=ENDPOINT)
    assert (spec.name, spec.folder, spec.size, spec.hub) == ("det.onnx", "url--det", 12, False)
    assert spec.url == "http://127.0.0.1:9/files/det.onnx"
    assert spec.pinned == Checksum.parse("sha256:" + "b" * 64)


def test_patterns_need_a_listing() -> None:
    with pytest.raises(ValueError, match="literal names"):
        file_specs(source(["*.bin"]), endpoint=ENDPOINT)


def test_a_listing_fixes_the_commit_sizes_and_blob_names() -> None:
    listed = [HubFile("model.bin", 42, Checksum.parse(SHA), lfs=True)]
    [spec] = listed_specs(source(["*.bin"]), listed, endpoint=ENDPOINT, commit=COMMIT)
    assert spec.url == f"{ENDPOINT}/acme/speech/resolve/{COMMIT}/model.bin"
    assert (spec.revision, spec.size, spec.etag) == (COMMIT, 42, "a" * 64)


def test_a_name_that_escapes_the_repo_is_refused_before_any_url_is_built() -> None:
    src = source(["model.bin"])
    assert src.hf is not None
    # Past the schema's own check, as a listing from a hostile server would be.
    unsafe = src.model_copy(update={"hf": src.hf.model_copy(update={"files": ("../x",)})})
    with pytest.raises(UnsafePathError):
        file_specs(unsafe, endpoint=ENDPOINT)
