"""Render the model manager's download events for the terminal.

The library only emits frozen events (``vcp.models.events``); this module is the one place that
draws them: tqdm bars on a terminal, plain log lines when output goes to a file or a CI log, or
nothing at all. Sizes are decimal megabytes everywhere, so a bar and a log line agree.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Self, TextIO

from tqdm import tqdm

from vcp.cli.console_log import console_logging
from vcp.cli.progress.modes import ProgressMode, ProgressRenderer, choose_mode
from vcp.cli.text import count
from vcp.core.terminal import terminal_safe
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

__all__ = ["make_renderer"]


def make_renderer(
    mode: ProgressMode,
    *,
    stream: TextIO | None = None,
    quiet: bool = False,
    env: Mapping[str, str] | None = None,
    clock: Callable[[], float] = time.monotonic,
    log_interval: float = 5.0,
    errors_below: bool = False,
) -> ProgressRenderer:
    """Build the renderer ``mode`` resolves to (see ``choose_mode``), writing to ``stream``
    (default: ``sys.stderr`` as it is at the call, not at import).

    ``errors_below``: the caller prints each failed model's error itself once the run is over,
    so the "✗ model failed" line does not repeat it.
    """
    stream = sys.stderr if stream is None else stream
    env = os.environ if env is None else env
    chosen = choose_mode(mode, stream=stream, quiet=quiet, env=env)
    if chosen == "none":
        return _NoneRenderer()
    renderer: _BarsRenderer | _LogRenderer
    if chosen == "bars":
        renderer = _BarsRenderer(stream, colour=not env.get("NO_COLOR"))
    else:
        renderer = _LogRenderer(stream, clock=clock, interval=log_interval)
    renderer._notices.errors_below = errors_below
    return renderer


def _mb(n: float) -> str:
    return "<0.1 MB" if 0 < n < 50_000 else f"{n / 1e6:.1f} MB"


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def _fit(text: str, width: int) -> str:
    """Keep the end of ``text`` (the file name matters most) within ``width`` characters."""
    return text if len(text) <= width else "…" + text[-(width - 1) :]


def _holder(holder: str | None) -> str:
    if not holder:
        return ""
    return f" (pid {holder})" if holder.isdigit() else f" ({holder})"


@dataclass
class _Transfer:
    total: int | None
    received: int
    active: bool = True


class _Tally:
    """Bytes of this run's transfers; cached files are not transfers and do not count."""

    def __init__(self) -> None:
        self.files: dict[tuple[str, str], _Transfer] = {}
        self.fresh = 0  # bytes that arrived over the network, for rates

    def update(self, event: DownloadEvent) -> None:
        key = (getattr(event, "model", ""), getattr(event, "file", ""))
        match event:
            case DownloadStarted(total=total, resumed_from=resumed):
                self.files[key] = _Transfer(total, resumed)
            case BytesReceived(n=n, received=received, total=total):
                transfer = self.files.setdefault(key, _Transfer(total, 0))
                transfer.received, transfer.total = received, total or transfer.total
                self.fresh += n
            case FileVerified(size=size) if key in self.files:
                self.files[key] = _Transfer(size, size, active=False)
            case DownloadFailed():  # its bytes will never complete, so stop counting them
                self.files.pop(key, None)

    @property
    def active(self) -> int:
        return sum(t.active for t in self.files.values())

    @property
    def done(self) -> int:
        return sum(t.received for t in self.files.values())

    @property
    def total(self) -> int | None:
        """Sum of the sizes, or None while a file of unknown size is in flight."""
        sizes = [t.total for t in self.files.values()]
        return None if None in sizes else sum(s for s in sizes if s is not None)


