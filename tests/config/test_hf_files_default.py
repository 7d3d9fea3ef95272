"""``hf.files`` may be left out: the source then means every file of the revision (issue #9)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from vcp.config.schema import ModelSource


def test_a_hub_source_without_files_means_every_file_and_may_pin_any() -> None:
    source = ModelSource.model_validate(
        {
            "name": "whole",
            "hf": {"repo": "acme/whole"},
            "checksums": {"onnx/model.onnx": "sha256:" + "ab" * 32},
        }
    )
    assert source.hf is not None and source.hf.files == ("*",)
    assert str(source.expected_checksum("onnx/model.onnx")) == "sha256:" + "ab" * 32


def test_explicit_files_still_limit_which_checksums_may_be_pinned() -> None:
    with pytest.raises(ValidationError, match=r"'other\.bin' is not in hf\.files"):
        ModelSource.model_validate(
            {
                "name": "one",
                "hf": {"repo": "acme/one", "files": ["model.bin"]},
                "checksums": {"other.bin": "sha256:" + "ab" * 32},
            }
        )


def test_an_empty_file_list_is_still_refused() -> None:
    with pytest.raises(ValidationError, match="at least 1"):
        ModelSource.model_validate({"name": "none", "hf": {"repo": "acme/none", "files": []}})
