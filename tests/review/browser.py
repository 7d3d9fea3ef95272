"""Loading a page from disk in Debian's headless Chromium and reading what it rendered.

``render(page, tmp)`` runs ``chromium --headless --dump-dom`` on ``file://page`` (no network: the
flags keep Chromium from calling home) and returns the DOM after the page's script ran, parsed into
elements, plus the console messages Chromium logged (``--enable-logging=stderr``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
_CONSOLE = re.compile(r":CONSOLE[^\]]*\] (.*)")

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (make test installs Debian's chromium)"
)


@dataclass
class Element:
    """One element of the rendered DOM: its tag, attributes and text (for text-bearing ones)."""

    tag: str
    attrs: dict[str, str]
    text: str = ""

    @property
    def classes(self) -> set[str]:
        """The element's class names."""
        return set(self.attrs.get("class", "").split())


@dataclass
class Rendered:
    """The DOM Chromium dumped, and the console lines it logged."""

    html: str
    elements: list[Element]
    console: list[str] = field(default_factory=list)

    def select(self, tag: str, cls: str | None = None) -> list[Element]:
        """Elements with ``tag`` (and class ``cls``)."""
        return [e for e in self.elements if e.tag == tag and (cls is None or cls in e.classes)]

    def by_id(self, ident: str) -> Element:
        """The element with id ``ident``."""
        return next(e for e in self.elements if e.attrs.get("id") == ident)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in ("img", "input", "meta", "br", "link"):
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data


def render(page: Path, tmp: Path, query: str = "") -> Rendered:
    """Load ``page`` (with ``?query``) in headless Chromium; the DOM after its script ran."""
    assert CHROMIUM is not None
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--no-first-run",
        f"--user-data-dir={tmp / 'chromium-profile'}", "--enable-logging=stderr", "--v=0",
        "--dump-dom", page.resolve().as_uri() + (f"?{query}" if query else ""),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=90, check=True)
    collector = _Collector()
    collector.feed(done.stdout)
    console = [m.group(1) for m in _CONSOLE.finditer(done.stderr)]
    return Rendered(done.stdout, collector.elements, console)


def screenshot(page: Path, tmp: Path, png: Path, *, size: str = "1200,800") -> None:
    """Save a PNG of ``page`` as Chromium draws it in a ``size`` window."""
    assert CHROMIUM is not None
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
        "--disable-background-networking", "--disable-component-update", "--no-first-run",
        f"--user-data-dir={tmp / 'chromium-profile'}", f"--screenshot={png}",
        f"--window-size={size}", page.resolve().as_uri(),
    ]  # fmt: skip
    subprocess.run(command, capture_output=True, timeout=90, check=True)
