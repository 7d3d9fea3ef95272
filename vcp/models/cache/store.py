"""The model cache on disk: the standard Hub layout plus vcp's own verification records.

```
CACHE/models--{org}--{name}/blobs/{etag}              content, named by sha256 (LFS) or git sha1
CACHE/models--{org}--{name}/snapshots/{commit}/{path} relative symlink to ../../blobs/{etag}
CACHE/models--{org}--{name}/refs/{revision}           the commit a branch or tag resolved to
CACHE/url--{source}/{filename}                        a plain-URL source
CACHE/.locks/{folder}/{blob}.lock                     per-file locks (as huggingface_hub)
CACHE/.vcp/verified/{folder}/{blob}.json              "verified": size, mtime, inode, checksum
CACHE/.vcp/quarantine/                                files that failed re-verification
```

Partial downloads sit beside their final path as ``{final}.{random}.incomplete`` with a
``.json`` state file; nothing appears under a final name before it has been verified.
Everything here is synchronous file-system work: async callers run it in a worker thread.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from vcp.core.atomic import atomic_write_text, replace_atomically
from vcp.core.checksums import Checksum, hash_file
from vcp.core.hub_names import is_commit
from vcp.core.relpaths import join_under
from vcp.errors import UnsafePathError

logger = logging.getLogger(__name__)

INCOMPLETE_SUFFIX = ".incomplete"


@dataclass(frozen=True)
class VerifiedRecord:
    """Proof that a file was hashed: valid while size, mtime and inode are unchanged."""

    size: int
    mtime_ns: int
    inode: int
    checksum: str
    verified_at: float

    def matches(self, stat: os.stat_result) -> bool:
        """True when the file looks untouched since it was verified."""
        return (self.size, self.mtime_ns, self.inode) == (
            stat.st_size,
            stat.st_mtime_ns,
            stat.st_ino,
        )


class ModelCache:
    """Paths and small atomic operations on one cache directory."""

    def __init__(self, root: Path) -> None:
        # Resolved: files found through snapshot links are resolved paths, and must lie under it
        # (a relative VCP_MODELS__CACHE_DIR, or one through a symlink, would not match).
        self.root = root.resolve()

    # -- paths ---------------------------------------------------------------------------------

    def folder(self, name: str) -> Path:
        """A repo's or URL source's folder (``repo_folder``/``url_folder`` give the name)."""
        return self.root / name

    def blob_path(self, folder: str, blob: str) -> Path:
        return join_under(self.folder(folder) / "blobs", blob)

    def snapshot_path(self, folder: str, commit: str, file: str) -> Path:
        if not is_commit(commit):  # it names a folder: never let a server's header escape
            raise UnsafePathError(commit, "a snapshot must be named by a 40-hex commit id")
        return join_under(self.folder(folder) / "snapshots" / commit, file)

    def lock_path(self, folder: str, blob: str) -> Path:
        return self.root / ".locks" / folder / f"{blob.replace('/', '--')}.lock"

    def _record_path(self, final: Path) -> Path:
        rel = final.relative_to(self.root)
        return self.root / ".vcp" / "verified" / (str(rel).replace(os.sep, "--") + ".json")

    # -- refs --------------------------------------------------------------------------------------

    def read_ref(self, folder: str, revision: str) -> str | None:
        try:
            ref = join_under(self.folder(folder) / "refs", revision)
            return ref.read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    def write_ref(self, folder: str, revision: str, commit: str) -> None:
        ref = join_under(self.folder(folder) / "refs", revision)
        if self.read_ref(folder, revision) != commit:
            atomic_write_text(ref, commit)

    # -- verification records ------------------------------------------------------------------

    def record(self, final: Path, checksum: Checksum) -> None:
        """Remember that ``final`` was verified, so later runs need not hash it again."""
        st = final.stat()
        rec = VerifiedRecord(st.st_size, st.st_mtime_ns, st.st_ino, str(checksum), time.time())
        atomic_write_text(self._record_path(final), json.dumps(asdict(rec)))

    def recorded(self, final: Path) -> VerifiedRecord | None:
        try:
            data = json.loads(self._record_path(final).read_text(encoding="utf-8"))
            return VerifiedRecord(**data)
        except (OSError, ValueError, TypeError):
            return None

    def forget(self, final: Path) -> None:
        with contextlib.suppress(OSError):
            self._record_path(final).unlink()

    def check(self, final: Path, expected: Checksum, *, full: bool = False) -> bool:
        """Is ``final`` present with the expected content?

        A file whose record still matches its size, mtime and inode counts as valid without
        hashing (the re-run of a cached model must not re-read gigabytes); ``full`` re-hashes.
        """
        try:
            stat = final.stat()
        except OSError:
            return False
        rec = self.recorded(final)
        if not full and rec and rec.checksum == str(expected) and rec.matches(stat):
            return True
        if hash_file(final, expected.algorithm) != expected:
            return False
        self.record(final, expected)
        return True

    def quarantine(self, final: Path) -> Path:
        """Move a file that failed verification aside (never delete what may be evidence)."""
        dest_dir = self.root / ".vcp" / "quarantine"
        dest_dir.mkdir(parents=True, exist_ok=True)
        dest = dest_dir / f"{final.name}.{time.strftime('%Y%m%dT%H%M%S')}.{secrets.token_hex(3)}"
        os.replace(final, dest)
        self.forget(final)
        logger.warning("moved corrupt cache file %s aside to %s", final, dest)
        return dest

    # -- partial files -------------------------------------------------------------------------

    def partials(self, final: Path) -> list[Path]:
        """Partial downloads of ``final`` left by earlier runs, largest first."""
        pattern = f"{final.name}.*{INCOMPLETE_SUFFIX}"
        found = [p for p in final.parent.glob(pattern) if p.is_file()]
        return sorted(found, key=lambda p: p.stat().st_size, reverse=True)

    @staticmethod
    def new_partial(final: Path) -> Path:
        final.parent.mkdir(parents=True, exist_ok=True)
        return final.with_name(f"{final.name}.{secrets.token_hex(4)}{INCOMPLETE_SUFFIX}")

    # -- snapshots -----------------------------------------------------------------------------

    def link_snapshot(self, blob: Path, link: Path) -> None:
        """Point ``link`` at ``blob`` with a relative symlink, or a copy where links fail."""
        link.parent.mkdir(parents=True, exist_ok=True)
        target = os.path.relpath(blob, link.parent)
        if link.is_symlink() and os.readlink(link) == target:
            return

        def fill(tmp: Path) -> None:
            try:
                os.symlink(target, tmp)
            except OSError:  # no symlinks (Windows without developer mode): copy, as the Hub does
                shutil.copyfile(blob, tmp)

        replace_atomically(link, fill)
