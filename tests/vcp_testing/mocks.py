"""aioresponses, made to work with aiohttp 3.14 (tier-2 tests: status codes and retries).

aioresponses 0.7.9 builds responses without the ``stream_writer`` argument that aiohttp 3.14's
``ClientResponse`` requires (pnuckowski/aioresponses#289, open at the time of writing): every mocked
answer is given a request that "was already sent", which is all a finished response reads.
"""

from __future__ import annotations

import inspect
from types import SimpleNamespace
from typing import Any

import aiohttp
from aioresponses import aioresponses
from yarl import URL

_NEEDS_STREAM_WRITER = "stream_writer" in inspect.signature(aiohttp.ClientResponse).parameters


class CompatResponse(aiohttp.ClientResponse):
    """A ClientResponse aioresponses can build on aiohttp 3.14."""

    def __init__(self, method: str, url: URL, **kwargs: Any) -> None:
        if _NEEDS_STREAM_WRITER:
            kwargs.setdefault("stream_writer", SimpleNamespace(output_size=0))
        super().__init__(method, url, **kwargs)


class MockedHub(aioresponses):
    """``aioresponses`` whose answers use ``CompatResponse`` unless told otherwise."""

    def add(self, url: Any, method: str = "GET", *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("response_class", CompatResponse)
        super().add(url, method, *args, **kwargs)
