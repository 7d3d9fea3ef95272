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
    # An embedder matching on events must be able to import each one from `vcp`.
    from typing import get_args

    from vcp.models.events import Event

    assert {event.__name__ for event in get_args(Event)} <= set(vcp.__all__)


def test_every_analysis_event_is_exported() -> None:
    from typing import get_args

    from vcp.analysis.events import AnalysisEvent

    assert {event.__name__ for event in get_args(AnalysisEvent)} <= set(vcp.__all__)
    assert callable(vcp.analyze) and hasattr(vcp.Analyzer, "analyze")
