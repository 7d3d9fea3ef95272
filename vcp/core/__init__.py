"""The shared core below every other package: pure helpers that config, models, mirror and
analysis all use, and that import none of them (only the standard library and ``vcp.errors``).

- ``checksums``: ``Checksum``, ``Hasher``, ``hash_file``, ETag parsing.
- ``relpaths``: safe relative paths inside a repo or a cache folder.
- ``hub_names``: the Hub's naming (commit ids, ``models--org--name`` folders, resolve URLs).
- ``atomic``: the one temp-then-rename helper.
- ``terminal``: ``terminal_safe``, text (file names, a server's words) escaped for a terminal.
- ``streams``: ``StreamKind`` and ``MediaKind``, the names of the kinds of stream.
"""
