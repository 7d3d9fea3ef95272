"""One module per command group, each with ``register(sub, common)`` adding its commands."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    # What ``register`` receives: argparse's subparsers (generic only in the type stubs).
    Subcommands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]
