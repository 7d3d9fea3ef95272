"""Where review pages may go: over an earlier page, yes; over anything else, only with --force;
and a folder's pages are all checked before the first is written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vcp_testing.cli import Result
from vcp_testing.reports import film_with_report

from vcp.review import is_review_page

Run = Callable[..., Result]


def test_a_page_vcp_wrote_is_refreshed_and_carries_the_marker(
    film: tuple[Path, Path], run: Run
) -> None:
    video, _ = film
    assert run("review", video, "--no-stills").returncode == 0
    page = video.parent / "film.vcp.html"
    assert '<meta name="generator" content="vcp review">' in page.read_text()
    assert is_review_page(page)
    again = run("review", video, "--no-stills")
    assert again.returncode == 0, again.stderr


def test_a_page_from_before_the_marker_is_still_recognised(tmp_path: Path) -> None:
    old = tmp_path / "old.vcp.html"
    old.write_text('<!DOCTYPE html>\n<html lang="en" data-report-name="old.vcp.json">\n<head>\n')
    mine = tmp_path / "mine.html"
    mine.write_text("<!DOCTYPE html>\n<html><body>my own page</body></html>\n")
    assert is_review_page(old) and not is_review_page(mine)


def test_the_users_own_page_needs_force(film: tuple[Path, Path], run: Run) -> None:
    video, _ = film
    page = video.parent / "film.vcp.html"
    page.write_text("<!DOCTYPE html>\n<html><body>my own page</body></html>\n")
    refused = run("review", video, "--no-stills")
    assert refused.returncode == 2
    assert "already exists and is not a vcp review page" in refused.stderr
    assert "--force" in refused.stderr and "my own page" in page.read_text()
    forced = run("review", video, "--no-stills", "--force")
    assert forced.returncode == 0, forced.stderr
    assert is_review_page(page)


def test_a_folder_writes_nothing_when_one_page_is_refused(tmp_path: Path, run: Run) -> None:
    folder = tmp_path / "films"
    film_with_report(folder, "first.mp4")
    film_with_report(folder, "second.mp4")
    (folder / "second.vcp.html").write_text("mine\n")
    result = run("review", folder, "--no-stills")
    assert result.returncode == 2 and "second.vcp.html" in result.stderr
    assert not (folder / "first.vcp.html").exists() and not (folder / "vcp-review.html").exists()
    assert (folder / "second.vcp.html").read_text() == "mine\n"


def test_a_folder_of_videos_with_reports_elsewhere_lists_the_missing_one(
    tmp_path: Path, run: Run
) -> None:
    films, reports = tmp_path / "films", tmp_path / "reports"
    video, report = film_with_report(films, "kept.mp4")
    reports.mkdir()
    report.rename(reports / report.name)
    film_with_report(films, "unanalysed.mp4")[1].unlink()
    result = run("review", films, "--reports", reports, "--no-stills")
    assert result.returncode == 0, result.stderr
    index = (reports / "vcp-review.html").read_text()
    assert "kept.vcp.html" in index and f"no report in {reports}" in index
    assert (reports / "kept.vcp.html").is_file() and video.is_file()
