"""## What it does
Finds two routes of one app that share an explicit `operation_id=`, or that share a route `name` while their
handlers differ: an explicit `name=` on one of them (the other's name being its `name=` or its handler's
function name), or two handlers of the same function name when the project calls `url_for` with that name.
Each app is judged on its own, across files and routers. One router included under several prefixes (API
versions) is one route served twice and is not reported (FPA106 reports a router included twice under one
prefix); note that FastAPI still warns there when the route has an explicit `operation_id`: derive the ids
with `generate_unique_id_function` on each `include_router` instead.

## Why is this bad?
The operation id names the operation in the OpenAPI schema and in every client generated from it. FastAPI
warns "Duplicate Operation ID" when it builds the schema, and generated clients get two methods with one name
(one overwrites the other, or generation fails). The route name is what `request.url_for(name)` looks up:
Starlette returns the first route of that name, so links to the second handler silently point at the first.

## Example
```python
from fastapi import FastAPI

app = FastAPI()


@app.get("/users", operation_id="list_items")
async def list_users() -> list[str]:
    return []


@app.get("/items", operation_id="list_items")
async def list_items() -> list[str]:
    return []
```

## Use instead
```python
from fastapi import FastAPI

app = FastAPI()


@app.get("/users", operation_id="list_users")
async def list_users() -> list[str]:
    return []


@app.get("/items", operation_id="list_items")
async def list_items() -> list[str]:
    return []
```

## Fix
No fix: which of the two should be renamed, and to what, is the developer's choice (clients may depend on it).

## Related
No equivalent in ruff or flake8-fastapi (the fastapi-lsp language server reports `duplicate-name`).

## See also
- https://fastapi.tiangolo.com/advanced/path-operation-advanced-configuration/#openapi-operationid
- https://www.starlette.io/routing/#reverse-url-lookups
"""

from __future__ import annotations

import ast
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import cast

from ...model.facts import ModuleFacts
from ...model.project import Project, Route
from ..base import Context, Finding, Rule
from ._tables import Position, _include_position, _site_position, exclusive


@dataclass(frozen=True, eq=False)
class _Clash:
    route: Route  # the later registration, reported
    other: Route  # the earlier one, shown as related
    kind: str  # "operation_id" | "name"
    value: str


def check(ctx: Context) -> Iterator[Finding]:
    clashes = _clashes(ctx.project)
    if not clashes:
        return
    for route in ctx.project.routes_of(ctx.module):
        for clash in clashes.get(id(route.site), ()):
            other = clash.other
            anchor = _anchor(route, clash.kind)
            if clash.kind == "operation_id":
                message = (
                    f"Duplicate operation id {clash.value!r}: `{other.name}` already uses it in the same app "
                    f'(FastAPI warns "Duplicate Operation ID"; generated clients get one method for two routes)'
                )
            else:
                message = (
                    f"Duplicate route name {clash.value!r}: `{other.name}` has the same name in the same app, "
                    f"so `url_for({clash.value!r})` always gives the other route's URL"
                )
            yield ctx.finding(
                anchor,
                message,
                related=[ctx.related(other.module, _anchor(other, clash.kind), f"{clash.kind} {clash.value!r} here")],
            )


def _anchor(route: Route, kind: str) -> ast.AST:
    value = route.keyword(kind)
    return value if value is not None else route.site.call


def _literal(route: Route, name: str) -> str | None:
    expr = route.keyword(name)
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    return None


_CACHE: weakref.WeakKeyDictionary[Project, tuple[object, dict[int, list[_Clash]]]] = weakref.WeakKeyDictionary()


