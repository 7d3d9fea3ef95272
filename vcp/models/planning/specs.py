"""From configured sources to the files to fetch: URLs, cache places, expected checksums.

Pure: no network and no disk. The manager asks the server (``http.probe``) only for what this
cannot know in advance (sizes, ETags, the commit a branch points to).
"""

from __future__ import annotations

from dataclasses import dataclass

from vcp.config.schema import ModelSource, is_pattern
from vcp.core.checksums import Checksum, checksum_from_etag
from vcp.core.hub_names import repo_folder, resolve_url, url_folder
from vcp.core.relpaths import safe_relpath
from vcp.models.hub.api import HubFile

# The Hub names blobs after these; other pinned algorithms still verify, but the blob's name
# must then come from the server's ETag.
BLOB_ALGORITHMS = frozenset({"sha256", "git-sha1"})


@dataclass(frozen=True)
class FileSpec:
    """One file of a model, as far as the configuration describes it."""

    model: str
    name: str  # path inside the repo, or the file name of a URL source
    url: str
    folder: str  # cache folder: models--org--name or url--source
    pinned: Checksum | None
    size: int | None
    hub: bool
    revision: str | None = None  # Hub: branch, tag or commit as configured
    allow_unverified: bool = False
    etag: str | None = None  # Hub: the blob's name, when a file listing gave it
    source_index: int | None = None  # the source's place in models.sources, for messages

    @property
    def pin_setting(self) -> str:
        """Where the config pins this file, in the notation of config errors and the CLI's
        ``config:`` line: ``models.sources[1].checksums['model.bin']``."""
        key = f"checksums[{self.name!r}]" if self.hub else "checksum"
        if self.source_index is None:
            return f"{key} of models.sources {self.model!r}"
        return f"models.sources[{self.source_index}].{key}"

    @property
    def known_blob(self) -> str | None:
        """The blob name when the listing or the pin gives it (sha256 / git-sha1 pins)."""
        if self.etag:
            return self.etag
        if self.hub and self.pinned and self.pinned.algorithm in BLOB_ALGORITHMS:
            return self.pinned.hexdigest
        return None

    @property
    def label(self) -> str:
        return f"{self.model}/{self.name}"


def file_specs(source: ModelSource, *, endpoint: str, index: int | None = None) -> list[FileSpec]:
    """The files ``source`` (``models.sources[index]``) consists of, checked for safe names."""
    if source.url is not None:
        name = source.local_filename
        safe_relpath(name, model=source.name)
        return [
            FileSpec(
                model=source.name,
                name=name,
                url=source.url,
                folder=url_folder(source.name),
                pinned=source.expected_checksum(name),
                size=source.size,
                hub=False,
                allow_unverified=source.allow_unverified,
                source_index=index,
            )
        ]
    assert source.hf is not None
    hf = source.hf
    specs = []
    for file in hf.files:
        if is_pattern(file):
            raise ValueError("file_specs needs literal names; expand patterns with a file listing")
        safe_relpath(file, model=source.name)
        specs.append(
            FileSpec(
                model=source.name,
                name=file,
                url=resolve_url(endpoint, hf.repo, hf.revision, file),
                folder=repo_folder(hf.repo),
                pinned=source.expected_checksum(file),
                size=None,
                hub=True,
                revision=hf.revision,
                allow_unverified=source.allow_unverified,
                source_index=index,
            )
        )
    return specs


def listed_specs(
    source: ModelSource,
    files: list[HubFile],
    *,
    endpoint: str,
    commit: str,
    index: int | None = None,
) -> list[FileSpec]:
    """Specs for files a Hub listing named (sizes and blob names known), fetched by commit."""
    assert source.hf is not None
    return [
        FileSpec(
            model=source.name,
            name=f.path,
            url=resolve_url(endpoint, source.hf.repo, commit, f.path),
            folder=repo_folder(source.hf.repo),
            pinned=source.expected_checksum(f.path),
            size=f.size,
            hub=True,
            revision=commit,
            allow_unverified=source.allow_unverified,
            etag=f.etag,
            source_index=index,
        )
        for f in files
    ]


@dataclass(frozen=True)
class RemoteFile:
    """What the server said about a file (``HEAD``, redirects followed)."""

    url: str  # where the bytes are (after redirects)
    size: int | None
    etag: str | None  # unquoted
    commit: str | None
    accepts_ranges: bool

    @property
    def checksum(self) -> Checksum | None:
        """The content hash the ETag stands for, when it is one (the Hub's ETags are)."""
        return checksum_from_etag(self.etag)
