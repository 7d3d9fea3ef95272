"""The configuration's shape: pydantic models for models, detectors, processing and output.

Every section forbids unknown keys, so a typo in a YAML file is an error rather than a silently
ignored setting. Defaults are the named constants below. The top-level ``Settings`` (with its
environment sources) lives in ``vcp.config.settings``; these models are plain data that embedders
may also build directly (``ModelsSettings(sources=[...])``).
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from vcp.config.paths import default_cache_dir
from vcp.core.checksums import HEX_LENGTHS, Checksum, check_hex
from vcp.core.hub_names import is_commit
from vcp.core.labels import NUDENET_LABELS
from vcp.core.relpaths import safe_relpath
from vcp.errors import UnsafePathError

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
DEFAULT_FRAME_INTERVAL_SECONDS = 1.0
DEFAULT_MERGE_GAP_SECONDS = 2.0
DEFAULT_THRESHOLD = 0.5

Algorithm = Literal["sha256", "sha1", "sha512", "md5", "blake2b", "git-sha1"]
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_REPO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
_GLOB_CHARS = frozenset("*?[")


class FieldError(ValueError):
    """A check in a model validator that belongs to one sub-field (``loc`` relative to the model).

    Pydantic reports model-validator errors at the model itself; the loader reads ``loc`` from this
    exception to point the user at the exact line of the offending field.
    """

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def is_pattern(name: str) -> bool:
    """True when a file entry is a glob pattern rather than a literal file name."""
    return any(c in _GLOB_CHARS for c in name)


def _check_relpath(name: str) -> str:
    """``name`` if it is a safe relative path inside a repository (the downloader's own rule)."""
    try:
        safe_relpath(name)
    except UnsafePathError:
        message = f"{name!r} is not a safe relative file name inside the repository"
        raise ValueError(message) from None
    return name


# -- models ----------------------------------------------------------------------------------------


class HubSettings(_Section):
    """Where the Hugging Face Hub (or a mirror of it) is, and how to authenticate."""

    endpoint: str = DEFAULT_HUB_ENDPOINT
    token_env: str = DEFAULT_TOKEN_ENV
    metadata_ttl_hours: float = Field(DEFAULT_METADATA_TTL_HOURS, ge=0)
    offline: bool = False

    @field_validator("endpoint")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return _check_http_url(value).rstrip("/")


class DownloadSettings(_Section):
    """How transfers run: concurrency, segmenting, retries, timeouts and the disk-space margin."""

    max_concurrent_files: int = Field(DEFAULT_MAX_CONCURRENT_FILES, ge=1, le=64)
    max_connections_per_file: int = Field(DEFAULT_MAX_CONNECTIONS_PER_FILE, ge=1, le=64)
    segment_threshold_bytes: int = Field(DEFAULT_SEGMENT_THRESHOLD_BYTES, ge=1)
    segment_min_bytes: int = Field(DEFAULT_SEGMENT_MIN_BYTES, ge=64 * 1024)
    retry_backoff_seconds: tuple[Annotated[float, Field(ge=0, le=3600)], ...] = Field(
        DEFAULT_RETRY_BACKOFF_SECONDS, max_length=10
    )
    connect_timeout_seconds: float = Field(DEFAULT_CONNECT_TIMEOUT_SECONDS, gt=0)
    read_timeout_seconds: float = Field(DEFAULT_READ_TIMEOUT_SECONDS, gt=0)
    disk_space_factor: float = Field(DEFAULT_DISK_SPACE_FACTOR, ge=0)
    lock_timeout_seconds: float = Field(DEFAULT_LOCK_TIMEOUT_SECONDS, gt=0)
    max_redirects: int = Field(DEFAULT_MAX_REDIRECTS, ge=0, le=30)


class HfRepo(_Section):
    """A source on the Hub: a repository, a revision (branch, tag or commit) and its files."""

    repo: str
    revision: str = "main"
    files: tuple[str, ...] = Field(min_length=1)

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
    size: int | None = Field(None, ge=0)
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


def _check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"expected an http(s) URL, got {value!r}")
    return value


class ModelsSettings(_Section):
    """The model cache, the Hub, transfer tuning and the declared model sources."""

    cache_dir: Path | None = None
    hub: HubSettings = HubSettings()
    download: DownloadSettings = DownloadSettings()
    sources: tuple[ModelSource, ...] = ()

    @model_validator(mode="after")
    def _references(self) -> ModelsSettings:
        names: dict[str, int] = {}
        for i, source in enumerate(self.sources):
            if source.name in names:
                raise FieldError(
                    ("sources", i, "name"),
                    f"{source.name!r} is already the name of sources[{names[source.name]}]",
                )
            names[source.name] = i
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


# -- detectors, processing, output -----------------------------------------------------------------


class _Detector(_Section):
    name: str
    model: str
    enabled: bool = True
    # An optional detector whose model cannot be made ready is skipped (recorded in the report)
    # instead of stopping the run.
    optional: bool = False
    threshold: float = Field(DEFAULT_THRESHOLD, ge=0, le=1)


# Frames per onnxruntime call. Batches of 4 or 8 were no faster than single frames on a 2-core
# CPU, and a single frame gives progress after every frame.
DEFAULT_NUDENET_BATCH_SIZE = 1


