"""Finding the Hub token the way huggingface_hub users expect, without ever logging it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def find_token(token_env: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The token from ``$token_env``, ``HF_TOKEN``, ``HUGGING_FACE_HUB_TOKEN``, or
    ``$HF_HOME/token`` (``~/.cache/huggingface/token``); None when there is none."""
    env = os.environ if environ is None else environ
    for name in (token_env, "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        value = env.get(name, "").strip()
        if value:
            return value
    home = Path(env.get("HF_HOME") or Path.home() / ".cache" / "huggingface")
    try:
        return (home / "token").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None
