"""Review pages without a browser: escaping, stills from the report, the folder index."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from vcp_testing.cli import Result
from vcp_testing.reports import film_with_report, make_report, sample_segments

from vcp.report import load_report, write_report

Run = Callable[..., Result]
_TINY_JPEG = "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2w=="


def test_page_is_self_contained(film: tuple[Path, Path], run: Run) -> None:
    video, _ = film
    assert run("review", video).returncode == 0
    html = (video.parent / "film.vcp.html").read_text(encoding="utf-8")
    assert "default-src 'none'" in html  # the browser may fetch nothing
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)


def test_report_json_cannot_close_its_script_block(tmp_path: Path, run: Run) -> None:
    segment = sample_segments()[1].model_copy(update={"category": "</script><script>alert(1)"})
    report = tmp_path / "x.vcp.json"
    write_report(make_report(tmp_path / "x.mp4", [segment]), report)
    assert run("review", report, "--no-stills").returncode == 0
    html = (tmp_path / "x.vcp.html").read_text(encoding="utf-8")
    assert "alert(1)" in html and "<script>alert(1)" not in html
    assert html.count("</script>") == 2  # the report's JSON block and the page's script


def test_stills_come_from_the_report_and_only_as_image_data(tmp_path: Path, run: Run) -> None:
    pictures = [s for s in sample_segments() if s.kind == "video"]
    good = pictures[0].model_copy(update={"thumbnail": _TINY_JPEG})
    bad = pictures[1].model_copy(update={"thumbnail": "javascript:alert(1)"})
    report = tmp_path / "r.vcp.json"
    write_report(make_report(tmp_path / "gone.mp4", [good, bad]), report)
    assert run("review", report, "-o", tmp_path / "page.html").returncode == 0
    html = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert f'src="{_TINY_JPEG}"' in html
    assert 'src="javascript' not in html and "no still" in html


def test_folder_page_has_a_line_per_film_with_flagged_minutes(tmp_path: Path, run: Run) -> None:
    folder = tmp_path / "films"
    film_with_report(folder, "first.mp4")
    film_with_report(folder / "season 2", "second film.mp4")
    (folder / "broken.vcp.json").write_text("{")
    result = run("review", folder)
    assert result.returncode == 0, result.stderr
    index = folder / "vcp-review.html"
    assert result.stdout.strip() == str(index)
    html = index.read_text(encoding="utf-8")
    rows = re.findall(r'<tr class="film">(.*?)</tr>', html)
    assert len(rows) == 3
    links = [unquote(h) for h in re.findall(r'href="([^"]+)"', html)]
    assert sorted(links) == ["first.vcp.html", "season 2/second film.vcp.html"]
    assert all((folder / link).is_file() for link in links)
    broken = next(r for r in rows if "broken" in r)
    assert "invalid JSON" in broken
    first = next(r for r in rows if "first.mp4" in r)
    assert '<td class="num">0:14</td>' in first  # the film's length
    seconds = dict(re.findall(r'data-category="([^"]+)" data-seconds="([^"]+)"', first))
    # Pictures 1-4 s (the one at 9-10.5 s is allowed); words summed per category.
    assert seconds == {"blasphemy": "0.736", "faces": "3.000", "profanity": "1.569"}


def test_folder_without_reports_is_a_usage_error(tmp_path: Path, run: Run) -> None:
    result = run("review", tmp_path)
    assert result.returncode == 2 and "no reports" in result.stderr


def test_unreadable_film_gives_a_page_without_stills(film: tuple[Path, Path], run: Run) -> None:
    video, _ = film
    video.write_bytes(b"damaged" * 1000)
    result = run("review", video)
    assert result.returncode == 0
    assert "no stills" in result.stderr and "film.mp4" in result.stderr
    html = (video.parent / "film.vcp.html").read_text(encoding="utf-8")
    assert html.count("no still") == 2 and "<img" not in html


def test_folder_page_counts_each_films_uncertain_segments(tmp_path: Path, run: Run) -> None:
    folder = tmp_path / "films"
    _, unsure = film_with_report(folder, "unsure.mp4")
    film_with_report(folder, "sure.mp4")
    report = load_report(unsure)
    marked = tuple(s.model_copy(update={"uncertain": s.id == 3}) for s in report.segments)
    write_report(report.model_copy(update={"segments": marked}), unsure)
    assert run("review", folder).returncode == 0
    html = (folder / "vcp-review.html").read_text(encoding="utf-8")
    rows = dict(re.findall(r'<tr class="film"><td><a href="[^"]+">([^<]+)</a>(.*?)</tr>', html))
    assert '<th title="segments heard below the threshold: check them">uncertain</th>' in html
    assert 'data-uncertain="1"' in rows["unsure.mp4"]
    assert 'data-uncertain="0"' in rows["sure.mp4"]
