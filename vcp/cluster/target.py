"""Which Ray cluster ``--cluster`` means: pure parsing, no Ray."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from vcp.errors import UsageError

__all__ = ["ClusterTarget", "parse_target"]

_HOST_PORT = re.compile(r"^(?:ray://)?(?P<host>\[[0-9a-fA-F:]+\]|[\w.-]+):(?P<port>\d{1,5})$")
_LOOPBACK = ("127.", "localhost", "[::1]")


@dataclass(frozen=True, slots=True)
class ClusterTarget:
    """Where the films go.

    ``auto``: the cluster this machine belongs to (``RAY_ADDRESS``, or one started here with
    ``ray start``), else a private one on this machine; ``local``: always a private one on this
    machine, listening on loopback only; ``address``: a head node, ``HOST:PORT`` (its GCS port,
    when this machine is one of the cluster's nodes) or ``ray://HOST:PORT`` (its Ray Client
    port, from anywhere).
    """

    kind: Literal["auto", "local", "address"]
    address: str | None = None

    @property
    def on_loopback(self) -> bool:
        """True when every node is on this machine's loopback (a private or a test cluster)."""
        if self.kind == "local":
            return True
        host = (self.address or "").removeprefix("ray://")
        return self.kind == "address" and host.startswith(_LOOPBACK)

    def __str__(self) -> str:
        return self.address if self.address is not None else self.kind


def parse_target(text: str) -> ClusterTarget:
    """``auto``, ``local``, ``HOST:PORT`` or ``ray://HOST:PORT``; anything else is a UsageError."""
    value = text.strip()
    if value == "auto":
        return ClusterTarget("auto")
    if value == "local":
        return ClusterTarget("local")
    found = _HOST_PORT.match(value)
    if found is None or not 0 < int(found["port"]) < 65536:
        raise UsageError(
            f"--cluster {text!r} is not a Ray cluster",
            hint="give auto, local, ray://HOST:PORT (the head's client port, 10001 by default) "
            "or HOST:PORT (the head's address from `ray start --head`, 6379 by default)",
        )
    return ClusterTarget("address", value)
