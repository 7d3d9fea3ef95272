"""``ROOT/.mirror/repos.json``: what writers read strictly and the server reads forgivingly."""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp
import pytest

from vcp.mirror import HubLayout, MirrorServer, RepoMeta, add_repo, update_repo_meta
from vcp.mirror.repo_meta import META_FILE, RepoMetaFile, read_repo_metas

MALFORMED = [
    b"{nope",
    b"[]",
    b'{"acme/m": 3}',
    b'{"acme/m": {"gated": "yes"}}',
    b'{"acme/m": {"git_tags": "v1"}}',
    b'{"acme/m": {"private": true}, "\xff": {}}',
]


def write_meta(root: Path, data: bytes) -> None:
    path = root / META_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_repo_meta_round_trips_through_json_and_checks_gated() -> None:
    meta = RepoMeta(git_tags=["v1"], gated="auto", downloads=3)  # type: ignore[arg-type]
    assert meta.git_tags == ("v1",)
    assert meta.to_json() == {"git_tags": ["v1"], "gated": "auto", "downloads": 3}
    assert RepoMeta.from_json({**meta.to_json(), "unknown": 1}) == meta
    with pytest.raises(ValueError, match="gated"):
        RepoMeta(gated="yes")  # type: ignore[arg-type]


def test_tags_and_flags_live_in_the_mirror_metadata_file(tmp_path: Path) -> None:
    add_repo(tmp_path, "acme/m", {"a.txt": b"1"}, revisions=("main", "dev"), tags=("v1", "v2"))
    add_repo(tmp_path, "acme/m", {"a.txt": b"1"}, revisions=("v2",))  # v2 becomes a branch
    update_repo_meta(tmp_path, "acme/m", gated="manual")
    assert read_repo_metas(tmp_path)["acme/m"] == RepoMeta(git_tags=("v1",), gated="manual")
    layout = HubLayout(tmp_path)
    assert set(layout.refs("acme/m")) == {"main", "dev", "v1", "v2"}
    with pytest.raises(ValueError, match="repo id"):
        update_repo_meta(tmp_path, "../x", private=True)


@pytest.mark.parametrize("data", MALFORMED)
def test_writers_refuse_a_malformed_file_and_leave_it_alone(tmp_path: Path, data: bytes) -> None:
    write_meta(tmp_path, data)
    with pytest.raises(ValueError, match=r"repos\.json is not valid|cannot read"):
        read_repo_metas(tmp_path)
    with pytest.raises(ValueError):
        update_repo_meta(tmp_path, "acme/m", likes=1)
    assert (tmp_path / META_FILE).read_bytes() == data  # not overwritten with a fresh file


def test_the_server_reader_warns_once_per_change_and_reads_a_fixed_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="vcp.mirror.repo_meta")
    reader = RepoMetaFile(tmp_path)
    assert reader.read() == {}  # no file yet: nothing to warn about
    write_meta(tmp_path, b"{nope")
    assert reader.read() == {} and reader.read() == {}
    assert len(caplog.records) == 1 and "repos.json is not valid" in caplog.text
    write_meta(tmp_path, b'{"acme/m": {"private": true}}')
    assert reader.read() == {"acme/m": RepoMeta(private=True)}
    write_meta(tmp_path, b"[1, 2]")  # broken again, differently: one more warning
    assert reader.read() == {} and reader.read() == {}
    assert len(caplog.records) == 2


async def test_a_malformed_file_does_not_break_a_running_mirror(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="vcp.mirror.repo_meta")
    add_repo(tmp_path, "acme/m", {"a.txt": b"1"})
    update_repo_meta(tmp_path, "acme/m", disabled=True)
    async with MirrorServer(tmp_path) as mirror, aiohttp.ClientSession() as http:
        info = f"{mirror.url}/api/models/acme/m"
        async with http.get(info) as resp:
            assert resp.status == 403
        write_meta(tmp_path, b'{"acme/m": {"disabled": tru')  # a half-saved hand edit
        for url in (info, f"{mirror.url}/api/models", f"{mirror.url}/acme/m/resolve/main/a.txt"):
            async with http.get(url) as resp:
                assert resp.status == 200, url  # served with default flags, not a 500
        assert [r.levelno for r in caplog.records] == [logging.WARNING]
        write_meta(tmp_path, b'{"acme/m": {"disabled": true}}')  # fixed
        async with http.get(info) as resp:
            assert resp.status == 403
    assert HubLayout(tmp_path).repo_meta("acme/m") == RepoMeta(disabled=True)
