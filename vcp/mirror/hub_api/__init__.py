"""The Hub's JSON API the mirror serves: ``routes`` (the aiohttp handlers and who may see what)
and ``documents`` (the answers, as pure functions of the layout's data)."""