class _Notices:
    """One-line messages for notable events; cached files are summed up per model."""

    errors_below = False  # see make_renderer

    def __init__(self) -> None:
        self._cached: Counter[str] = Counter()
        self._cached_bytes: Counter[str] = Counter()
        self._shown: list[Exception] = []

    def lines(self, event: DownloadEvent) -> list[str]:
        match event:
            case FileCached(model=model, size=size):
                self._cached[model] += 1
                self._cached_bytes[model] += size
            case Retrying(model=m, file=f, attempt=attempt, delay=delay, reason=reason):
                what = f"{m}/{f}" if f else f"{m} (file list)"
                return [f"↻ {what}: {reason}; retrying in {delay:.1f} s (attempt {attempt})"]
            case LockWaiting(model=m, file=f, holder=holder):
                return [f"waiting for another vcp process{_holder(holder)} to finish {m}/{f}"]
            case FileVerified(model=m, file=f, size=size, checksum=checksum):
                algorithm, _, digest = checksum.partition(":")
                return [f"✓ {m}/{f} {_mb(size)} verified ({algorithm}:{digest[:6]}…)"]
            case DownloadFailed(model=m, file=f, error=error):
                self._shown.append(error)
                return [f"✗ {m}/{f} failed: {error}"]
            case FileReused(model=m, file=f, size=size, origin=origin):
                return [f"✓ {m}/{f} {_mb(size)} reused from the Hugging Face cache ({origin})"]
            case FallbackUsed(model=m, fallback=fallback, reason=reason):
                return [f"! {m}: using fallback {fallback} ({reason})"]
            case SourceDeprecated(model=m, replacement=replacement, reason=reason):
                why = f": {reason}" if reason else ""
                return [
                    f"! {m} is deprecated{why}; use {replacement} instead "
                    "(`vcp models pin --upgrade` rewrites the config)"
                ]
            case ModelReady(model=model, source=source):
                via = f" (from {source})" if source and source != model else ""
                return [*self._flush(model), f"✓ {model} ready{via}"]
            case ModelFailed(model=model, error=error):
                shown = self.errors_below or any(error is e for e in self._shown)
                return [*self._flush(model), f"✗ {model} failed" + ("" if shown else f": {error}")]
        return []

    def flush_all(self) -> list[str]:
        return [line for model in list(self._cached) for line in self._flush(model)]

    def _flush(self, model: str) -> list[str]:
        files, size = self._cached.pop(model, 0), self._cached_bytes.pop(model, 0)
        if not files:
            return []
        return [f"{model}: {count(files, 'file')} already cached ({_mb(size)})"]


class _Renderer:
    """Shared context-manager behaviour: closing twice is harmless, events after close are not.

    Inside ``with``, a renderer that prints the events keeps the log from repeating them (and
    routes log records around the bars; see ``console_logging``).
    """

    closed = False
    prints_events = True
    draws_bars = False
    _logging: ExitStack | None = None

    def __enter__(self) -> Self:
        if self.prints_events and self._logging is None:
            self._logging = ExitStack()
            self._logging.enter_context(console_logging(bars=self.draws_bars))
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.closed = True
        if self._logging is not None:
            self._logging.close()
            self._logging = None


class _NoneRenderer(_Renderer):
    prints_events = False  # the log is then the only place its warnings appear

    def __call__(self, event: DownloadEvent) -> None:
        pass


class _LogRenderer(_Renderer):
    """Plain lines for files and CI logs: notable events, plus a summary every ``interval``."""

    def __init__(self, stream: TextIO, *, clock: Callable[[], float], interval: float) -> None:
        self._stream, self._clock, self._interval = stream, clock, interval
        self._tally, self._notices = _Tally(), _Notices()
        self._mark = clock()

    def __call__(self, event: DownloadEvent) -> None:
        if self.closed:
            return
        if isinstance(event, DownloadStarted):
            self._started(event)
        self._tally.update(event)
        self._write(self._notices.lines(event))
        if self._tally.active and self._clock() - self._mark >= self._interval:
            self._write([self._summary()])

    def close(self) -> None:
        if not self.closed:
            self._write(self._notices.flush_all())
        super().close()

    def _started(self, event: DownloadStarted) -> None:
        if not self._tally.active:  # a new stretch of downloading: measure the rate from here
            self._mark, self._tally.fresh = self._clock(), 0
        size = _mb(event.total) if event.total is not None else "size unknown"
        resume = f", resuming at {_mb(event.resumed_from)}" if event.resumed_from else ""
        self._write([f"downloading {event.model}/{event.file} ({size}{resume})"])

    def _summary(self) -> str:
        now = self._clock()
        rate = self._tally.fresh / max(now - self._mark, 1e-9)
        self._mark, self._tally.fresh = now, 0
        active, done, total = self._tally.active, self._tally.done, self._tally.total
        line = f"downloading {count(active, 'file')}: "
        if not total:
            return line + f"{_mb(done)}, {_mb(rate)}/s"
        eta = f", ETA {_duration((total - done) / rate)}" if rate > 0 else ""
        return line + f"{done / 1e6:.1f}/{_mb(total)} ({done / total:.0%}), {_mb(rate)}/s{eta}"

    def _write(self, lines: list[str]) -> None:
        for line in lines:
            self._stream.write(terminal_safe(line) + "\n")
        self._stream.flush()


