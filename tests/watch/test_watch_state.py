"""The state file, the settings' key, what is current, and the status document and page."""

from __future__ import annotations

import json
from pathlib import Path

from vcp.config import Settings
from vcp.core.fingerprint import fingerprint
from vcp.watch import FileStat, Films, RetryPolicy, status_document, status_page
from vcp.watch.current import report_is_current, settings_key
from vcp.watch.state import Analysed, Failure, WatchState, load_state, save_state

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_the_state_file_round_trips_and_a_damaged_one_starts_empty(tmp_path: Path) -> None:
    film = tmp_path / "a.mkv"
    film.write_bytes(b"x" * 5000)
    state = WatchState(
        analysed={"a.mkv": Analysed(fingerprint(film), "sha256:abc")},
        failures={"sub/b.mp4": Failure(FileStat(10, 20), 2, "not a film", None)},
    )
    path = tmp_path / ".vcp-watch.json"
    save_state(path, state)
    assert load_state(path) == state
    assert sorted(p.name for p in tmp_path.iterdir()) == [".vcp-watch.json", "a.mkv"]  # no temp
    path.write_text("{not json")
    assert load_state(path) == WatchState()
    assert load_state(tmp_path / "missing.json") == WatchState()


def test_a_missing_foreign_or_old_report_is_not_current(tmp_path: Path) -> None:
    # The positive case needs a real analysis: test_watch_service's restart test has it (a film
    # whose report the service or `vcp analyze` wrote is not analysed again).
    film, report = tmp_path / "a.mkv", tmp_path / "a.vcp.json"
    film.write_bytes(b"x" * 5000)
    assert not report_is_current(film, report, settings=Settings())  # no report
    report.write_text("{}")
    assert not report_is_current(film, report, settings=Settings())  # not a vcp report
    old = json.loads((FIXTURES / "sample.vcp.json").read_text())
    old.pop("inference", None)  # as an older vcp wrote it: no stored inference
    report.write_text(json.dumps(old))
    assert not report_is_current(film, report, settings=Settings())


def test_where_models_come_from_is_not_part_of_the_key(tmp_path: Path) -> None:
    moved = Settings(models={"cache_dir": tmp_path, "hub": {"endpoint": "http://127.0.0.1:1"}})
    assert settings_key(moved) == settings_key(Settings())


def test_the_status_lists_each_film_once_and_the_page_escapes_names() -> None:
    library = Path("/films")
    films = Films(settle_seconds=1, retry=RetryPolicy((60,)))
    odd = library / "<b>odd</b>.mkv"
    for path in (library / "a.mkv", odd, library / "c.mkv"):
        films.seen(path, FileStat(1, 1), 1_700_000_000)
    films.tick({p: FileStat(1, 1) for p in films.settling()}, 1_700_000_001)
    films.take(1_700_000_001)
    films.failed(library / "a.mkv", "not a film", 1_700_000_002)
    films.take(1_700_000_002)
    document = status_document(films, library=library)
    assert json.loads(json.dumps(document)) == document
    assert document["counts"] == {
        "settling": 0, "queued": 1, "running": 1, "done": 0, "failed": 1,
    }  # fmt: skip
    assert document["failed"] == [
        {
            "path": "a.mkv",
            "since": "2023-11-14T22:13:22+00:00",
            "reason": "not a film",
            "failures": 1,
            "next_retry": "2023-11-14T22:14:22+00:00",
        }
    ]
    page = status_page(document)
    assert "&lt;b&gt;odd&lt;/b&gt;.mkv" in page and "<b>odd" not in page
