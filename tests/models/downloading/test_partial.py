"""vcp.models.downloading.partial: the state beside a partial file, and which partial resumes."""

from __future__ import annotations

import json
from pathlib import Path

from vcp.models.downloading.partial import PartialState, Piece, discard_partial
from vcp.models.downloading.ranges import DownloadPart

ETAG = "a" * 64


def test_state_round_trips_beside_the_partial_file(tmp_path: Path) -> None:
    partial = tmp_path / "blob.1234.incomplete"
    state = PartialState(etag=ETAG, size=100, pieces=[Piece(0, 50, 20), Piece(50, 100, 100)])
    state.save(partial)
    # The format on disk is the one earlier versions wrote, so their partials still resume.
    on_disk = json.loads((tmp_path / "blob.1234.incomplete.json").read_text(encoding="utf-8"))
    assert on_disk == {"etag": ETAG, "size": 100, "segments": [[0, 50, 20], [50, 100, 100]]}
    assert PartialState.load(partial) == state
    assert state.received == 20 + 50


def test_a_single_stream_state_has_no_pieces(tmp_path: Path) -> None:
    partial = tmp_path / "blob.incomplete"
    PartialState(etag=ETAG, size=10).save(partial)
    loaded = PartialState.load(partial)
    assert loaded == PartialState(ETAG, 10) and loaded.received == 0


def test_pieces_know_how_far_they_got() -> None:
    piece = Piece.of(DownloadPart(1, 100, 200))
    assert (piece.done, piece.received, piece.complete) == (100, 0, False)
    piece.done = 200
    assert (piece.received, piece.complete) == (100, True)


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
    assert PartialState(ETAG, 100, pieces=[Piece(0, 100, 40)]).resumes(wanted)
    assert not PartialState("b" * 64, 100).resumes(wanted)  # the file changed on the server
    assert not PartialState(ETAG, 99).resumes(wanted)
    assert not PartialState(None, 100).resumes(PartialState(None, 100))  # nothing to validate with
