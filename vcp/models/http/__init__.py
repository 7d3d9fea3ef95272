"""The HTTP boundary: the only place that sees aiohttp. The client and its replies (``client``),
the retry policy (``policy``) and the one retry loop (``retrying``)."""
