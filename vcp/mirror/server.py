"""Run the mirror: ``MirrorServer`` for tests and benchmarks, ``serve`` for the command line."""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import socket
from pathlib import Path
from types import TracebackType

from aiohttp import web

from vcp.errors import ConfigError, ConfigProblem
from vcp.mirror.app import STATS_ROUTE, create_app
from vcp.mirror.faults import Faults, Stats
from vcp.mirror.hub_api.routes import DEFAULT_PAGE_SIZE
from vcp.mirror.layout import HubLayout

__all__ = ["MirrorServer", "serve"]

logger = logging.getLogger(__name__)


class MirrorServer:
    """The mirror on a loopback port, as an async context manager (one use only).

        async with MirrorServer(root, cdn=True) as mirror:
            url = f"{mirror.url}/{repo_id}/resolve/main/model.bin"   # 302 to mirror.cdn_url

    With ``cdn=True`` a second server (on ``cdn_port``, 0: any free one) answers LFS redirects,
    under the host name ``localhost`` instead of ``127.0.0.1`` so that a client sees a different
    host (and must drop its token). Both servers share ``faults`` (change it at any time) and
    ``stats``. ``token`` is the ``Authorization: Bearer`` token that opens private and gated
    repos; ``page_size`` bounds tree and search pages (the rest follows a ``Link`` header).
    ``stats_routes`` mounts ``GET``/``DELETE /_mirror/stats`` (on by default: this class is for
    tests and benchmarks; ``serve`` leaves them off unless asked).
    """

    def __init__(
        self,
        root: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Faults | None = None,
        cdn: bool = False,
        cdn_port: int = 0,
        token: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        stats_routes: bool = True,
    ) -> None:
        self.root = Path(root)
        self.host = host
        self.port = port
        self.faults = faults if faults is not None else Faults()
        self.stats = Stats()
        self.cdn = cdn
        self.cdn_port = cdn_port
        self.token = token
        self.page_size = page_size
        self.stats_routes = stats_routes
        self.url = ""
        self.cdn_url: str | None = None
        self._runners: list[web.AppRunner] = []
        self._state = "new"

    async def __aenter__(self) -> MirrorServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop both servers."""
        self._state = "closed"
        while self._runners:
            await self._runners.pop().cleanup()

    async def start(self) -> None:
        """Start the CDN (with ``cdn``) and the main server; ``aclose`` stops them.

        ``async with`` does both; RuntimeError if the server was started before.
        """
        if self._state != "new":
            raise RuntimeError("a MirrorServer can be started only once")
        self._state = "open"
        try:
            if self.cdn:
                bound = await self._start(self._app(cdn_base=None), self.cdn_port)
                self.cdn_url = f"http://{_other_name(self.host)}:{bound}"
            bound = await self._start(self._app(cdn_base=self.cdn_url), self.port)
            self.url = f"http://{_url_host(self.host)}:{bound}"
        except BaseException:
            await self.aclose()
            raise

    def _app(self, *, cdn_base: str | None) -> web.Application:
        return create_app(
            self.root, faults=self.faults, stats=self.stats, cdn_base=cdn_base,
            token=self.token, page_size=self.page_size, stats_routes=self.stats_routes,
        )  # fmt: skip

    async def _start(self, app: web.Application, port: int) -> int:
        runner = web.AppRunner(app)
        await runner.setup()
        self._runners.append(runner)
        try:
            await web.TCPSite(runner, self.host, port).start()
        except (OSError, OverflowError) as exc:  # OverflowError: a port outside 0-65535
            raise _listen_error(exc, self.host, port) from exc
        return int(runner.addresses[0][1])


async def serve(
    root: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    faults: Faults | None = None,
    cdn_port: int | None = None,
    token: str | None = None,
    stats_routes: bool = False,
) -> None:
    """Serve ``root`` until cancelled; with ``cdn_port``, LFS files redirect to a second port.

    ``token``: the one ``Authorization: Bearer`` token that opens private and gated repos.
    ``stats_routes``: also answer ``GET``/``DELETE /_mirror/stats`` (for benchmarks; anyone who
    can reach the mirror may read and reset them).
    """
    _check_root(Path(root))
    server = MirrorServer(
        root, host=host, port=port, faults=faults, cdn=cdn_port is not None,
        cdn_port=cdn_port or 0, token=token, stats_routes=stats_routes,
    )  # fmt: skip
    async with server:
        logger.info("mirror of %s listening on %s", server.root, server.url)
        if server.cdn_url:
            logger.info("LFS files redirect to %s", server.cdn_url)
        if token is not None:
            logger.info("private and gated repos open to the configured token")
        if stats_routes:
            logger.info("request statistics at %s%s", server.url, STATS_ROUTE)
            if not _is_loopback(host):
                logger.warning("%s is open to anyone who can reach %s", STATS_ROUTE, server.url)
        await asyncio.Event().wait()


def _check_root(root: Path) -> None:
    """A root that does not exist is an error; one that holds nothing to serve, a warning."""
    hint = "give a Hub-layout folder: a seeded mirror (scripts/seed_mirror.py), vcp's model cache"
    hint += " or ~/.cache/huggingface/hub"
    if not root.exists():
        raise _refused("root", "the folder to serve does not exist", str(root), hint)
    if not root.is_dir():
        raise _refused("root", "the root to serve is not a folder", str(root), hint)
    if not HubLayout(root).repo_ids() and not (root / "files").is_dir():
        logger.warning(
            "%s holds no models--{org}--{name} folders and no files/: every request will get 404",
            root,
        )


def _refused(field: str, message: str, where: str, hint: str) -> ConfigError:
    """The error for an argument of the server (``field``: root, host or port) that cannot work;
    ``where`` is the folder or the ``host:port``."""
    return ConfigError([ConfigProblem(field, message, source=where)], hint=hint)


def _listen_error(exc: OSError | OverflowError, host: str, port: int) -> ConfigError:
    """What went wrong binding ``host:port``, and what to change."""
    where = f"{_url_host(host)}:{port}"
    if isinstance(exc, OverflowError):
        return _refused("port", "a port is 0-65535", where,
                        "pick a port from 1024 to 65535, or 0 for any free one")  # fmt: skip
    reason, hint = _LISTEN_REASONS.get(exc.errno or 0, (exc.strerror or str(exc), None))
    if isinstance(exc, socket.gaierror):
        reason, hint = "no such host name or address", _HOST_HINT
    field = "host" if hint == _HOST_HINT else "port"
    return _refused(field, reason, where, hint or "check the host and the port")


_HOST_HINT = (
    "use an address of this machine: 127.0.0.1 (this machine only) or 0.0.0.0 (every network)"
)
_LISTEN_REASONS = {
    errno.EADDRINUSE: (
        "the port is already in use",
        "stop the program using it, or pick another port (0 picks a free one)",
    ),
    errno.EADDRNOTAVAIL: ("this machine has no such address", _HOST_HINT),
    errno.EACCES: (
        "permission denied",
        "ports below 1024 need privileges: pick a port from 1024 to 65535",
    ),
}


def _other_name(host: str) -> str:
    """Another name for the same loopback address, so redirects cross hosts."""
    return "localhost" if host == "127.0.0.1" else _url_host(host)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
