"""Cheap tests that let a rule skip work that cannot produce a finding (the facts already hold the answer)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from ..model.facts import FunctionInfo, ModuleFacts
from ..model.project import Project


def has_any(fn: FunctionInfo, kinds: Iterable[type]) -> bool:
    """Whether the function (nested scopes included) holds a node of one of the exact types `kinds`."""
    index = fn.by_type
    return any(kind in index for kind in kinds)


def function_of(project: Project, qualname: str | None, module: ModuleFacts) -> tuple[ModuleFacts, FunctionInfo] | None:
    """`project.function(qualname, module)`, remembered in `project.derived` until the project changes."""
    if qualname is None:
        return None
    memo = project.derived.get("gates.function_of")
    if not isinstance(memo, dict):
        memo = project.derived["gates.function_of"] = {}
    key = (qualname, id(module))
    kept = memo.get(key)
    if kept is not None and kept[0] is module:
        return cast(tuple[ModuleFacts, FunctionInfo] | None, kept[1])
    found = project.function(qualname, module)
    memo[key] = (module, found)
    return found
