"""What the watch service is doing, for a browser or a script: a JSON document and an HTML page
(both pure), served by ``StatusServer`` on loopback (aiohttp.web).

``GET /status``: ``{"library", "counts", "settling", "queued", "running", "done", "failed"}``;
each film is ``{"path", "since"}`` (``path`` relative to the library, times ISO 8601 UTC), a
failed one also ``"reason"``, ``"failures"`` and ``"next_retry"`` (null: not before it changes).
``GET /``: the same as a page that reloads itself every few seconds.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from aiohttp import web

from vcp.errors import UsageError
from vcp.watch.films import Film, FilmState

__all__ = ["StatusDocument", "StatusServer", "status_document", "status_page"]

StatusDocument = dict[str, object]
_REFRESH_SECONDS = 5
_ORDER = (FilmState.RUNNING, FilmState.QUEUED, FilmState.SETTLING, FilmState.FAILED)


def status_document(films: Iterable[Film], *, library: Path) -> StatusDocument:
    """The status of ``films`` as JSON-ready data (lists sorted by path; the queue in order)."""
    by_state: dict[str, list[dict[str, object]]] = {s.value: [] for s in FilmState}
    for film in sorted(films, key=lambda f: (f.order, f.path)):
        by_state[film.state.value].append(_entry(film, library))
    for state in (FilmState.DONE, FilmState.FAILED, FilmState.SETTLING):
        by_state[state.value].sort(key=lambda e: str(e["path"]))
    counts = {state: len(entries) for state, entries in by_state.items()}
    return {"library": str(library), "counts": counts, **by_state}


def _entry(film: Film, library: Path) -> dict[str, object]:
    entry: dict[str, object] = {"path": _relative(film.path, library), "since": _iso(film.since)}
    if film.state is FilmState.FAILED:
        entry["reason"] = film.reason
        entry["failures"] = film.failures
        entry["next_retry"] = None if film.retry_at is None else _iso(film.retry_at)
    return entry


def _relative(path: Path, library: Path) -> str:
    try:
        return path.relative_to(library).as_posix()
    except ValueError:
        return str(path)


def _iso(seconds: float) -> str | None:
    if seconds <= 0:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def status_page(document: StatusDocument) -> str:
    """``document`` as a small self-contained HTML page."""
    counts = document["counts"]
    assert isinstance(counts, dict)
    summary = ", ".join(f"{n} {state}" for state, n in counts.items())
    sections = [_section(state.value, document) for state in (*_ORDER, FilmState.DONE)]
    library = html.escape(str(document["library"]))
    return (
        "<!doctype html>\n<html><head><meta charset='utf-8'>"
        f"<meta http-equiv='refresh' content='{_REFRESH_SECONDS}'>"
        f"<title>vcp watch: {library}</title>"
        "<style>body{font-family:sans-serif;margin:2em}td{padding:0 1em 0 0}"
        "h2{font-size:1.1em;margin-top:1.5em}</style></head><body>"
        f"<h1>vcp watch</h1><p>{library}: {html.escape(summary)}</p>"
        + "".join(sections)
        + "<p><a href='/status'>JSON</a></p></body></html>\n"
    )


def _section(state: str, document: StatusDocument) -> str:
    entries = document[state]
    assert isinstance(entries, list)
    if not entries:
        return ""
    rows = []
    for entry in entries:
        cells = [entry["path"], entry["since"]]
        if state == FilmState.FAILED.value:
            retry = entry["next_retry"] or "when the film changes"
            cells += [entry["reason"], f"{entry['failures']} failure(s), next try: {retry}"]
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    return f"<h2>{state} ({len(entries)})</h2><table>{''.join(rows)}</table>"


class StatusServer:
    """``async with StatusServer(status, host="127.0.0.1", port=0) as server:`` serves
    ``status()`` at ``server.url`` (``/status`` and ``/``) until the block ends. Port 0 takes any
    free port. An address that cannot be listened on is a UsageError."""

    def __init__(
        self, status: Callable[[], StatusDocument], *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.host, self.port = host, port
        self.url = ""
        self._status = status
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> StatusServer:
        app = web.Application()
        app.router.add_get("/status", self._json)
        app.router.add_get("/", self._page)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.host, self.port).start()
        except (OSError, OverflowError) as exc:
            await self._runner.cleanup()
            raise UsageError(
                f"the status page cannot listen on {self.host}:{self.port}: {exc}",
                where=f"{self.host}:{self.port}",
                hint="choose another port (0: any free one), or stop what uses this one",
            ) from exc
        bound = int(self._runner.addresses[0][1])
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{host}:{bound}/"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _json(self, request: web.Request) -> web.Response:
        return web.json_response(self._status(), dumps=lambda d: json.dumps(d, indent=1))

    async def _page(self, request: web.Request) -> web.Response:
        return web.Response(text=status_page(self._status()), content_type="text/html")
