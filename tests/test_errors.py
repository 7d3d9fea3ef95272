"""What errors show a user: never a secret from a URL."""

from __future__ import annotations

import pytest

from vcp.errors import DownloadError, IntegrityError, redact_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:secret@host.example/a.bin", "https://host.example/a.bin"),
        (
            "https://cdn.example/x?X-Amz-Signature=abc&X-Amz-Expires=300&part=2",
            "https://cdn.example/x?X-Amz-Signature=***&X-Amz-Expires=***&part=2",
        ),
        ("https://cdn.example/x?token=t0k3n", "https://cdn.example/x?token=***"),
        (
            "http://127.0.0.1:8080/api/models/a/b/revision/main?blobs=true",
            "http://127.0.0.1:8080/api/models/a/b/revision/main?blobs=true",
        ),
    ],
)
def test_urls_lose_credentials_and_signatures(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_errors_never_carry_the_secret_parts_of_a_url() -> None:
    url = "https://me:hunter2@cdn.example/f.bin?Signature=s3cr3t"
    download = DownloadError("gave up", url=url, model="m", file="f.bin")
    integrity = IntegrityError(what="size", expected="1", got="2", url=url, model="m")
    for error in (download, integrity):
        text = f"{error} {error.where} {error.url} {error.hint}"
        assert "hunter2" not in text and "s3cr3t" not in text
        assert "cdn.example/f.bin" in str(error.url)