class NudityDetector(_Detector):
    """NudeNet on sampled frames; ``categories`` groups its labels into report categories.

    A box is reported when its score reaches its category's entry in ``thresholds``, else
    ``threshold``. ``threads`` is onnxruntime's intra-op thread count (0: its default, one per
    core); ``batch_size`` frames go through the model at once.
    """

    type: Literal["nudenet"]
    categories: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    thresholds: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=dict)
    threads: int = Field(0, ge=0, le=256)
    batch_size: int = Field(DEFAULT_NUDENET_BATCH_SIZE, ge=1, le=64)

    @model_validator(mode="after")
    def _threshold_categories(self) -> NudityDetector:
        for category in self.thresholds:
            if category not in self.categories:
                known = ", ".join(self.categories) or "none declared"
                raise FieldError(
                    ("thresholds", category),
                    f"{category!r} is not one of this detector's categories ({known})",
                )
        return self

    @field_validator("categories")
    @classmethod
    def _labels(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for category, labels in value.items():
            for i, label in enumerate(labels):
                if label not in NUDENET_LABELS:
                    raise FieldError(
                        (category, i),
                        f"{label!r} is not a NudeNet label; known: " + ", ".join(NUDENET_LABELS),
                    )
        return value


# Speech: a hit's score is whisper's mean word probability; clearly heard swearing scores 0.8+,
# misheard words under 0.4.
DEFAULT_SPEECH_THRESHOLD = 0.4
DEFAULT_BEAM_SIZE = 5
DEFAULT_WINDOW_SECONDS = 180.0
DEFAULT_OVERLAP_SECONDS = 5.0
# The lists shipped in vcp/analysis/wordlists (vcp.analysis.detectors.words.SHIPPED_CATEGORIES).
_SHIPPED_WORD_LISTS = ("profanity", "slurs", "blasphemy")


class SpeechProfanityDetector(_Detector):
    """Whisper word timestamps matched against word lists (vcp.analysis.detectors.words).

    ``categories`` picks the shipped lists; ``words`` adds the user's own entries per category,
    ``word_lists`` whole list files, ``allow`` entries or spoken forms never to report.
    ``threshold`` applies to a hit's mean word probability. Audio is transcribed in windows of
    ``window_seconds`` that overlap by ``overlap_seconds``."""

    type: Literal["speech-profanity"]
    threshold: float = Field(DEFAULT_SPEECH_THRESHOLD, ge=0, le=1)
    languages: tuple[str, ...] = ("en",)
    categories: tuple[str, ...] = _SHIPPED_WORD_LISTS
    words: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    allow: tuple[str, ...] = ()
    word_lists: tuple[Path, ...] = ()
    compute_type: Literal["auto", "int8", "int8_float32", "int16", "float32"] = "int8"
    threads: int = Field(0, ge=0)  # 0: CTranslate2 picks (one per core)
    beam_size: int = Field(DEFAULT_BEAM_SIZE, ge=1, le=20)
    vad_filter: bool = True
    window_seconds: float = Field(DEFAULT_WINDOW_SECONDS, gt=0)
    overlap_seconds: float = Field(DEFAULT_OVERLAP_SECONDS, ge=0)

    @field_validator("categories")
    @classmethod
    def _shipped(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for i, category in enumerate(value):
            if category not in _SHIPPED_WORD_LISTS:
                known = ", ".join(_SHIPPED_WORD_LISTS)
                message = f"no shipped word list {category!r}; shipped: {known} (own words: words)"
                raise FieldError((i,), message)
        return value

    @field_validator("words")
    @classmethod
    def _entries(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for category, entries in value.items():
            _check_entries(entries, category, (category,))
        return value

    @field_validator("allow")
    @classmethod
    def _allowed(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        _check_entries(value, "allow", ())
        return value

    @field_validator("word_lists")
    @classmethod
    def _files(cls, value: tuple[Path, ...]) -> tuple[Path, ...]:
        from vcp.analysis.detectors.words import WordListError, read_list

        for i, path in enumerate(value):
            try:
                read_list(path)
            except OSError as exc:
                reason = exc.strerror or str(exc)
                raise FieldError((i,), f"cannot read word list {str(path)!r}: {reason}") from None
            except UnicodeDecodeError:
                raise FieldError((i,), f"word list {str(path)!r} is not UTF-8 text") from None
            except WordListError as exc:
                raise FieldError((i,), str(exc)) from None
        return value

    @model_validator(mode="after")
    def _windows(self) -> SpeechProfanityDetector:
        if self.overlap_seconds >= self.window_seconds:
            message = f"must be shorter than window_seconds ({self.window_seconds})"
            raise FieldError(("overlap_seconds",), message)
        return self


def _check_entries(entries: tuple[str, ...], category: str, loc: tuple[str | int, ...]) -> None:
    from vcp.analysis.detectors.words import WordListError, parse_entry

    for i, entry in enumerate(entries):
        try:
            parse_entry(entry, category)
        except WordListError as exc:
            raise FieldError((*loc, i), str(exc)) from None


Detector = Annotated[NudityDetector | SpeechProfanityDetector, Field(discriminator="type")]


class ProcessingSettings(_Section):
    """How media is sampled and how hits are merged into segments."""

    frame_interval_seconds: float = Field(DEFAULT_FRAME_INTERVAL_SECONDS, gt=0)
    merge_gap_seconds: float = Field(DEFAULT_MERGE_GAP_SECONDS, ge=0)


class OutputSettings(_Section):
    """How the report is written."""

    pretty: bool = True
    include_confidence: bool = True


__all__ = [
    "HEX_LENGTHS",
    "Deprecation",
    "Detector",
    "DownloadSettings",
    "FieldError",
    "HfRepo",
    "HubSettings",
    "ModelSource",
    "ModelsSettings",
    "NudityDetector",
    "OutputSettings",
    "ProcessingSettings",
    "SpeechProfanityDetector",
    "is_pattern",
]
