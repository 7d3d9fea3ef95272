"""``vcp models pin``: the plan of what to pin (``plan``), moving pins to newer commits
(``upgrade``), comment-preserving YAML edits (``yaml_edits``), the printed report (``report``) and
the command's entry point (``pin``).

The names callers used to import from the former ``vcp.models.pinning`` module are re-exported
here, on first use (PEP 562), so importing a pure layer does not load the network stack.
"""

import typing as _typing

from vcp.core.lazy import lazy_exports as _lazy_exports

if _typing.TYPE_CHECKING:
    from vcp.models.pinning.pin import (
        HubPin,
        Line,
        Mismatch,
        PinOptions,
        PinPlan,
        PinReport,
        Reference,
        StalePins,
        Status,
        UrlPin,
        apply_hub,
        apply_upgrade,
        apply_url,
        hub_line,
        pin_document,
        pin_file,
        plan_hub,
        plan_upgrade,
        plan_url,
    )

__all__ = [
    "HubPin",
    "Line",
    "Mismatch",
    "PinOptions",
    "PinPlan",
    "PinReport",
    "Reference",
    "StalePins",
    "Status",
    "UrlPin",
    "apply_hub",
    "apply_upgrade",
    "apply_url",
    "hub_line",
    "pin_document",
    "pin_file",
    "plan_hub",
    "plan_upgrade",
    "plan_url",
]


__getattr__, __dir__ = _lazy_exports(
    "vcp.models.pinning", dict.fromkeys(__all__, "vcp.models.pinning.pin"), globals()
)
