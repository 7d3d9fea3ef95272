"""Fixtures shared by every test tier.

No test may see the developer's own environment or caches: the autouse fixture below clears vcp's
and Hugging Face's variables and points HF_HOME at an empty temporary folder. The fixtures below
also give the default models' mirror, a cache and settings for it, fault knobs for a mirror,
vcp's command line run in-process (``vcp``, with ``restore_logging``), a ready model cache with an
offline config for analysing (``ready_cache``, ``config``), and the small real films the censor,
rewrite and subtitle tests work on (``films``, ``plain_film``). Plain helpers live in
tests/vcp_testing/.

``--compute-type float32`` (or ``VCP_TEST_COMPUTE_TYPE=float32 make test``) loads every whisper
model of the session with that compute type instead of the configured one, to see that the
speech tests hold on other kernels too (scripts/cpu_variance.py runs them so).
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from vcp_testing.cli import Result, Run, in_process
from vcp_testing.hashes import HashedBytes

from vcp.config import ModelsSettings, load_settings
from vcp.mirror import Faults, MirrorServer, seed_default_models

if TYPE_CHECKING:
    from vcp_testing.censor_films import Film, Masters

_ENV_PREFIXES = ("VCP_", "HF_", "HUGGING_FACE_")
_COMPUTE_TYPES = ("int8", "int8_float32", "int16", "float32")
# Fixtures that stand for a server: loopback mirrors, and aioresponses-mocked Hubs (``hub``).
_SERVERS = {"default_mirror", "mirror", "cdn_mirror", "token_mirror", "hub", "vcp"}


def pytest_addoption(parser: pytest.Parser) -> None:
    # read here, before the autouse fixture below clears every VCP_ variable of each test
    parser.addoption(
        "--compute-type",
        choices=_COMPUTE_TYPES,
        default=os.environ.get("VCP_TEST_COMPUTE_TYPE") or None,
        help="load every whisper model with this compute_type (default: as configured; "
        "env VCP_TEST_COMPUTE_TYPE)",
    )


def pytest_report_header(config: pytest.Config) -> list[str]:
    """What decides the models' kernels, so a failure on another machine can be placed."""
    forced = {k: v for k, v in os.environ.items() if k.startswith(("CT2_FORCE", "CT2_USE"))}
    compute = config.getoption("--compute-type") or "as configured"
    return [f"whisper compute_type: {compute}; {forced or 'CTranslate2 picks its own kernels'}"]


@pytest.fixture(scope="session", autouse=True)
def _whisper_compute_type(request: pytest.FixtureRequest) -> Iterator[None]:
    compute_type = request.config.getoption("--compute-type")
    if not compute_type:
        yield
        return
    import faster_whisper

    class Forced(faster_whisper.WhisperModel):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **{**kwargs, "compute_type": compute_type})

    # vcp imports WhisperModel from faster_whisper when it loads a model: every path sees this
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(faster_whisper, "WhisperModel", Forced)
        yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tier as a marker (tests are foldered by the code they test, not by tier).

    ``processes``: under a processes/ folder (other OS processes, signals). ``integration``: under
    an integration/ folder, or using a mirror server or aioresponses. ``unit``: the rest.
    Select with ``-m unit``, ``-m "not processes"``...
    """
    for item in items:
        parts = item.path.parts
        fixtures = set(getattr(item, "fixturenames", ()))
        if "processes" in parts:
            item.add_marker(pytest.mark.processes)
        elif "integration" in parts or fixtures & _SERVERS:
            item.add_marker(pytest.mark.integration)
        else:
            item.add_marker(pytest.mark.unit)


_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "ip6-localhost"})
_real_getaddrinfo = socket.getaddrinfo


def _loopback_only_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    """Name resolution for loopback only: no test may reach (or even look up) another host."""
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name in _LOOPBACK_NAMES or name.startswith("127."):
        return _real_getaddrinfo(host, *args, **kwargs)
    raise socket.gaierror(socket.EAI_NONAME, f"tests may only reach 127.0.0.0/8, not {name!r}")


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # The default config's fallback is a GitHub release URL: if a test ever made the primary
    # source fail, the lookup of github.com must fail here instead of leaving the machine.
    monkeypatch.setattr(socket, "getaddrinfo", _loopback_only_getaddrinfo)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(_ENV_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    # Path.home() must not lead to the developer's own caches (~/.cache/huggingface/hub...).
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture(scope="session")
def default_models_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mirror root holding the two default models (seeded once per session)."""
    root = tmp_path_factory.mktemp("default-models")
    seed_default_models(root)
    return root


