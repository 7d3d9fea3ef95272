"""Modules imported at their first use, for heavy libraries a run may not need at all."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """``name``, loaded when one of its attributes is first read (the ``importlib`` recipe).

    A module already imported is returned as it is. The stand-in takes its place in
    ``sys.modules``, so an ``import name`` elsewhere gets it too and loads it on first use.
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
