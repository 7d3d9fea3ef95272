"""Review pages: one self-contained HTML file per film (timeline, stills, masked words, allow
toggles, a button that saves the edited report), and an index for a folder of films.

The pages need no server and fetch nothing: CSS, script, stills and the report are inline, and a
Content-Security-Policy forbids loading anything else. ``await build_review(...)`` writes them in a
worker thread; ``write_review`` and ``write_folder_review`` are the blocking calls.
"""

from __future__ import annotations

from vcp.review.pages import (
    INDEX_NAME,
    is_review_page,
    page_path,
    write_folder_review,
    write_review,
)
from vcp.review.run import build_review

__all__ = [
    "INDEX_NAME",
    "is_review_page",
    "page_path",
    "build_review",
    "write_folder_review",
    "write_review",
]
