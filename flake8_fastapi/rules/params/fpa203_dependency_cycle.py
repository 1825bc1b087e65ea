"""## What it does
Finds dependencies that depend on themselves, directly or through others: `get_a` takes `Depends(get_b)` and
`get_b` takes `Depends(get_a)`. Edges are followed across files through `Depends(...)`/`Security(...)`
parameters (as defaults or in `Annotated`, also through `Annotated` aliases), class dependencies'
`__init__` and the `__call__` of instances passed to `Depends`, starting from every `Depends(...)` of the
project (parameters, aliases, decorator, router and app `dependencies=[...]`). A function used as a dependency
brings only its parameters: the `dependencies=[...]` of its route decorator apply to the route, not to the
dependency, and make no edge. Each cycle is reported once, on one of its edges (the one leaving the
dependency whose file and name sort first); the others are listed as related information.

## Why is this bad?
FastAPI builds the dependency tree when the route is declared, by following every `Depends` recursively. A
cycle never ends: the import that declares the route dies with `RecursionError`, and the app does not start.
Even a cycle no route uses yet is a trap for the first one that does. Break it by extracting what both sides
need into a third dependency.

## Example
```python
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI

app = FastAPI()


def get_user(settings: Annotated[dict[str, str], Depends(get_settings)]) -> str:
    return settings["user"]


def get_settings(user: Annotated[str, Depends(get_user)]) -> dict[str, str]:
    return {"user": user}
```

## Use instead
```python
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI

app = FastAPI()


def get_user(settings: Annotated[dict[str, str], Depends(get_settings)]) -> str:
    return settings["user"]


def get_settings() -> dict[str, str]:
    return {"user": "alice"}
```

## Fix
No fix: which edge to cut is a design decision.

## Related
No equivalent in ruff or flake8-fastapi (the fastapi-lsp language server reports `cycle`).

## See also
- https://fastapi.tiangolo.com/tutorial/dependencies/sub-dependencies/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from ...model.facts import ClassInfo, ModuleFacts, Scope
from ...model.params import Callable_, callable_params, depends_calls, resolve_callable
from ...model.project import Project
from ..base import Context, Finding, Rule


@dataclass(frozen=True, eq=False)
class _Edge:
    source: str
    target: str
    module: ModuleFacts  # where the edge is written
    node: ast.AST  # the parameter (or the `Depends(...)` of a `dependencies=[...]`)
    source_name: str
    target_name: str


@dataclass(frozen=True, eq=False)
class _Cycle:
    edges: tuple[_Edge, ...]  # the reported edge first


def check(ctx: Context) -> Iterator[Finding]:
    for cycle in _cycles(ctx.project).get(ctx.module.path, ()):
        first = cycle.edges[0]
        chain = " -> ".join([first.source_name, *(e.target_name for e in cycle.edges)])
        yield ctx.finding(
            first.node,
            f"Dependency cycle: {chain}: FastAPI recurses forever when a route uses it (RecursionError at import)",
            related=[
                ctx.related(e.module, e.node, f"`{e.source_name}` depends on `{e.target_name}` here")
                for e in cycle.edges[1:]
            ],
        )


def _key(target: Callable_) -> str:
    return f"{target[0].path}::{target[1].qualname}"


def _name(target: Callable_) -> str:
    return target[1].qualname.rsplit(".", 1)[-1] if isinstance(target[1], ClassInfo) else target[1].name


def _target(project: Project, module: ModuleFacts, expr: ast.expr, scope: Scope) -> Callable_ | None:
    """The project callable FastAPI calls for `Depends(expr)`: a function, a class, an instance's `__call__`."""
    if isinstance(expr, ast.Call):
        found = resolve_callable(project, module, expr.func, scope)
        if found is not None and isinstance(found[1], ClassInfo):
            method = found[1].methods.get("__call__")
            if method is not None:
                return found[0], method
        return None
    return resolve_callable(project, module, expr, scope)


_Out = list[tuple[Callable_, _Edge]]  # a callable's edges, each with the callable it leads to


