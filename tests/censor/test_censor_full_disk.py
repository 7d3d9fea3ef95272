"""A censored copy that cannot be written (a full disk, a file size limit) is an output error, as
everywhere else in vcp: exit 2, the output named, a hint, and nothing under the output's name."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from vcp_testing.censor_films import Film, seg, write_report
from vcp_testing.diskspace import small_filesystem

# The CLI in a child process with a file size limit: a write past it fails with EFBIG (SIGXFSZ
# ignored), as a FAT32 stick fails past 4 GiB; no root or small file system needed.
_SIZE_LIMITED = textwrap.dedent(
    """
    import resource, signal, sys
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
    from vcp.cli.main import main
    sys.exit(main(sys.argv[1:]))
    """
)


def censor_in_child(*argv: str | Path, limited: bool = False) -> subprocess.CompletedProcess[str]:
    head = [sys.executable, "-c", _SIZE_LIMITED] if limited else [sys.executable, "-m", "vcp"]
    return subprocess.run(
        [*head, "censor", *map(str, argv), "--progress", "none"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_file_size_limit_is_an_output_error_and_the_old_copy_stays(film: Film) -> None:
    write_report(film, [seg(1, 1.0, 2.0, "nudity", "video")])
    out = film.path.with_name("out.mkv")
    out.write_bytes(b"an earlier censored copy")
    before = files(film.path.parent)
    done = censor_in_child(film.path, "-o", out, "--force", limited=True)
    assert done.returncode == 2, done.stderr
    assert "out.mkv: cannot write it: File too large" in done.stderr
    assert f"where: {out}" in done.stderr and "free space" in done.stderr
    assert "Traceback" not in done.stderr
    assert out.read_bytes() == b"an earlier censored copy"
    assert files(film.path.parent) == before


def test_a_full_disk_is_an_output_error_and_leaves_nothing(film: Film, tmp_path: Path) -> None:
    write_report(film, [seg(1, 1.0, 2.0, "nudity", "video")])
    with small_filesystem(tmp_path / "small", kib=32) as small:
        out = small / "out.mkv"
        done = censor_in_child(film.path, "-o", out)
        assert done.returncode == 2, done.stderr
        assert "out.mkv: cannot write it: No space left on device" in done.stderr
        assert f"where: {out}" in done.stderr and "Traceback" not in done.stderr
        assert files(small) == []