def _clashes(project: Project) -> dict[int, list[_Clash]]:
    """Route site id -> its clashes with an earlier route of the same app. Once per project link."""
    routes = project.routes
    cached = _CACHE.get(project)
    if cached is not None and cached[0] is routes:
        return cached[1]
    url_names = _url_for_names(project)
    # Per app, the routes grouped by operation id and by name, each with its registration order. Only groups
    # that can clash are sorted: two or more routes, and for names at least one explicit or given to url_for.
    by_operation: dict[str, dict[str, list[_Ordered]]] = {}
    by_name: dict[str, dict[str, list[_Ordered]]] = {}
    for route in routes:
        if route.kind == "starlette":
            continue
        operation, name, is_explicit = _keys(route)
        for app, order in _orders(route):
            if operation is not None:
                by_operation.setdefault(app, {}).setdefault(operation, []).append((order, route, True))
            if name is not None:
                by_name.setdefault(app, {}).setdefault(name, []).append((order, route, is_explicit))
    out: dict[int, list[_Clash]] = {}
    reported: set[tuple[int, str]] = set()
    for app in sorted({*by_operation, *by_name}):
        for value, members in by_operation.get(app, {}).items():
            if len(members) < 2:
                continue
            group = [route for _, route, _ in sorted(members, key=lambda e: e[0])]
            for i, route in enumerate(group):
                first = next((o for o in group[:i] if o.site is not route.site and not exclusive(o, route)), None)
                if first is not None and (id(route.site), "operation_id") not in reported:
                    reported.add((id(route.site), "operation_id"))
                    out.setdefault(id(route.site), []).append(_Clash(route, first, "operation_id", value))
        for value, members in by_name.get(app, {}).items():
            called = value in url_names
            if len(members) < 2 or not (called or any(explicit for _, _, explicit in members)):
                continue
            named = [(route, explicit) for _, route, explicit in sorted(members, key=lambda e: e[0])]
            explicit_before: list[Route] = []  # an implicit name not given to url_for clashes with these only
            for i, (route, is_explicit) in enumerate(named):
                if not (is_explicit or called or explicit_before):
                    continue  # an implicit name, nothing explicit before it: no clash
                candidates: Iterable[Route] = (
                    (named[j][0] for j in range(i)) if is_explicit or called else explicit_before
                )
                first = next(
                    (
                        o
                        for o in candidates
                        if o.site is not route.site and not _same_handler(o, route) and not exclusive(o, route)
                    ),
                    None,
                )
                if first is not None and (id(route.site), "name") not in reported:
                    reported.add((id(route.site), "name"))
                    out.setdefault(id(route.site), []).append(_Clash(route, first, "name", value))
                if is_explicit:
                    explicit_before.append(route)
    _CACHE[project] = (routes, out)
    return out


_Ordered = tuple[tuple[Position, ...], Route, bool]  # registration order, route, explicit (names)


def _keys(route: Route) -> tuple[str | None, str | None, bool]:
    """The route's literal operation id, its name (explicit, else the handler's) and whether it is explicit."""
    kept = route.memo.get("fpa109.keys")
    if isinstance(kept, tuple):
        return cast(tuple[str | None, str | None, bool], kept)
    operation = _literal(route, "operation_id")
    name: str | None = None
    explicit = False
    if route.keyword("name") is not None:
        name, explicit = _literal(route, "name"), True
    elif route.handler is not None:
        name = route.handler.name
    keys = (operation, name, explicit)
    route.memo["fpa109.keys"] = keys
    return keys


def _orders(route: Route) -> list[tuple[str, tuple[Position, ...]]]:
    """(app, registration order) for every mount of the route; kept while the mounts are the same objects."""
    mounts = tuple(route.mounts)
    kept = route.memo.get("fpa109.orders")
    if isinstance(kept, tuple) and len(kept[0]) == len(mounts) and all(a is b for a, b in zip(kept[0], mounts)):
        return cast(list[tuple[str, tuple[Position, ...]]], kept[1])
    own = _site_position(route)
    out = [(m.app, (*(_include_position(inc) for inc in m.chain), own)) for m in mounts]
    route.memo["fpa109.orders"] = (mounts, out)
    return out


def _same_handler(a: Route, b: Route) -> bool:
    """One function registered twice (`@app.get` and `@app.head` stacked): one name, one endpoint."""
    return a.handler is not None and a.handler is b.handler


def _url_for_names(project: Project) -> set[str]:
    """Literal names passed to `url_for(...)` / `url_path_for(...)` anywhere in the project."""
    out: set[str] = set()
    for module in project.modules.values():
        out |= _url_for_names_in(module)
    return out


def _url_for_names_in(module: ModuleFacts) -> set[str]:
    kept = module.memo.get("fpa109.url_names")
    if isinstance(kept, set):
        return kept
    out: set[str] = set()
    for site in (*module.method_calls("url_for"), *module.method_calls("url_path_for")):
        args = site.node.args
        if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
            out.add(args[0].value)
    module.memo["fpa109.url_names"] = out
    return out


RULE = Rule(
    code="FPA109",
    name="duplicate-operation-id",
    summary="Two routes of one app with the same explicit operation_id, or the same name on different handlers",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
)
