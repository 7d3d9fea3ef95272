"""The content ids the Hub uses, computed independently of vcp: sha256 and the git blob sha1.

An LFS file's etag is the sha256 of its bytes; a regular git file's is its git blob sha1.
"""

from __future__ import annotations

import hashlib


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def git_sha1(data: bytes) -> str:
    """The id git gives ``data`` as a blob: sha1 of ``blob <size>\\0`` followed by the bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
