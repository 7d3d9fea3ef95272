"""vcp's version, in the lowest layer so that any package may record it (the report does)
without importing the package root. ``vcp.__version__`` re-exports it; pyproject.toml's
``version`` must say the same (``tests/test_exported_members.py`` checks the installed one)."""

__version__ = "0.1.0"
