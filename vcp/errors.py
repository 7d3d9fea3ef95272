"""Every error vcp raises, in one tree.

    VcpError                      anything vcp reports to a user
    ├── ConfigError               a configuration file or value is wrong
    ├── ModelError                a model could not be made ready
    │   ├── DownloadError         transfer failed (network, HTTP status, retries exhausted)
    │   │   ├── ModelNotFound     the server says repo / revision / file does not exist (404)
    │   │   └── AuthRequired      the server wants a token or accepted terms (401 / 403)
    │   ├── IntegrityError        bytes do not match the expected size or hash
    │   │   └── PinMismatch       a pinned checksum differs from the Hub's or the server's
    │   │       └── StalePins     ``vcp models pin`` found pins the Hub disagrees with
    │   ├── DiskSpaceError        not enough free space at the cache
    │   ├── UnsafePathError       a remote file name would escape the cache
    │   ├── LockTimeout           another process held a file lock for too long
    │   └── ModelUnavailable      not in the cache and not allowed to fetch (offline, unknown name)
    ├── MediaError                a video or audio input cannot be read
    ├── UsageError                a command-line argument is wrong (e.g. an unknown format)
    ├── OutputError               an output refused (it is an input, or another file) or not written
    │   └── EmptyOutput           an output that would hold nothing (no subtitles to clean...)
    ├── ReportError               a report is corrupt, of another version or video
    │   └── ReportMismatch        a report written for another film than the one given
    ├── DetectorError             a detector failed to load or run
    └── ClusterError              Ray is missing or unreachable, or a film's task failed every try

Each error carries structured fields and builds its own message; ``hint`` tells the user what to do
next and ``where`` names the place (file:line, URL, cache path). Only the CLI renders them, and
only the CLI turns a class into an exit code (``vcp.cli.exit_codes``).
Foreign exceptions (aiohttp, OSError, av, onnxruntime) are translated where they are caught, with
``raise ... from exc``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "AuthRequired",
    "ClusterError",
    "ConfigError",
    "ConfigProblem",
    "DetectorError",
    "DiskSpaceError",
    "DownloadError",
    "EmptyOutput",
    "IntegrityError",
    "LockTimeout",
    "PinMismatch",
    "StalePins",
    "MediaError",
    "ModelError",
    "ModelNotFound",
    "ModelUnavailable",
    "OutputError",
    "ReportError",
    "ReportMismatch",
    "UnsafePathError",
    "UsageError",
    "VcpError",
    "redact_url",
]


class VcpError(Exception):
    """Root of vcp's errors: a message, where it happened, and what to do next."""

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        return self.message


_SECRET_PARAM = re.compile(r"sig|token|key|expires|credential|auth|policy|secret", re.I)


