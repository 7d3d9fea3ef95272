"""vcp.models.downloading.partial: the state beside a partial file, and which partial resumes."""

from __future__ import annotations

from pathlib import Path

from vcp.models.downloading.partial import PartialState, discard_partial

ETAG = "a" * 64


def test_state_round_trips_beside_the_partial_file(tmp_path: Path) -> None:
    partial = tmp_path / "blob.1234.incomplete"
    state = PartialState(etag=ETAG, size=100, segments=[[0, 50, 20], [50, 100, 100]])
    state.save(partial)
    assert (tmp_path / "blob.1234.incomplete.json").is_file()
    assert PartialState.load(partial) == state


def test_a_missing_or_foreign_state_file_loads_as_none(tmp_path: Path) -> None:
    partial = tmp_path / "blob.incomplete"
    assert PartialState.load(partial) is None
    (tmp_path / "blob.incomplete.json").write_text('{"unexpected": 1}', encoding="utf-8")
    assert PartialState.load(partial) is None
    (tmp_path / "blob.incomplete.json").write_text("not json", encoding="utf-8")
    assert PartialState.load(partial) is None


def test_discarding_removes_the_bytes_and_the_state(tmp_path: Path) -> None:
    partial = tmp_path / "blob.incomplete"
    partial.write_bytes(b"abc")
    PartialState(ETAG, 3).save(partial)
    discard_partial(partial)
    discard_partial(partial)  # already gone: nothing to do
    assert list(tmp_path.iterdir()) == []


def test_only_bytes_of_the_same_version_resume() -> None:
    wanted = PartialState(etag=ETAG, size=100)
    assert PartialState(ETAG, 100, segments=[[0, 100, 40]]).resumes(wanted)
    assert not PartialState("b" * 64, 100).resumes(wanted)  # the file changed on the server
    assert not PartialState(ETAG, 99).resumes(wanted)
    assert not PartialState(None, 100).resumes(PartialState(None, 100))  # nothing to validate with
