"""Finishing a model: link its snapshot, write its ref, describe it as a LocalModel."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from vcp.core.checksums import Checksum
from vcp.errors import ModelError
from vcp.models.cache import inspection
from vcp.models.cache.store import ModelCache
from vcp.models.local import LocalFile, LocalModel
from vcp.models.planning.specs import BLOB_ALGORITHMS, FileSpec
from vcp.models.planning.state import PendingFile, Plan

logger = logging.getLogger(__name__)


def finish(cache: ModelCache, plan: Plan) -> LocalModel:
    """Link the snapshot, write the ref, describe the ready model (blocking: a worker thread)."""
    files: dict[str, LocalFile] = {}
    source = plan.source
    for work in plan.work:
        spec = work.spec
        blob = work.final if isinstance(work, PendingFile) else work.found.final
        assert blob is not None
        path = blob
        checksum = work.expected if isinstance(work, PendingFile) else work.found.expected
        if checksum is None:  # an unverified source: the checksum recorded when it was fetched
            rec = cache.recorded(blob)
            checksum = Checksum.parse(rec.checksum) if rec else None
        assert checksum is not None
        if spec.hub:
            if plan.commit is None:
                raise ModelError(
                    "the server did not say which commit it served",
                    model=spec.model,
                    hint="is the endpoint a Hub mirror?",
                )
            path = cache.snapshot_path(spec.folder, plan.commit, spec.name)
            if blob == path and not path.is_symlink():
                blob = _adopt_manual(cache, spec, path, checksum)
            if blob != path:
                cache.link_snapshot(blob, path)
                if not path.is_symlink():  # a copy (no symlinks here): vouch for it as well
                    cache.record(path, checksum)
        files[spec.name] = LocalFile(path, blob.stat().st_size, checksum)
    if source.hf is not None and plan.commit and not source.hf.is_commit:
        cache.write_ref(plan.work[0].spec.folder, source.hf.revision, plan.commit)
    specs = [w.spec for w in plan.work]
    model_path = inspection.model_path(cache, specs, plan.commit)
    assert model_path is not None
    return LocalModel(plan.name, model_path, plan.commit, files, source.name)


def _adopt_manual(cache: ModelCache, spec: FileSpec, path: Path, checksum: Checksum | None) -> Path:
    """A verified file someone put at the snapshot path: move it to its blob, link back."""
    name = spec.known_blob or (
        checksum.hexdigest if checksum and checksum.algorithm in BLOB_ALGORITHMS else None
    )
    if name is None:
        return path  # no blob name to give it: it stays a plain file, as in a copy-mode cache
    blob = cache.blob_path(spec.folder, name)
    blob.parent.mkdir(parents=True, exist_ok=True)
    os.replace(path, blob)
    cache.forget(path)
    if checksum is not None:
        cache.record(blob, checksum)
    logger.info("%s: adopted the file placed at %s", spec.label, path)
    return blob
