"""``vcp mirror serve`` started wrong: a clear error (what, where, what to do) and exit 2, never a
traceback nor a mirror that serves nothing."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vcp.cli.main import main
from vcp.mirror import add_repo

pytestmark = pytest.mark.usefixtures("restore_logging")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "mirror"
    add_repo(folder, "acme/tiny", {"model.bin": b"weights"})
    return folder


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port another program is listening on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def serve(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    code = main(["mirror", "serve", *map(str, args)])
    return code, capsys.readouterr().err


def test_a_busy_port_is_a_clear_error(
    root: Path, busy_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = serve(capsys, "--root", root, "--port", str(busy_port))

    assert code == 2
    assert f"error: cannot listen on 127.0.0.1:{busy_port}: the port is already in use" in err
    assert "hint: stop the program using it, or pick another port" in err


def test_a_busy_cdn_port_is_named(
    root: Path, busy_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = serve(capsys, "--root", root, "--port", "0", "--cdn-port", str(busy_port))

    assert code == 2
    assert f"127.0.0.1:{busy_port}: the port is already in use" in err


def test_a_host_that_does_not_resolve_is_a_clear_error(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = serve(capsys, "--root", root, "--host", "mirror.invalid", "--port", "0")

    assert code == 2
    assert "error: cannot listen on mirror.invalid:0: no such host name or address" in err
    assert "hint: use an address of this machine: 127.0.0.1" in err


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_a_port_outside_0_to_65535_is_a_usage_error(
    root: Path, capsys: pytest.CaptureFixture[str], port: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["mirror", "serve", "--root", str(root), "--port", port])

    assert exit_info.value.code == 2
    assert "error: argument --port:" in capsys.readouterr().err


def test_a_root_that_does_not_exist_is_refused_before_listening(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-folder"

    code, err = serve(capsys, "--root", missing, "--port", "0")

    assert code == 2
    assert err.splitlines()[:2] == [
        "error: --root: the folder to serve does not exist",
        f"  where: {missing}",
    ]
    assert "hint: give a Hub-layout folder" in err


def test_a_root_that_is_a_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "models.tar"
    file.write_bytes(b"not a folder")

    code, err = serve(capsys, "--root", file, "--port", "0")

    assert code == 2
    assert "error: --root: the root to serve is not a folder" in err


@pytest.mark.slow
def test_an_empty_root_is_served_with_a_warning(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "vcp", "mirror", "serve", "--root", str(tmp_path), "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()
    finally:
        proc.kill()
        proc.communicate(timeout=30)

    assert "holds no models--{org}--{name} folders and no files/" in first
    assert "every request will get 404" in first


@pytest.mark.slow
def test_a_busy_port_in_a_real_process_exits_2_without_a_traceback(
    root: Path, busy_port: int
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vcp", "mirror", "serve", "--root", root, "--port", str(busy_port)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "the port is already in use" in result.stderr


def ignore_sigint() -> None:
    """As a shell starts a background job (``vcp mirror serve ... &``): SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.slow
@pytest.mark.parametrize("preexec", [None, ignore_sigint], ids=["foreground", "background"])
def test_sigterm_stops_the_mirror_with_exit_143(root: Path, preexec: Any) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "vcp", "mirror", "serve", "--root", str(root), "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=preexec,
    )
    try:
        assert proc.stderr is not None
        assert "listening on" in proc.stderr.readline()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.returncode is None:
            proc.kill()
            proc.communicate()

    assert proc.returncode == 143
    assert "interrupted" in err and "Traceback" not in err


def test_the_hostile_body_faults_are_command_line_options(root: Path) -> None:
    from vcp.cli.commands.mirror import faults_from_args
    from vcp.cli.main import build_parser

    argv = ["mirror", "serve", "--root", str(root), "--extra-bytes", "64", "--gzip"]
    faults = faults_from_args(build_parser().parse_args(argv))

    assert faults.extra_bytes == 64 and faults.gzip is True