def redact_url(url: str) -> str:
    """``url`` fit for messages and logs: no ``user:password@``, and the values of signing
    parameters (signed CDN URLs carry keys in their query) replaced by ``***``."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    query = urlencode(
        [(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in parse_qsl(parts.query, True)],
        safe="*",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


# -- configuration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfigProblem:
    """One located problem in a configuration: ``file:line:col: field: message``."""

    field: str
    message: str
    source: str | None = None  # file name, or "environment variable X"
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based

    def __str__(self) -> str:
        place = self.source or "<settings>"
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        field = f"{self.field}: " if self.field else ""
        return f"{place}: {field}{self.message}"


class ConfigError(VcpError):
    """The configuration is malformed or has a wrong value; carries every problem found."""

    def __init__(self, problems: Sequence[ConfigProblem], *, hint: str | None = None) -> None:
        self.problems = tuple(problems)
        message = "\n".join(str(p) for p in self.problems) or "invalid configuration"
        first = self.problems[0] if self.problems else None
        super().__init__(
            message,
            where=first.source if first else None,
            hint=hint or "fix the field named above (`vcp config show` prints the settings)",
        )


# -- models --------------------------------------------------------------------------------------


class ModelError(VcpError):
    """A model could not be made ready. ``model`` is the source name, ``file`` the file in it."""

    def __init__(
        self,
        message: str,
        *,
        model: str | None = None,
        file: str | None = None,
        where: str | None = None,
        hint: str | None = None,
    ) -> None:
        prefix = _subject(model, file)
        super().__init__(f"{prefix}{message}", where=where, hint=hint)
        self.detail = message  # without the "model 'x', file 'y': " subject
        self.model = model
        self.file = file


def _subject(model: str | None, file: str | None) -> str:
    if model and file:
        return f"model {model!r}, file {file!r}: "
    if model:
        return f"model {model!r}: "
    return ""


class DownloadError(ModelError):
    """A transfer failed: connection errors, timeouts, or an HTTP status retrying cannot fix."""

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        attempts: int | None = None,
        path: Path | None = None,
        model: str | None = None,
        file: str | None = None,
        hint: str | None = None,
        code: str | None = None,
    ) -> None:
        url = redact_url(url) if url else url
        self.url = url
        self.status = status
        self.attempts = attempts
        self.path = path
        self.code = code  # the Hub's X-Error-Code (RepoNotFound, GatedRepo, ...), if any
        super().__init__(message, model=model, file=file, where=url, hint=hint)


class ModelNotFound(DownloadError):
    """The server says the repository, revision or file does not exist."""

    @classmethod
    def missing_files(
        cls,
        names: Sequence[str],
        *,
        repo: str,
        revision: str,
        commit: str,
        listing: Sequence[str],
        model: str,
    ) -> ModelNotFound:
        """Files ``hf.files`` names that the repo does not hold at that commit."""
        shown = ", ".join(listing[:12]) or "no files"
        return cls(
            f"{', '.join(map(repr, names))} not found in {repo} at {revision} ({commit[:12]})",
            model=model,
            code="EntryNotFound",
            hint=f"check hf.files in the config; the repo has: {shown}",
        )

    @classmethod
    def missing_revision(
        cls, cause: DownloadError, *, repo: str, revision: str, refs: Refs
    ) -> ModelNotFound:
        """A branch, tag or commit the repo does not have, with the refs it does have."""
        message = f"revision {revision!r} not found in {repo}"
        return cls._from(
            cause, message, f"{repo} has {_known(refs)}; or pin a commit id (vcp models pin)"
        )

    @classmethod
    def vanished_commit(
        cls, cause: DownloadError, *, repo: str, commit: str, refs: Refs
    ) -> ModelNotFound:
        """A pinned commit that is gone (history rewritten), with the refs the repo has now."""
        return cls._from(
            cause,
            f"pinned commit {commit} is no longer in {repo}",
            f"its history was rewritten or the commit deleted. {repo} has {_known(refs)}: set "
            f"hf.revision of {cause.model!r} to one of them, make sure its files are ones you "
            "trust, and run `vcp models pin --force`",
        )

    @classmethod
    def _from(cls, cause: DownloadError, message: str, hint: str) -> ModelNotFound:
        kept: dict[str, Any] = {"url": cause.url, "status": cause.status, "code": cause.code}
        error = cls(message, model=cause.model, hint=hint, **kept)
        error.__cause__ = cause
        return error


Refs = tuple[Sequence[str], Sequence[str]]  # a repo's branch names and tag names


def _known(refs: Refs) -> str:
    return f"branches: {', '.join(refs[0]) or '-'}; tags: {', '.join(refs[1]) or '-'}"


class AuthRequired(DownloadError):
    """The server refuses without a token, or the token has not been granted access."""


class IntegrityError(ModelError):
    """Downloaded or cached bytes do not match what was expected."""

    def __init__(
        self,
        *,
        what: str,
        expected: str,
        got: str,
        path: Path | None = None,
        url: str | None = None,
        model: str | None = None,
        file: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.what = what
        self.expected = expected
        self.got = got
        self.path = path
        self.url = url = redact_url(url) if url else url
        super().__init__(
            f"{what} mismatch: expected {expected}, got {got}",
            model=model,
            file=file,
            where=url or (str(path) if path else None),
            hint=hint,
        )


class PinMismatch(IntegrityError):
    """A pinned checksum differs from the Hub's or a server's (``fields``: model, file, url...)."""

    def __init__(self, *, pinned: str, got: str, **fields: Any) -> None:
        super().__init__(what="pinned checksum", expected=pinned, got=got, **fields)


class StalePins(PinMismatch):
    """Pins the Hub disagrees with and no ``force``: nothing written. Fields: the first mismatch;
    ``lines``: what the user reads about each stale source, shown before the error."""

    def __init__(
        self,
        *,
        count: int,
        pins: Sequence[object] = (),
        lines: Sequence[object] = (),
        **fields: Any,
    ) -> None:
        hint = (
            f"nothing was written: {count} pinned checksum(s) disagree with the Hub (listed "
            "above). If the change is one you trust, run `vcp models pin --force` to replace "
            "them; otherwise pin hf.revision to the commit you trust"
        )
        super().__init__(hint=hint, **fields)
        self.count, self.pins, self.lines = count, tuple(pins), tuple(lines)


class DiskSpaceError(ModelError):
    """Free space at the cache is below what the pending downloads need."""

    def __init__(
        self, *, required: int, available: int, path: Path, model: str | None = None
    ) -> None:
        self.required = required
        self.available = available
        self.path = path
        super().__init__(
            f"not enough disk space: {_mb(required)} needed, {_mb(available)} free at {path}",
            model=model,
            where=str(path),
            hint=(
                "free some space, or point the cache elsewhere with models.cache_dir in the config "
                "or VCP_MODELS__CACHE_DIR=/bigger/disk"
            ),
        )


def _mb(n: int) -> str:
    return f"{n / 1_000_000:,.1f} MB"


class UnsafePathError(ModelError):
    """A file name from a config or a server would land outside the cache."""

    def __init__(self, name: str, reason: str, *, model: str | None = None) -> None:
        self.name = name
        self.reason = reason
        super().__init__(
            f"refusing file name {name!r}: {reason}",
            model=model,
            hint="file names must be relative paths inside the repository",
        )


class LockTimeout(ModelError):
    """Another process held the lock on a file longer than the configured wait."""

    def __init__(
        self,
        *,
        lock_path: Path,
        waited: float,
        holder: str | None,
        model: str | None,
        file: str | None,
    ) -> None:
        self.lock_path = lock_path
        self.waited = waited
        self.holder = holder
        who = f" (held by {holder})" if holder else ""
        super().__init__(
            f"gave up after waiting {waited:.0f} s for the lock {lock_path}{who}",
            model=model,
            file=file,
            where=str(lock_path),
            hint=(
                "another process is still fetching this file: wait for it or stop it, then run "
                "again (raise models.download.lock_timeout_seconds to wait longer)"
            ),
        )


class ModelUnavailable(ModelError):
    """The model is not in the cache and vcp may not (or cannot) fetch it."""


# -- analysis ------------------------------------------------------------------------------------


class MediaError(VcpError):
    """A video or audio input cannot be opened or decoded."""


class DetectorError(VcpError):
    """A detector failed to load its model or to run."""


class ClusterError(VcpError):
    """A run on a Ray cluster cannot start (Ray not installed, the cluster unreachable) or one
    film's task failed on every try (its worker died each time)."""


