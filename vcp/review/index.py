"""The page for a folder of reports: one line per film, flagged time per category, links."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from vcp.review.html import amount, e, hms, palette, render_document

__all__ = ["FilmLine", "render_index"]


@dataclass(frozen=True)
class FilmLine:
    """One film of the folder: its page, length, flagged seconds per category and number of
    uncertain segments, or its error."""

    name: str
    page: Path | None
    duration: float = 0.0
    flagged: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    uncertain: int = 0


def render_index(films: list[FilmLine], *, folder: Path, index: Path) -> str:
    """The folder page; links are relative to ``index``, so the folder can be moved as a whole."""
    categories = sorted({c for f in films for c in f.flagged}, key=str.lower)
    colours = palette(categories)
    head = "".join(
        f'<th><span class="chip" style="--c:{colours[c]}">{e(c)}</span></th>' for c in categories
    )
    unsure = any(f.uncertain for f in films)
    if unsure:
        head += '<th title="segments heard below the threshold: check them">uncertain</th>'
    rows = "".join(_row(f, categories, index, uncertain=unsure) for f in films)
    body = (
        f"<header><h1>{e(folder.name or folder)}</h1>"
        f'<span class="facts">{len(films)} films &middot; flagged time per category</span>'
        '</header><main><section class="card"><table class="films">'
        f"<tr><th>film</th><th>length</th>{head}<th>total</th></tr>{rows}</table></section></main>"
    )
    return render_document(title=f"vcp review: {folder.name}", body=body)


def _flagged(category: str, seconds: float) -> str:
    return (
        f'<td class="num" data-category="{e(category)}" data-seconds="{seconds:.3f}" '
        f'title="{seconds:.3f} s">{amount(seconds)}</td>'
    )


def _row(film: FilmLine, categories: list[str], index: Path, *, uncertain: bool) -> str:
    if film.error is not None or film.page is None:
        problem = f'<td class="warn" colspan="99">{e(film.error)}</td>'
        return f'<tr class="film"><td>{e(film.name)}</td>{problem}</tr>'
    href = quote(Path(os.path.relpath(film.page, index.parent)).as_posix())
    cells = "".join(_flagged(c, film.flagged.get(c, 0.0)) for c in categories)
    if uncertain:
        cells += (
            f'<td class="num uncertain" data-uncertain="{film.uncertain}">{film.uncertain}</td>'
        )
    total = sum(film.flagged.values())
    return (
        f'<tr class="film"><td><a href="{e(href)}">{e(film.name)}</a></td>'
        f'<td class="num">{hms(film.duration)}</td>{cells}'
        f'<td class="num" data-seconds="{total:.3f}">{amount(total)}</td></tr>'
    )