class _Graph:
    """The dependency graph: every callable reachable from a `Depends(...)` of the project, with its edges.

    Kept across updates (see `_cycles`): `roots` and `memo` hold each module's share (what it names in
    `Depends(...)`, its callables' edges), which depends on the module and what it imports only."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.roots: dict[str, list[Callable_]] = {}  # module path -> the callables it names in `Depends(...)`
        self.memo: dict[str, dict[str, _Out]] = {}  # module path -> its callables' edges, by key
        self.nodes: dict[str, Callable_] = {}
        self.edges: dict[str, list[_Edge]] = {}
        self.paths: dict[str, str] = {}  # node key -> its module's path
        self.by_path: dict[str, list[str]] = {}  # module path -> the keys of its nodes
        self.cycles: dict[str, list[_Cycle]] = {}  # module path -> the cycles reported there

    def walk(self) -> None:
        """Every node reachable from the roots (edges kept in `memo` are not resolved again), then the cycles."""
        self.nodes, self.edges, self.paths, self.by_path = {}, {}, {}, {}
        for roots in self.roots.values():
            for found in roots:
                self.add(found)
        self.find_cycles()

    def add(self, target: Callable_, within: frozenset[str] | None = None) -> None:
        """Add `target` and what it reaches; with `within`, stop at the callables of other modules (already
        in the graph, with their edges)."""
        stack = [target]
        while stack:
            current = stack.pop()
            key = _key(current)
            if key in self.nodes:
                continue
            path = current[0].path
            if within is not None and path not in within:
                continue
            self.nodes[key] = current
            self.paths[key] = path
            self.by_path.setdefault(path, []).append(key)
            out = self._out_of(current, key)
            self.edges[key] = [edge for _, edge in out]
            stack.extend(target for target, _ in out)

    def _out_of(self, current: Callable_, key: str) -> _Out:
        memo = self.memo.setdefault(current[0].path, {})
        out = memo.get(key)
        if out is None:
            out = memo[key] = [
                (target, _Edge(key, _key(target), module, node, _name(current), _name(target)))
                for target, module, node in self._out(current)
            ]
        return out

    def _out(self, current: Callable_) -> Iterator[tuple[Callable_, ModuleFacts, ast.AST]]:
        module = current[0]
        for param in callable_params(self.project, current) or ():
            if param.marker not in ("Depends", "Security") or param.module is None or param.scope is None:
                continue
            expr = param.dependency
            if expr is None:
                continue
            found = _target(self.project, param.module, expr, param.scope)
            if found is None:
                continue
            if getattr(param.arg, "lineno", None) is not None:
                yield found, module, param.arg
            else:
                yield found, param.module, expr

    def find_cycles(self) -> None:
        out: dict[str, list[_Cycle]] = {}
        for component in _components(self):
            start = min(component)
            path = _shortest_cycle(self, start, component)
            if path:
                first = path[0]
                out.setdefault(first.module.path, []).append(_Cycle(tuple(path)))
        self.cycles = out

    def shape(self, paths: frozenset[str]) -> tuple[object, ...]:
        """The roots of the modules at `paths` and the edges (by key) of their callables in the graph."""
        roots = tuple((p, tuple(_key(t) for t in self.roots.get(p, ()))) for p in sorted(paths))
        edges = sorted((k, tuple(e.target for e in self.edges[k])) for p in paths for k in self.by_path.get(p, ()))
        return roots, tuple(edges)


def _cycles(project: Project) -> dict[str, list[_Cycle]]:
    """Module path -> the cycles reported there."""
    return project.incremental("fpa203.graph", _build, _update).cycles


def _build(project: Project) -> _Graph:
    graph = _Graph(project)
    graph.roots = {path: _roots(project, module) for path, module in project.modules.items()}
    graph.walk()
    return graph


def _update(project: Project, graph: _Graph, changed: frozenset[str]) -> _Graph:
    """The graph after an edit, kept across updates so that a keystroke does not walk every dependency of the
    project again. A module's roots and edges depend on it and on what it imports, and an unchanged module
    imports no changed one: so its edges never lead into a changed module, and the changed modules' part of
    the graph is what their roots reach inside them. When that part has the same shape (roots, nodes, edges,
    by key) as before, so has the whole graph, and so have its cycles; those that pass through a changed
    module are found again, holding the new edges. Otherwise the graph is walked again from every root (the
    unchanged modules' edges are kept) and the cycles are found again."""
    if any(project.modules.get(p) is None or p not in graph.roots for p in changed):
        return _build(project)
    before = graph.shape(changed)
    fresh = _Graph(project)
    fresh.roots = dict(graph.roots)
    fresh.memo = dict(graph.memo)
    for path in changed:
        fresh.memo.pop(path, None)
        fresh.roots[path] = _roots(project, project.modules[path])
    # The changed modules' part, walked from their roots, stopping at the (unchanged) callables of the others.
    for path in changed:
        for found in fresh.roots[path]:
            fresh.add(found, changed)
    if fresh.shape(changed) != before:
        fresh.walk()
        return fresh
    changed_part = fresh.by_path
    fresh.nodes, fresh.edges = {**graph.nodes, **fresh.nodes}, {**graph.edges, **fresh.edges}
    fresh.paths, fresh.by_path = graph.paths, {**graph.by_path, **changed_part}
    if any(_stale(project, edge, fresh.paths, changed) for cycle in _all(graph.cycles) for edge in cycle.edges):
        fresh.find_cycles()
    else:
        fresh.cycles = graph.cycles
    return fresh


def _stale(project: Project, edge: _Edge, paths: dict[str, str], changed: frozenset[str]) -> bool:
    """Whether a kept edge leaves, or is written in, a changed module (its node and facts are replaced)."""
    return paths[edge.source] in changed or project.modules.get(edge.module.path) is not edge.module


def _all(cycles: dict[str, list[_Cycle]]) -> Iterator[_Cycle]:
    for found in cycles.values():
        yield from found


def _roots(project: Project, module: ModuleFacts) -> list[Callable_]:
    """The callables a module names in `Depends(...)`/`Security(...)`."""
    out = []
    for site, expr in depends_calls(module):
        found = _target(project, module, expr, site.scope)
        if found is not None:
            out.append(found)
    return out


def _components(graph: _Graph) -> list[set[str]]:
    """Strongly connected components that hold a cycle (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[set[str]] = []
    counter = 0
    for root in sorted(graph.nodes):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            edges = graph.edges.get(node, [])
            if i < len(edges):
                work.append((node, i + 1))
                nxt = edges[i].target
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or any(e.target == node for e in edges):
                    out.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return out


def _shortest_cycle(graph: _Graph, start: str, component: set[str]) -> list[_Edge]:
    """The shortest cycle through `start` inside its component, as edges from `start` back to it."""
    parents: dict[str, _Edge] = {}
    frontier = [start]
    seen = {start}
    while frontier:
        following: list[str] = []
        for node in frontier:
            for edge in graph.edges.get(node, []):
                if edge.target not in component:
                    continue
                if edge.target == start:
                    path = [edge]
                    while path[0].source != start:
                        path.insert(0, parents[path[0].source])
                    return path
                if edge.target not in seen:
                    seen.add(edge.target)
                    parents[edge.target] = edge
                    following.append(edge.target)
        frontier = following
    return []


RULE = Rule(
    code="FPA203",
    name="dependency-cycle",
    summary="Dependencies that depend on each other in a cycle",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
)
