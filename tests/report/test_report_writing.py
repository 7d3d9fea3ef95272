"""Writing a report: a full disk is an OutputError that changes nothing, and the file gets the
same permissions as every other output (the umask's, not mkstemp's 0600)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from vcp_testing.diskspace import small_filesystem

from vcp.errors import OutputError
from vcp.report import InputInfo, Report, Segment, Summary, ToolInfo, load_report, write_report


def _report(name: str = "movie.mp4") -> Report:
    return Report(
        input=InputInfo(path=f"/films/{name}", name=name, size=10, duration=60.0),
        summary=Summary.of(()),
        segments=(),
        vcp=ToolInfo(version="0.1.0", created="2026-12-01T00:00:00+00:00"),
    )


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_a_report_gets_the_umasks_permissions_like_every_other_output(tmp_path: Path) -> None:
    path = write_report(_report(), tmp_path / "movie.vcp.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~_umask()


# RLIMIT_FSIZE makes any write past the limit fail with EFBIG (SIGXFSZ ignored), as a full disk
# fails with ENOSPC: the same OSError path, without root or a small file system.
_FULL_DISK = textwrap.dedent(
    """
    import resource, signal, sys
    from pathlib import Path
    from vcp.errors import OutputError
    from vcp.report import InputInfo, Report, Summary, ToolInfo, write_report

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))
    report = Report(
        input=InputInfo(path="/films/movie.mp4", name="new.mp4", size=10, duration=60.0),
        summary=Summary.of(()),
        segments=(),
        vcp=ToolInfo(version="0.1.0", created="2026-12-01T00:00:00+00:00"),
    )
    try:
        write_report(report, Path(sys.argv[1]))
    except OutputError as exc:
        print(type(exc).__name__, exc.path, exc.reason, sep="|")
    """
)


def test_a_full_disk_is_an_output_error_and_the_old_report_stays(tmp_path: Path) -> None:
    target = write_report(_report("old.mp4"), tmp_path / "movie.vcp.json")
    before = target.read_bytes()
    done = subprocess.run(
        [sys.executable, "-c", _FULL_DISK, str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    kind, path, reason = done.stdout.strip().split("|")
    assert kind == "OutputError" and Path(path) == target
    assert "too large" in reason.lower()
    assert target.read_bytes() == before and load_report(target).input.name == "old.mp4"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["movie.vcp.json"]


def test_a_report_in_a_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as caught:
        write_report(_report(), tmp_path / "gone" / "movie.vcp.json")
    assert caught.value.path == tmp_path / "gone" / "movie.vcp.json"
    assert not (tmp_path / "gone").exists()


def test_a_report_on_a_full_disk_is_an_output_error_and_leaves_nothing(tmp_path: Path) -> None:
    segments = tuple(
        Segment(id=i, start=i, end=i + 0.5, category="profanity", kind="audio", labels=("x",))
        for i in range(1, 2000)
    )
    big = _report().model_copy(update={"segments": segments})
    with small_filesystem(tmp_path / "small", kib=32) as small:
        target = small / "movie.vcp.json"
        with pytest.raises(OutputError) as caught:
            write_report(big, target)
        assert caught.value.path == target
        assert caught.value.reason == "cannot write it: No space left on device"
        assert caught.value.hint is not None and "free space" in caught.value.hint
        assert list(small.iterdir()) == []  # no report, no temporary file
