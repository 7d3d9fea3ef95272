"""The public surface is explicit: all of vcp.__all__ exists, and nothing public is missed."""

import vcp


def test_all_exports_exist() -> None:
    missing = [name for name in vcp.__all__ if not hasattr(vcp, name)]
    assert missing == []


def test_public_names_are_all_exported() -> None:
    public = {
        name
        for name, value in vars(vcp).items()
        if not name.startswith("_") and not getattr(value, "__name__", "").startswith("vcp.")
    }
    assert public <= set(vcp.__all__), sorted(public - set(vcp.__all__))


def test_embedder_api_is_there() -> None:
    # What the README promises an embedding application.
    assert callable(vcp.load_settings)
    assert hasattr(vcp.ModelManager, "__aenter__")
    assert hasattr(vcp.ModelManager, "ready")
    assert hasattr(vcp.ModelManager, "ensure")
    assert issubclass(vcp.IntegrityError, vcp.ModelError)
    assert issubclass(vcp.ModelError, vcp.VcpError)


def test_every_event_type_is_exported() -> None:
    # An embedder matching on events must be able to import each one from `vcp` and `vcp.events`.
    from typing import get_args

    import vcp.events

    names = {event.__name__ for event in get_args(vcp.events.Event)}
    assert names <= set(vcp.__all__)
    assert names <= set(vcp.events.__all__)
    assert {"DownloadStarted", "AnalysisProgress", "CensorProgress"} <= names
    assert vcp.Event is vcp.events.Event and vcp.EventHandler is vcp.events.EventHandler


def test_censor_export_and_review_are_coroutine_functions_of_the_root() -> None:
    # An embedding application awaits them (docs/embedding.md); the CLI's commands are shells.
    import inspect

    for function in (vcp.analyze, vcp.censor_film, vcp.export_files, vcp.build_review):
        assert inspect.iscoroutinefunction(function), function
    assert issubclass(vcp.ReportMismatch, vcp.ReportError)
    assert issubclass(vcp.EmptyOutput, vcp.OutputError)


def test_the_download_union_keeps_its_own_name() -> None:
    from typing import get_args

    assert set(get_args(vcp.DownloadEvent)) < set(get_args(vcp.Event))
    assert vcp.ModelReady in get_args(vcp.DownloadEvent)


def test_every_analysis_event_is_exported() -> None:
    from typing import get_args

    from vcp.analysis.events import AnalysisEvent

    assert {event.__name__ for event in get_args(AnalysisEvent)} <= set(vcp.__all__)
    assert callable(vcp.analyze) and hasattr(vcp.Analyzer, "analyze")
    assert hasattr(vcp.Analyzer, "__aenter__") and hasattr(vcp.Analyzer, "analyze_many")
    assert callable(vcp.Settings.load) and hasattr(vcp.FilmResult, "error")


def test_names_load_on_first_use_and_dir_lists_them() -> None:
    assert set(vcp.__all__) <= set(dir(vcp))
    for name in vcp.__all__:  # every lazy name resolves, and nothing public comes with it
        getattr(vcp, name)
    test_public_names_are_all_exported()


def test_vcp_models_re_exports_the_manager_and_its_results() -> None:
    import vcp.models
    from vcp.models.local import LocalModel
    from vcp.models.manager import ModelManager

    assert vcp.models.ModelManager is ModelManager
    assert vcp.models.LocalModel is LocalModel
    assert {"ModelManager", "LocalModel", "LocalFile", "ModelStatus", "FileState"} <= set(
        vcp.models.__all__
    )
    assert all(hasattr(vcp.models, name) for name in vcp.models.__all__)


def test_version_matches_the_installed_metadata() -> None:
    # `vcp --version` prints vcp.__version__ (cheap); the installed package must agree.
    from importlib import metadata

    assert vcp.__version__ == metadata.version("vcp")
