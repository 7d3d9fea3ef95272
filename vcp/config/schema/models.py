"""The ``models:`` section: the Hub, transfer tuning and the declared model sources.

These are plain data that embedders may also build directly (``ModelsSettings(sources=[...])``).
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationInfo, field_validator, model_validator

from vcp.config.paths import default_cache_dir
from vcp.config.schema.common import (
    FieldError,
    _check_http_url,
    _check_relpath,
    _Section,
    is_pattern,
    unique_names,
)
from vcp.core.checksums import HEX_LENGTHS, Checksum, check_hex
from vcp.core.hub_names import is_commit

DEFAULT_HUB_ENDPOINT = "https://huggingface.co"
DEFAULT_TOKEN_ENV = "HF_TOKEN"
DEFAULT_METADATA_TTL_HOURS = 24.0
DEFAULT_MAX_CONCURRENT_FILES = 8
DEFAULT_MAX_CONNECTIONS_PER_FILE = 8
DEFAULT_SEGMENT_THRESHOLD_BYTES = 64 * 1024 * 1024
DEFAULT_SEGMENT_MIN_BYTES = 8 * 1024 * 1024
DEFAULT_RETRY_BACKOFF_SECONDS = (2.0, 4.0, 8.0)
DEFAULT_CONNECT_TIMEOUT_SECONDS = 30.0
DEFAULT_READ_TIMEOUT_SECONDS = 60.0
DEFAULT_DISK_SPACE_FACTOR = 2.0
DEFAULT_LOCK_TIMEOUT_SECONDS = 3600.0
DEFAULT_MAX_REDIRECTS = 10
DEFAULT_MIN_SPEED_BYTES_PER_SECOND = 1024  # curl's --speed-limit / --speed-time, as a default
DEFAULT_MIN_SPEED_WINDOW_SECONDS = 30.0
DEFAULT_MAX_RETRY_WAIT_SECONDS = 300.0  # all the waits between one file's attempts
DEFAULT_METADATA_TIMEOUT_SECONDS = 60.0  # one Hub API answer, in all (a drip never ends)
DEFAULT_METADATA_MAX_BYTES = 32 * 1024 * 1024  # far above any real Hub answer
# Upper bounds: far above any real use, low enough that no setting can ask for absurd memory,
# waits of years or a check that can never pass.
_KiB, _GiB, _TiB = 1024, 1024**3, 1024**4
MAX_TIMEOUT_SECONDS = 86_400.0  # a day
MIN_TIMEOUT_SECONDS = 0.1
ALL_FILES = ("*",)  # hf.files left out: every file of the revision, as snapshot_download does

Algorithm = Literal["sha256", "sha1", "sha512", "md5", "blake2b", "git-sha1"]
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_REPO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")


class HubSettings(_Section):
    """Where the Hugging Face Hub (or a mirror of it) is, and how to authenticate."""

    endpoint: str = DEFAULT_HUB_ENDPOINT
    token_env: str = DEFAULT_TOKEN_ENV
    metadata_ttl_hours: float = Field(DEFAULT_METADATA_TTL_HOURS, ge=0, le=8760)  # a year
    offline: bool = False

    @field_validator("endpoint")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return _check_http_url(value).rstrip("/")


def _timeout(default: float) -> Any:
    return Field(default, ge=MIN_TIMEOUT_SECONDS, le=MAX_TIMEOUT_SECONDS)


class DownloadSettings(_Section):
    """How transfers run: concurrency, segmenting, retries, timeouts and the disk-space margin."""

    max_concurrent_files: int = Field(DEFAULT_MAX_CONCURRENT_FILES, ge=1, le=64)
    max_connections_per_file: int = Field(DEFAULT_MAX_CONNECTIONS_PER_FILE, ge=1, le=64)
    segment_threshold_bytes: int = Field(DEFAULT_SEGMENT_THRESHOLD_BYTES, ge=1, le=_TiB)
    segment_min_bytes: int = Field(DEFAULT_SEGMENT_MIN_BYTES, ge=64 * _KiB, le=_TiB)
    retry_backoff_seconds: tuple[Annotated[float, Field(ge=0, le=3600)], ...] = Field(
        DEFAULT_RETRY_BACKOFF_SECONDS, max_length=10
    )
    connect_timeout_seconds: float = _timeout(DEFAULT_CONNECT_TIMEOUT_SECONDS)
    read_timeout_seconds: float = _timeout(DEFAULT_READ_TIMEOUT_SECONDS)
    disk_space_factor: float = Field(DEFAULT_DISK_SPACE_FACTOR, ge=0, le=100)
    lock_timeout_seconds: float = _timeout(DEFAULT_LOCK_TIMEOUT_SECONDS)
    max_redirects: int = Field(DEFAULT_MAX_REDIRECTS, ge=0, le=30)
    min_speed_bytes_per_second: int = Field(DEFAULT_MIN_SPEED_BYTES_PER_SECOND, ge=0, le=_GiB)
    min_speed_window_seconds: float = _timeout(DEFAULT_MIN_SPEED_WINDOW_SECONDS)
    max_retry_wait_seconds: float = Field(
        DEFAULT_MAX_RETRY_WAIT_SECONDS, ge=0, le=MAX_TIMEOUT_SECONDS
    )
    metadata_timeout_seconds: float = _timeout(DEFAULT_METADATA_TIMEOUT_SECONDS)
    metadata_max_bytes: int = Field(DEFAULT_METADATA_MAX_BYTES, ge=_KiB, le=_GiB)


class HfRepo(_Section):
    """A source on the Hub: a repository, a revision (branch, tag or commit) and its files."""

    repo: str
    revision: str = "main"
    files: tuple[str, ...] = Field(ALL_FILES, min_length=1)  # names or glob patterns

    @field_validator("repo")
    @classmethod
    def _repo_id(cls, value: str) -> str:
        if not _REPO_RE.match(value):
            raise ValueError(f"expected 'organisation/name', got {value!r}")
        return value

    @field_validator("files")
    @classmethod
    def _files(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for name in value:
            # Patterns too: '../*.bin' or '/abs/*' can only mean a file outside the repository.
            _check_relpath(name)
        if len(set(value)) != len(value):
            raise ValueError("a file is listed twice")
        return value

    @property
    def is_commit(self) -> bool:
        """True when the revision is a full commit id, which never moves."""
        return is_commit(self.revision)


class Deprecation(_Section):
    """Marks a source as deprecated in favour of another one."""

    replacement: str
    reason: str | None = None


class ModelSource(_Section):
    """One model: either a Hub repository (``hf``) or a plain ``url``.

    The flat fields ``url``, ``checksum``, ``algorithm``, ``size`` and ``filename`` come from the
    original design and describe a single-file URL source; Hub sources pin their files' hashes in
    ``checksums`` (``{file: "sha256:..."}``; the Hub's id of a non-LFS file is ``git-sha1:...``).
    """

    name: str
    description: str | None = None
    hf: HfRepo | None = None
    url: str | None = None
    filename: str | None = None
    algorithm: Algorithm = "sha256"
    checksum: str | None = None
    size: int | None = Field(None, ge=0, le=_TiB)
    checksums: dict[str, str] = Field(default_factory=dict)
    optional: bool = False
    allow_unverified: bool = False
    fallbacks: tuple[str, ...] = ()
    deprecated: Deprecation | None = None

    @model_validator(mode="before")
    @classmethod
    def _algorithm_from_prefix(cls, data: object) -> object:
        # `checksum: "md5:..."` names its algorithm; without an explicit `algorithm` the prefix
        # decides, rather than clashing with the sha256 default.
        if isinstance(data, dict) and "algorithm" not in data:
            prefix, sep, _ = str(data.get("checksum") or "").partition(":")
            if sep and prefix.strip().lower() in HEX_LENGTHS:
                return {**data, "algorithm": prefix.strip().lower()}
        return data

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME_RE.match(value):
            raise ValueError(f"{value!r} is not a valid name: use letters, digits, '.', '_' or '-'")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _check_http_url(value)

    @field_validator("filename")
    @classmethod
    def _filename(cls, value: str | None) -> str | None:
        return None if value is None else _check_relpath(value)

    @field_validator("checksum")
    @classmethod
    def _checksum(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        if "algorithm" not in info.data:  # the algorithm itself is wrong and reported there
            return value
        algorithm = info.data["algorithm"]
        if ":" in value:  # "sha256:..." given in full: must agree with `algorithm`
            parsed = Checksum.parse(value)
            if parsed.algorithm != algorithm:
                raise ValueError(f"checksum says {parsed.algorithm} but algorithm is {algorithm}")
            return parsed.hexdigest
        return check_hex(algorithm, value)

    @field_validator("checksums")
    @classmethod
    def _checksums(cls, value: dict[str, str]) -> dict[str, str]:
        out = {}
        for file, text in value.items():
            try:
                out[file] = str(Checksum.parse(text))
            except ValueError as exc:
                raise FieldError((file,), str(exc)) from None
        return out

    @model_validator(mode="after")
    def _one_kind(self) -> ModelSource:
        if (self.hf is None) == (self.url is None):
            raise ValueError("a source needs exactly one of 'hf' (a Hub repository) or 'url'")
        if self.hf is not None:
            for flat in ("checksum", "size", "filename"):
                if getattr(self, flat) is not None:
                    raise FieldError(
                        (flat,),
                        f"'{flat}' is for url sources; Hub sources pin hashes in "
                        "'checksums: {file: \"sha256:...\"}'",
                    )
            literal = {f for f in self.hf.files if not is_pattern(f)}
            has_patterns = len(literal) != len(self.hf.files)
            for file in self.checksums:
                if file not in literal and not has_patterns:
                    raise FieldError(("checksums", file), f"{file!r} is not in hf.files")
        elif self.checksums:
            raise FieldError(("checksums",), "url sources use 'checksum' and 'algorithm'")
        return self

    @property
    def local_filename(self) -> str:
        """For a url source: the file name in the cache (``filename`` or the URL's last part)."""
        if self.filename:
            return self.filename
        return PurePosixPath(urlsplit(self.url or "").path).name or self.name

    def expected_checksum(self, file: str) -> Checksum | None:
        """The pinned checksum of ``file`` from the config, if any."""
        if self.url is not None:
            return Checksum(self.algorithm, self.checksum) if self.checksum else None
        text = self.checksums.get(file)
        return Checksum.parse(text) if text else None


class ModelsSettings(_Section):
    """The model cache, the Hub, transfer tuning and the declared model sources."""

    cache_dir: Path | None = None
    hub: HubSettings = HubSettings()
    download: DownloadSettings = DownloadSettings()
    sources: tuple[ModelSource, ...] = ()

    @model_validator(mode="after")
    def _references(self) -> ModelsSettings:
        names = unique_names("sources", (source.name for source in self.sources))
        for i, source in enumerate(self.sources):
            for j, fallback in enumerate(source.fallbacks):
                if fallback == source.name or fallback not in names:
                    why = "itself" if fallback == source.name else "not a declared source"
                    raise FieldError(("sources", i, "fallbacks", j), f"{fallback!r} is {why}")
            if source.deprecated and source.deprecated.replacement not in names:
                raise FieldError(
                    ("sources", i, "deprecated", "replacement"),
                    f"{source.deprecated.replacement!r} is not a declared source",
                )
        return self

    @property
    def resolved_cache_dir(self) -> Path:
        """``cache_dir`` with ``~`` expanded, or the platform default."""
        return self.cache_dir.expanduser() if self.cache_dir else default_cache_dir()

    def source(self, name: str) -> ModelSource:
        """The source called ``name``; KeyError when there is none."""
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)