class ReportError(VcpError):
    """A report file cannot be read: corrupt JSON, an unknown format or version, another video's."""


class ReportMismatch(ReportError):
    """A report that does not belong to ``video``: ``reason`` says how (another file name,
    another length). The caller's force option uses it anyway; the CLI names that option."""

    def __init__(self, video: Path, reason: str, *, report_path: Path | None = None) -> None:
        self.video = Path(video)
        self.reason = reason
        self.report_path = report_path
        super().__init__(
            f"this report does not belong to {self.video.name}: {reason}",
            where=str(report_path or video),
            hint="use the video's own report, or analyse the video again",
        )


class UsageError(VcpError):
    """A command-line argument cannot work: an unknown format, a bad combination of options."""


class OutputError(VcpError):
    """An output vcp refuses to write, or could not write.

    ``path`` is the output, ``reason`` why. Refused: it is a file the command reads (never
    written, whatever the options), an existing file of another kind (``force_allows``: the
    caller's force option would replace it), a folder, or in a folder that cannot take it. Failed:
    the disk filled up or the system refused (``reason`` says which); nothing was changed then.
    The library names no command-line option; the CLI adds them to the hint.
    """

    def __init__(
        self, path: Path, reason: str, *, force_allows: bool = False, hint: str | None = None
    ) -> None:
        self.path = Path(path)
        self.reason = reason
        self.force_allows = force_allows
        super().__init__(f"{self.path.name}: {reason}", where=str(self.path), hint=hint)

    @classmethod
    def not_written(cls, path: Path, exc: OSError) -> OutputError:
        """``path`` could not be written: the system refused (a full disk, a file size limit, a
        folder that went away). Nothing was changed."""
        return cls(
            path,
            f"cannot write it: {exc.strerror or exc}",
            hint="check the free space and the permissions of that folder; nothing was changed",
        )


class EmptyOutput(OutputError):
    """An output that would hold nothing, so it is not made: ``reason`` says why (the film has
    no text subtitles to clean, say). Another place or ``force`` would not help."""
