"""``vcp models pin --upgrade``, planned: references to deprecated sources and what they become.

Pure: from the settings alone. ``vcp.models.pinning.yaml_edits.apply_upgrade`` makes the edits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vcp.config.loader import format_loc
from vcp.config.schema import ModelsSettings
from vcp.config.settings import Settings
from vcp.errors import ConfigError, ConfigProblem
from vcp.models.pinning.report import Line, Status

__all__ = ["Reference", "plan_upgrade", "upgrade_lines"]


@dataclass(frozen=True)
class Reference:
    """A reference to a deprecated source at ``loc`` in the YAML tree, and what it becomes.

    ``new`` None: the entry goes (a fallbacks list that already names the replacement, or a
    replacement that would be its own fallback).
    """

    loc: tuple[str | int, ...]
    owner: str  # the detector or source holding the reference
    old: str
    new: str | None

    def __str__(self) -> str:
        what = "" if self.new is not None else ", removed (already there)"
        return f"{format_loc(self.loc)} ({self.owner}){what}"


def plan_upgrade(settings: Settings) -> list[Reference]:
    """Every reference to a deprecated source, following chains of replacements."""
    final = _replacements(settings.models)
    refs = [
        Reference(("detectors", i, "model"), d.name, d.model, final[d.model])
        for i, d in enumerate(settings.detectors)
        if d.model in final
    ]
    for i, source in enumerate(settings.models.sources):
        kept: list[str] = []
        for j, name in enumerate(source.fallbacks):
            target = final.get(name, name)
            if target == name:
                kept.append(name)
                continue
            new = None if target == source.name or target in kept else target
            kept += [new] if new else []
            refs.append(Reference(("models", "sources", i, "fallbacks", j), source.name, name, new))
    return refs


def _replacements(models: ModelsSettings) -> dict[str, str]:
    by_name = {s.name: s for s in models.sources}
    final: dict[str, str] = {}
    for source in models.sources:
        seen = [source.name]
        current = source
        while current.deprecated is not None:
            nxt = current.deprecated.replacement
            if nxt in seen:
                chain = " -> ".join([*seen, nxt])
                raise ConfigError(
                    [ConfigProblem("models.sources", f"deprecated replacements loop: {chain}")],
                    hint="give one of them a replacement that is not deprecated",
                )
            seen.append(nxt)
            if nxt not in by_name:  # a source of the defaults, outside the file being pinned
                break
            current = by_name[nxt]
        if len(seen) > 1:
            final[source.name] = seen[-1]
    return final


def upgrade_lines(refs: Sequence[Reference]) -> list[Line]:
    """A line per deprecated source and target: every place that now names the target."""
    by_old: dict[tuple[str, str], list[Reference]] = {}
    for ref in refs:
        target = ref.new or "(removed)"
        by_old.setdefault((ref.old, target), []).append(ref)
    return [
        Line(Status.UPGRADED, old, f"-> {new}: " + ", ".join(str(r) for r in group))
        for (old, new), group in by_old.items()
    ]
