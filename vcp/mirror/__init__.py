"""A local Hugging Face Hub-compatible mirror: serve model repos from a Hub cache layout.

Files and the Hub's JSON API (repo info, tree, paths-info, refs, search), with its error headers
and gated/private/disabled repos. Tests, the demo and the benchmarks use it in place of
huggingface.co; ``Faults`` makes it misbehave on purpose (dropped connections, 503/429, corrupt
bytes, ignored ranges, slow bodies). ``vcp mirror serve --root DIR`` shares any Hub-layout cache.
"""

from vcp.mirror.app import create_app
from vcp.mirror.faults import Faults, RequestRecord, Stats
from vcp.mirror.layout import FileEntry, HubLayout
from vcp.mirror.repo_meta import RepoMeta
from vcp.mirror.seed import add_plain_file, add_repo, seed_default_models, update_repo_meta
from vcp.mirror.server import MirrorServer, serve

__all__ = [
    "Faults",
    "FileEntry",
    "HubLayout",
    "MirrorServer",
    "RepoMeta",
    "RequestRecord",
    "Stats",
    "add_plain_file",
    "add_repo",
    "create_app",
    "seed_default_models",
    "serve",
    "update_repo_meta",
]
