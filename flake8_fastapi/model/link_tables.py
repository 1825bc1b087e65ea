"""The project-wide link tables kept across updates (`Project.objects`, `.includes`, `.routes`).

After an edit, a module whose apps and routers keep their keys, or whose includes and routes are as many as
before, has its share replaced in place, keeping the module order of the merged table; anything else rebuilds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .links import Include, Route, RouterObject

if TYPE_CHECKING:
    from .project import Project


@dataclass
class ObjectsTable:
    """`Project.objects` kept across updates: an edit that leaves a module's apps and routers under the same
    keys (typing inside a handler) replaces them in place, keeping the module order of the merged table."""

    merged: dict[str, RouterObject]
    parts: dict[str, dict[str, RouterObject]]

    @staticmethod
    def build(project: Project) -> ObjectsTable:
        parts = {path: project._objects_of(facts) for path, facts in project.modules.items()}
        merged: dict[str, RouterObject] = {}
        for part in parts.values():
            merged.update(part)
        return ObjectsTable(merged, parts)

    @staticmethod
    def update(project: Project, table: ObjectsTable, changed: frozenset[str]) -> ObjectsTable:
        parts = dict(table.parts)
        merged: dict[str, RouterObject] | None = None
        for path in changed:
            facts = project.modules.get(path)
            old = parts.get(path)
            if facts is None or old is None:
                return ObjectsTable.build(project)
            new = project._objects_of(facts)
            if new is old:
                continue
            if list(new) != list(old):
                return ObjectsTable.build(project)  # keys added, removed or moved: order may change
            if merged is None:
                merged = dict(table.merged)
            merged.update(new)
            parts[path] = new
        return table if merged is None else ObjectsTable(merged, parts)


@dataclass
class IncludesTable:
    """`Project.includes` kept across updates: a module whose includes are as many as before has its slice of
    the merged list replaced in place."""

    merged: list[Include]
    slices: dict[str, tuple[int, list[Include]]]  # path -> (start in merged, its includes)

    @staticmethod
    def build(project: Project) -> IncludesTable:
        merged: list[Include] = []
        slices: dict[str, tuple[int, list[Include]]] = {}
        for path, facts in project.modules.items():
            part = project._includes_of(facts)
            slices[path] = (len(merged), part)
            merged.extend(part)
        return IncludesTable(merged, slices)

    @staticmethod
    def update(project: Project, table: IncludesTable, changed: frozenset[str]) -> IncludesTable:
        slices = dict(table.slices)
        merged: list[Include] | None = None
        for path in changed:
            facts = project.modules.get(path)
            kept = slices.get(path)
            if facts is None or kept is None:
                return IncludesTable.build(project)
            start, old = kept
            new = project._includes_of(facts)
            if new is old:
                continue
            if len(new) != len(old):
                return IncludesTable.build(project)
            if merged is None:
                merged = list(table.merged)
            merged[start : start + len(new)] = new
            slices[path] = (start, new)
        return table if merged is None else IncludesTable(merged, slices)


@dataclass
class RoutesTable:
    """`Project.routes` kept across updates while the mounts are the very same table: a module whose routes
    are as many as before has its slice replaced in place."""

    merged: list[Route]
    slices: dict[str, tuple[int, list[Route]]]  # path -> (start in merged, its routes)
    mounts: object

    @staticmethod
    def build(project: Project) -> RoutesTable:
        merged: list[Route] = []
        slices: dict[str, tuple[int, list[Route]]] = {}
        for path, facts in project.modules.items():
            part = project.routes_of(facts)
            slices[path] = (len(merged), part)
            merged.extend(part)
        return RoutesTable(merged, slices, project.mounts)

    @staticmethod
    def update(project: Project, table: RoutesTable, changed: frozenset[str]) -> RoutesTable:
        if project.mounts is not table.mounts:
            return RoutesTable.build(project)  # every route's mounts are reassigned
        slices = dict(table.slices)
        merged = list(table.merged)
        for path in changed:
            facts = project.modules.get(path)
            kept = slices.get(path)
            if facts is None or kept is None:
                return RoutesTable.build(project)
            start, old = kept
            new = project.routes_of(facts)
            if len(new) != len(old):
                return RoutesTable.build(project)
            merged[start : start + len(new)] = new
            slices[path] = (start, new)
        return RoutesTable(merged, slices, table.mounts)