@pytest.fixture
async def default_mirror(default_models_root: Path) -> AsyncIterator[MirrorServer]:
    """The mirror serving the default models on a loopback port."""
    async with MirrorServer(default_models_root) as mirror:
        yield mirror


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> HashedBytes:
    """Every byte vcp hashes from now on, counted (``hashed.total``)."""
    return HashedBytes().install(monkeypatch)


@pytest.fixture
def faults() -> Faults:
    """Fault knobs for a mirror, all off; a test turns on what it needs."""
    return Faults()


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    """An empty model cache for one test."""
    return tmp_path / "cache"


@pytest.fixture
def models_settings(cache_dir: Path) -> Callable[..., ModelsSettings]:
    """Build ModelsSettings from the built-in default config, pointed at a mirror and ``cache_dir``.

    ``models_settings(mirror.url, sources=[...], max_concurrent_files=2, ...)``: keyword arguments
    that name DownloadSettings fields override them; ``sources`` replaces the default sources.
    """

    def build(endpoint: str, *, sources: Any = None, **download: Any) -> ModelsSettings:
        base = load_settings().models
        data = base.model_dump()
        data["cache_dir"] = cache_dir
        data["hub"]["endpoint"] = endpoint
        data["download"].update(download)
        if sources is not None:
            data["sources"] = sources
        return ModelsSettings.model_validate(data)

    return build


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """main() points the root logger at the captured stderr; put it back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def vcp(capsys: pytest.CaptureFixture[str]) -> Run:
    """``await vcp("models", "list")``: the CLI in a worker thread, and what it printed.

    Modules using it also use ``restore_logging``; a module may override ``vcp`` with its own.
    """
    return in_process(capsys)


@pytest.fixture
def film(tmp_path: Path) -> tuple[Path, Path]:
    """``(video, report)``: a copy of the sample in a temp folder and its hand-written report
    beside it (tests/vcp_testing/reports.py). tests/censor and tests/media/rewrite have their
    own ``film``."""
    from vcp_testing.reports import film_with_report

    return film_with_report(tmp_path / "films")


@pytest.fixture(scope="session")
def ready_cache(default_models_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model cache holding both default models, filled once from the mirror."""
    from vcp_testing.analysis import fill_cache

    cache = tmp_path_factory.mktemp("ready-cache")
    fill_cache(default_models_root, cache)
    return cache


@pytest.fixture
def config(ready_cache: Path, tmp_path: Path) -> Path:
    """A config using ``ready_cache`` for analysing offline: its endpoint is a closed port, so
    nothing downloads (tests/analysis and the analyze command's tests in tests/cli)."""
    from vcp_testing.analysis import config_data, write_config

    return write_config(tmp_path / "vcp.yaml", config_data("http://127.0.0.1:9", ready_cache))


@pytest.fixture(scope="session")
def film_masters(tmp_path_factory: pytest.TempPathFactory) -> Masters:
    """The session's test films of the censor and rewrite tests
    (``vcp_testing.censor_films.KINDS``), each made once."""
    from vcp_testing.censor_films import Masters

    return Masters(tmp_path_factory.mktemp("films"))


@pytest.fixture
def films(film_masters: Masters, tmp_path: Path) -> Callable[[str], Film]:
    """``films("mkv")``: a copy of that film in this test's tmp_path (tests/censor's ``film`` is
    ``films("mkv")``)."""
    from vcp_testing.censor_films import Film

    def copy(kind: str) -> Film:
        master = film_masters[kind]
        path = tmp_path / master.path.name
        shutil.copyfile(master.path, path)
        return Film(path, master.duration, master.audio, master.subtitles)

    return copy


@pytest.fixture(scope="session")
def plain_film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4-second H.264 + AAC film without subtitles (the subtitle tests add theirs:
    ``vcp_testing.subtitles.with_subtitles``)."""
    from vcp_testing.videos import write_video

    return write_video(tmp_path_factory.mktemp("plain") / "plain.mp4", seconds=4.0)


@pytest.fixture
def subtitles_only(tmp_path: Path) -> Path:
    """A config whose one detector is subtitles: no model, nothing to download."""
    path = tmp_path / "subtitles-only.yaml"
    path.write_text(
        f"merge_defaults: false\nmodels:\n  cache_dir: {tmp_path / 'cache'}\n"
        "detectors:\n  - name: subtitles\n    type: subtitles\n"
    )
    return path


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], restore_logging: None) -> Callable[..., Result]:
    """``run("export", path)``: vcp's command line in this process (no event loop of the test's
    own to keep serving, unlike ``vcp``), and what it printed."""
    from vcp.cli.main import main

    capsys.readouterr()

    def run(*argv: str | Path) -> Result:
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run
