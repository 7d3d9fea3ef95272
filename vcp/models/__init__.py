"""Model management: download, verify and cache the models a configuration declares.

Where each concern lives (each subpackage says which of its modules are pure):

- ``manager``      ``ModelManager``, the async entry point: plans, fetches and finishes models.
- ``local``        the public results: ``LocalModel``, ``LocalFile``, ``ModelStatus``...
- ``events``       the frozen progress events the manager emits.
- ``context``      the composition root: one ``Context`` (http, download settings, emit, retry
                   policy, sleep, clock) shared by the registry, the planner and each transfer.
- ``failures``     what any exception becomes for the user.
- ``planning/``    which files a model needs (``specs``), per-file state and the plan (``state``),
                   what must be fetched and from where (``planner``), pure plan checks
                   (``checks``), finishing a snapshot (``finish``).
- ``downloading/`` one file's transfer (``transfer``), its resumable state (``partial``), byte
                   ranges and pieces (``ranges``), the disk budget (``diskspace``).
- ``http/``        the HTTP boundary, the only code that sees aiohttp: the client (``client``),
                   the retry policy (``policy``) and the one retry loop (``retrying``).
- ``hub/``         the Hugging Face Hub: API answers (``api``), the registry (``registry``), its
                   answers on disk (``metadata``), the token (``tokens``).
- ``cache/``       the cache on disk (``store``), what it holds (``inspection``), per-file locks
                   (``locks``), reuse of the user's Hugging Face cache (``hf_reuse``).
- ``pinning/``     ``vcp models pin``: plan, upgrade, YAML edits, report, entry point (``pin``).

Checksums, safe relative paths, the Hub's naming and atomic writes are shared with the config and
the mirror, so they live below all three in ``vcp.core``.

The public names are re-exported here and imported on first use, so importing a submodule (for
``vcp models list``) does not load the network stack.
"""

import typing as _typing

from vcp.core.lazy import lazy_exports as _lazy_exports

if _typing.TYPE_CHECKING:
    from vcp.models.events import (
        BytesReceived,
        DownloadEvent,
        DownloadFailed,
        DownloadStarted,
        FallbackUsed,
        FileCached,
        FileReused,
        FileVerified,
        LockWaiting,
        ModelFailed,
        ModelReady,
        Retrying,
        SourceDeprecated,
    )
    from vcp.models.local import FileState, FileStatus, LocalFile, LocalModel, ModelStatus
    from vcp.models.manager import ModelManager

_EXPORTS: dict[str, str] = {
    "ModelManager": "vcp.models.manager",
    **dict.fromkeys(
        ["FileState", "FileStatus", "LocalFile", "LocalModel", "ModelStatus"], "vcp.models.local"
    ),
    **dict.fromkeys(
        [
            "BytesReceived",
            "DownloadFailed",
            "DownloadStarted",
            "DownloadEvent",
            "FallbackUsed",
            "FileCached",
            "FileReused",
            "FileVerified",
            "LockWaiting",
            "ModelFailed",
            "ModelReady",
            "Retrying",
            "SourceDeprecated",
        ],
        "vcp.models.events",
    ),
}

__all__ = [
    "BytesReceived",
    "DownloadFailed",
    "DownloadStarted",
    "DownloadEvent",
    "FallbackUsed",
    "FileCached",
    "FileReused",
    "FileState",
    "FileStatus",
    "FileVerified",
    "LocalFile",
    "LocalModel",
    "LockWaiting",
    "ModelFailed",
    "ModelManager",
    "ModelReady",
    "ModelStatus",
    "Retrying",
    "SourceDeprecated",
]


__getattr__, __dir__ = _lazy_exports("vcp.models", _EXPORTS, globals())
