"""The Hugging Face Hub's naming: commit ids, cache folder names and resolve URLs.

Pure string functions shared by the model cache, the config checks and the mirror, which must
agree on them byte for byte (the mirror serves the layout that ``huggingface_hub`` expects).
"""

from __future__ import annotations

import re
from urllib.parse import quote


def resolve_url(endpoint: str, repo: str, revision: str, file: str) -> str:
    """The Hub's file URL. The revision is quoted with no safe characters (``refs%2Fpr%2F1``)."""
    return f"{endpoint.rstrip('/')}/{repo}/resolve/{quote(revision, safe='')}/{quote(file)}"


def repo_folder(repo_id: str) -> str:
    """``org/name`` -> ``models--org--name`` (the Hub cache's folder name)."""
    return "models--" + repo_id.replace("/", "--")


def url_folder(source_name: str) -> str:
    """The folder of a plain-URL source, named after the source."""
    return f"url--{source_name}"


_COMMIT = re.compile(r"[0-9a-f]{40}")


def is_commit(revision: str) -> bool:
    """True for a full 40-hex commit id (which never moves)."""
    return bool(_COMMIT.fullmatch(revision))
