"""A local Hugging Face Hub-compatible mirror: serve model repos from a Hub cache layout.

Tests, the demo and the benchmarks use it in place of huggingface.co; ``Faults`` makes it
misbehave on purpose (dropped connections, 503/429, corrupt bytes, ignored ranges, slow bodies).
"""

from vcp.mirror.app import create_app
from vcp.mirror.faults import Faults, RequestRecord, Stats
from vcp.mirror.layout import FileEntry, HubLayout
from vcp.mirror.seed import add_plain_file, add_repo, seed_default_models
from vcp.mirror.server import MirrorServer, serve

__all__ = [
    "Faults",
    "FileEntry",
    "HubLayout",
    "MirrorServer",
    "RequestRecord",
    "Stats",
    "add_plain_file",
    "add_repo",
    "create_app",
    "seed_default_models",
    "serve",
]