class _BarsRenderer(_Renderer):
    """tqdm bars on a terminal: a total bar on top, one bar per file in flight below it."""

    draws_bars = True

    def __init__(self, stream: TextIO, *, colour: bool) -> None:
        self._stream, self._colour = stream, colour
        self._tally, self._notices = _Tally(), _Notices()
        self._bars: dict[tuple[str, str], tqdm] = {}
        self._total: tqdm | None = None

    def __call__(self, event: DownloadEvent) -> None:
        if self.closed:
            return
        key = (getattr(event, "model", ""), getattr(event, "file", ""))
        self._tally.update(event)
        match event:
            case DownloadStarted():
                self._open(key, event)
            case BytesReceived(received=received, total=total) if key in self._bars:
                bar = self._bars[key]
                bar.total = total or bar.total
                bar.update(received - bar.n)
            case FileVerified() | DownloadFailed() if key in self._bars:
                self._drop(key)
        self._sync_total(counts_to_rate=isinstance(event, BytesReceived))
        for line in self._notices.lines(event):
            tqdm.write(terminal_safe(line), file=self._stream)

    def close(self) -> None:
        if self.closed:
            return
        for bar in self._bars.values():
            bar.close()
        if self._total is not None:
            self._total.close()
        for line in self._notices.flush_all():
            tqdm.write(terminal_safe(line), file=self._stream)
        super().close()

    def _open(self, key: tuple[str, str], event: DownloadStarted) -> None:
        if self._total is None:  # first transfer of the run; cached-only runs draw no bars
            self._total = self._bar("total", self._tally.total, 0, position=0, leave=True)
        if key in self._bars:  # a retry starts the file over, possibly from another offset
            self._drop(key)
        desc = _fit(terminal_safe(f"{event.model}/{event.file}"), self._desc_width())
        self._bars[key] = self._bar(desc, event.total, event.resumed_from, leave=False)

    def _drop(self, key: tuple[str, str]) -> None:
        """Close a file's bar and move the bars below it up one line.

        tqdm leaves a closed bar's line blank until a new bar happens to take it (it fills gaps
        only when bars overflow the screen), so the block would show holes where finished files
        were, and keep them when no more files start.
        """
        bar = self._bars.pop(key)
        gap = abs(bar.pos)
        bar.close()
        for below in sorted((b for b in self._bars.values() if b.pos > gap), key=lambda b: b.pos):
            below.clear()
            below.pos -= 1
            below.refresh()

    def _bar(self, desc: str, total: int | None, initial: int, **options: object) -> tqdm:
        # Decimal units (not the usual unit_divisor=1024, whose "MB" would really be MiB) so a
        # bar's figures match the "12.2 MB verified" lines printed above it.
        return tqdm(
            desc=desc, total=total, initial=initial, file=self._stream, unit="B",
            unit_scale=True, unit_divisor=1000, dynamic_ncols=True, mininterval=0.2,
            colour="green" if self._colour else None, **options,
        )  # fmt: skip

    def _sync_total(self, *, counts_to_rate: bool) -> None:
        """Move the total bar to the tally; bytes found on disk do not count towards the rate."""
        bar = self._total
        if bar is None:
            return
        delta, total = self._tally.done - bar.n, self._tally.total
        if total == bar.total and not delta:
            return
        bar.total = total
        if counts_to_rate:
            bar.update(delta)
        else:  # shift the baseline tqdm measures the rate from, as `initial=` does
            bar.n += delta
            bar.last_print_n += delta
            bar.initial += delta
            bar.refresh()

    def _desc_width(self) -> int:
        try:
            columns = os.get_terminal_size(self._stream.fileno()).columns
        except (AttributeError, OSError, ValueError):
            columns = 0
        return max(16, min(48, (columns or 80) * 2 // 5))
