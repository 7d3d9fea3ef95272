"""Reading the local mirror's request log (``MirrorServer.stats``) in tests."""

from __future__ import annotations

from vcp.mirror import MirrorServer, RequestRecord


def api_requests(server: MirrorServer) -> list[RequestRecord]:
    """Requests for Hub metadata (``/api/...``)."""
    return [r for r in server.stats.requests if r.path.startswith("/api/")]


def file_requests(server: MirrorServer, method: str | None = None) -> list[RequestRecord]:
    """Requests for file content or headers (resolve, CDN, /files/), not Hub metadata.

    With ``method``, only the requests of that method (``"GET"``, ``"HEAD"``).
    """
    return [
        r
        for r in server.stats.requests
        if not r.path.startswith("/api/") and (method is None or r.method == method)
    ]
