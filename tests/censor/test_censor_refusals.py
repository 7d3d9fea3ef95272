"""Bad input: a clear message, the right exit code, and nothing under the output's name."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import anyio
import pytest
from vcp_testing.censor_films import (
    CLI,
    Film,
    audio_of,
    dbfs,
    seg,
    video_packets,
    window,
    write_report,
)

from vcp.censor import CensorProgress, censor_film
from vcp.config.schema.actions import ActionsSettings


def leftovers(folder: Path) -> list[str]:
    """Temporary files censor may have left beside the output."""
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


def refused(cli: CLI, *argv: str | Path) -> tuple[int, str]:
    result = cli("censor", *argv, "--progress", "none")
    return result.returncode, result.stderr


def test_a_report_for_another_film_is_refused_unless_forced(cli: CLI, film: Film) -> None:
    out = film.path.with_name("out.mkv")
    write_report(film, [seg(1, 1.0, 1.5)], name="other.mkv", duration=5400.0)
    code, err = refused(cli, film.path, "-o", out)
    assert code == 2
    assert "does not belong to film.mkv" in err
    assert "written for 'other.mkv'" in err and "lasts 5400.000 s" in err
    assert "--force" in err
    assert not out.exists() and leftovers(film.path.parent) == []
    result = cli("censor", film.path, "-o", out, "--force", "--progress", "log")
    assert result.returncode == 0
    assert "does not match the film" in result.stderr
    assert dbfs(window(audio_of(out), 1.0, 1.5)) < -60


def test_a_report_of_an_unknown_version_is_refused(cli: CLI, film: Film) -> None:
    report = write_report(film, [])
    data = json.loads(report.read_text())
    report.write_text(json.dumps({**data, "version": 7}))
    code, err = refused(cli, film.path, "-o", film.path.with_name("out.mkv"))
    assert code == 2
    assert "version 7 is not supported" in err
    assert not film.path.with_name("out.mkv").exists()


def test_a_corrupt_report_is_located(cli: CLI, film: Film, tmp_path: Path) -> None:
    report = tmp_path / "edited.json"
    report.write_text('{\n  "format": "vcp-report",\n  "version": 1,,\n}\n')
    code, err = refused(cli, film.path, "--report", report, "-o", tmp_path / "out.mkv")
    assert code == 2
    assert "invalid JSON" in err and f"{report}:3:" in err
    assert not (tmp_path / "out.mkv").exists()


def test_a_missing_report_says_how_to_make_one(cli: CLI, film: Film, tmp_path: Path) -> None:
    code, err = refused(cli, film.path, "-o", tmp_path / "out.mkv")
    assert code == 2
    assert "no such report file" in err and "vcp analyze" in err


def test_the_output_may_not_be_the_input(cli: CLI, film: Film) -> None:
    write_report(film, [seg(1, 1.0, 1.5)])
    before = film.path.read_bytes()
    code, err = refused(cli, film.path, "-o", film.path.parent / "." / film.path.name)
    assert code == 2 and "the output is the input" in err
    assert film.path.read_bytes() == before


def test_an_existing_output_needs_force(cli: CLI, film: Film) -> None:
    write_report(film, [seg(1, 1.0, 1.5)])
    out = film.path.with_name("out.mkv")
    out.write_bytes(b"keep me")
    code, err = refused(cli, film.path, "-o", out)
    assert code == 2 and "already exists" in err and "--force" in err
    assert out.read_bytes() == b"keep me"
    assert cli("censor", film.path, "-o", out, "--force", "--progress", "none").returncode == 0
    assert video_packets(out) == video_packets(film.path)


def test_a_missing_output_folder_is_refused(cli: CLI, film: Film) -> None:
    write_report(film, [seg(1, 1.0, 1.5)])
    code, err = refused(cli, film.path, "-o", film.path.parent / "nowhere" / "out.mkv")
    assert code == 2 and "the output folder does not exist" in err
    assert not (film.path.parent / "nowhere").exists()


def test_an_unwritable_output_folder_is_refused(cli: CLI, film: Film) -> None:
    write_report(film, [seg(1, 1.0, 1.5)])
    locked = film.path.parent / "locked"
    locked.mkdir(mode=0o500)
    if os.access(locked, os.W_OK):
        pytest.skip("running as a user who can write anywhere (root)")
    code, err = refused(cli, film.path, "-o", locked / "out.mkv")
    assert code == 2 and "not writable" in err
    assert list(locked.iterdir()) == []


def test_an_output_container_that_cannot_hold_the_streams(cli: CLI, film: Film) -> None:
    write_report(film, [seg(1, 1.0, 1.5)])
    out = film.path.with_name("out.mp4")  # the film has SRT subtitles, which MP4 cannot hold
    code, err = refused(cli, film.path, "-o", out)
    assert code == 2
    assert "cannot hold a stream of the input" in err and "srt" in err
    assert f"where: {out}" in err and "(.mkv)" in err
    assert not out.exists() and leftovers(film.path.parent) == []


def test_a_film_that_is_not_media_is_a_media_error(cli: CLI, tmp_path: Path) -> None:
    fake = tmp_path / "film.mkv"
    fake.write_bytes(b"not a film at all" * 100)
    write_report(Film(fake, 6.0, True, False), [seg(1, 1.0, 1.5)])
    code, err = refused(cli, fake, "-o", tmp_path / "out.mkv")
    assert code == 4 and "not a media file" in err
    assert not (tmp_path / "out.mkv").exists()


def test_a_film_without_audio_is_copied_with_a_notice(
    cli: CLI, films: Callable[[str], Film]
) -> None:
    film = films("mute")
    write_report(film, [seg(1, 1.0, 1.5)])
    out = film.path.with_name("out.mkv")
    result = cli("censor", film.path, "-o", out, "--progress", "log")
    assert result.returncode == 0
    assert "no audio stream" in result.stderr and "copied through" in result.stderr
    assert video_packets(out) == video_packets(film.path)


async def test_cancelling_leaves_nothing_under_the_output_name(film: Film) -> None:
    write_report(film, [seg(1, 1.0, 1.5), seg(2, 2.0, 3.0, "nudity", "video")])
    out = film.path.with_name("out.mkv")
    seen: list[float] = []

    def cancel_midway(event: object) -> None:
        if isinstance(event, CensorProgress):
            seen.append(event.seconds)
            if event.seconds > 1:
                scope.cancel()

    with anyio.CancelScope() as scope:
        await censor_film(film.path, out, actions=ActionsSettings(), on_event=cancel_midway)
    assert scope.cancelled_caught
    assert seen and max(seen) < film.duration  # stopped mid-way, not after the film
    assert not out.exists()
    assert leftovers(film.path.parent) == []


async def test_an_error_in_the_event_handler_stops_the_work_and_leaves_nothing(
    film: Film,
) -> None:
    write_report(film, [seg(1, 1.0, 1.5)])
    out = film.path.with_name("out.mkv")

    def refuse(event: object) -> None:
        if isinstance(event, CensorProgress) and event.seconds > 1:
            raise RuntimeError("the handler gave up")

    with pytest.raises(RuntimeError, match="the handler gave up"):
        await censor_film(film.path, out, actions=ActionsSettings(), on_event=refuse)
    assert not out.exists()
    assert leftovers(film.path.parent) == []


def test_ctrl_c_in_the_cli_exits_130(cli: CLI, film: Film, monkeypatch: pytest.MonkeyPatch) -> None:
    import vcp.cli.progress.censor as progress

    def interrupt(self: object, seconds: float, total: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(progress.CensorRenderer, "_progress", interrupt)
    write_report(film, [seg(1, 1.0, 1.5)])
    out = film.path.with_name("out.mkv")
    result = cli("censor", film.path, "-o", out, "--progress", "log")
    assert result.returncode == 130
    assert "nothing was written" in result.stderr
    assert not out.exists() and leftovers(film.path.parent) == []


def test_a_wrong_action_in_the_config_is_located(cli: CLI, film: Film, tmp_path: Path) -> None:
    write_report(film, [seg(1, 1.0, 1.5)])
    config = tmp_path / "actions.yaml"
    config.write_text("actions:\n  categories:\n    profanity: {audio: beep}\n")
    out = film.path.with_name("out.mkv")
    code, err = refused(cli, film.path, "-o", out, "-c", config)
    assert code == 2
    assert f"{config}:3:" in err and "actions.categories.profanity.audio" in err
    assert not out.exists()


@pytest.mark.parametrize("name", ["film.mkv", "film.mp4"])
def test_skips_covering_the_whole_film_write_no_film(
    cli: CLI, films: Callable[[str], Film], name: str
) -> None:
    film = films("mkv" if name.endswith(".mkv") else "mp4")
    write_report(film, [seg(1, 0.0, 3.5, "nudity", "video"), seg(2, 3.0, 6.0, "nudity", "video")])
    out = film.path.with_name(f"out{film.path.suffix}")
    code, err = refused(cli, film.path, "-o", out)
    assert code == 2
    assert "nothing left to write" in err and "every second of the film is skipped" in err
    assert "blank" in err and "allow" in err  # the hint: what to change
    assert "Traceback" not in err
    assert not out.exists() and leftovers(film.path.parent) == []


def test_skips_covering_the_whole_film_leave_an_existing_output_alone(cli: CLI, film: Film) -> None:
    write_report(film, [seg(1, 0.0, 6.0, "nudity", "video")])
    out = film.path.with_name("out.mkv")
    out.write_bytes(b"an earlier censored copy")
    code, err = refused(cli, film.path, "-o", out, "--force")
    assert code == 2 and "nothing left to write" in err
    assert out.read_bytes() == b"an earlier censored copy"
    assert leftovers(film.path.parent) == []
