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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
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


def _clashes(project: Project) -> dict[int, list[_Clash]]:
    """Route site id -> its clashes with an earlier route of the same app (at most one per kind)."""
    return project.incremental("fpa109.clashes", _Table.build, _Table.update).out


_GroupKey = tuple[str, str, str]  # (app, kind, value): the routes of one app sharing one operation id / name


@dataclass(eq=False)
class _Table:
    """The clashes of the whole project, kept across keystrokes.

    Rebuilding it from every route after each edit is O(all routes); instead each module's share (its routes'
    group entries) is kept, an update drops and recomputes the shares of the changed modules and re-decides
    only the groups they were or are in. Orders depend on the mounts: when `project.mounts` is not the very
    same table, everything is rebuilt."""

    mounts: object  # `project.mounts` the orders were computed with
    index: dict[str, int]  # path -> its position in `project.modules` (same set of modules while kept)
    shares: dict[str, list[tuple[_GroupKey, _Ordered]]]  # path -> its routes' group entries, in route order
    groups: dict[_GroupKey, dict[str, list[_Ordered]]]  # group -> path -> its members, in route order
    url_names: dict[str, set[str]]  # path -> the literal names it gives to url_for
    url_count: dict[str, int]  # name -> how many modules give it to url_for
    decided: dict[_GroupKey, dict[int, _Clash]]  # group -> site id -> the site's first clash in the group
    by_site: dict[int, dict[_GroupKey, _Clash]]  # site id -> its clashes, per group
    out: dict[int, list[_Clash]]  # site id -> the clashes reported (the first app's, per kind)

    @staticmethod
    def build(project: Project) -> _Table:
        table = _Table(project.mounts, {}, {}, {}, {}, {}, {}, {}, {})
        routes: dict[str, list[Route]] = {}  # from the project's list: cheaper than `routes_of` per module
        for route in project.routes:
            routes.setdefault(route.module.path, []).append(route)
        for i, (path, facts) in enumerate(project.modules.items()):
            table.index[path] = i
            table._add(path, facts, routes.get(path, ()))
        for key, per_path in table.groups.items():
            if len(per_path) > 1 or len(next(iter(per_path.values()))) > 1:  # one route alone cannot clash
                table._decide(key)
        return table

    @staticmethod
    def update(project: Project, table: _Table, changed: frozenset[str]) -> _Table:
        if project.mounts is not table.mounts or any(p not in table.index for p in changed):
            return _Table.build(project)
        touched: set[_GroupKey] = set()
        flipped: set[str] = set()  # names given to url_for by some module before and by none after, or back
        for path in changed:
            for key, _ in table.shares.pop(path, ()):
                touched.add(key)
                members = table.groups.get(key)
                if members is not None:
                    members.pop(path, None)
                    if not members:
                        del table.groups[key]
            for name in table.url_names.pop(path, ()):
                table.url_count[name] -= 1
                if not table.url_count[name]:
                    del table.url_count[name]
                    flipped.add(name)
            facts = project.modules.get(path)
            if facts is None:
                return _Table.build(project)
            touched.update(key for key, _ in table._add(path, facts, project.routes_of(facts)))
            flipped.update(name for name in table.url_names[path] if table.url_count[name] == 1)
        if flipped:
            touched.update(key for key in (*table.groups, *table.decided) if key[1] == "name" and key[2] in flipped)
        for key in touched:
            table._decide(key)
        return table

    def _add(self, path: str, facts: ModuleFacts, routes: Iterable[Route]) -> list[tuple[_GroupKey, _Ordered]]:
        """Add one module's share: its routes' group entries and the names it gives to url_for."""
        share: list[tuple[_GroupKey, _Ordered]] = []
        for route in routes:
            if route.kind == "starlette":
                continue
            operation, name, is_explicit = _keys(route)
            for app, order in _orders(route):
                if operation is not None:
                    share.append(((app, "operation_id", operation), (order, route, True)))
                if name is not None:
                    share.append(((app, "name", name), (order, route, is_explicit)))
        self.shares[path] = share
        for key, member in share:
            self.groups.setdefault(key, {}).setdefault(path, []).append(member)
        names = _url_for_names_in(facts)
        self.url_names[path] = names
        for name in names:
            self.url_count[name] = self.url_count.get(name, 0) + 1
        return share

    def _decide(self, key: _GroupKey) -> None:
        """Re-decide one group; the reported clashes of the sites it had or has clashes for follow."""
        old = self.decided.pop(key, {})
        per_path = self.groups.get(key)
        if not old and (not per_path or (len(per_path) == 1 and len(next(iter(per_path.values()))) < 2)):
            return  # one route alone: no clash before, none now (most groups)
        new: dict[int, _Clash] = {}
        if per_path:
            # In a fresh build's order: modules in project order, then routes and mounts in order.
            paths = sorted(per_path, key=self.index.__getitem__) if len(per_path) > 1 else per_path
            members = [m for p in paths for m in per_path[p]]
            _, kind, value = key
            if kind == "operation_id":
                new = _decide_operation(members, value)
            else:
                new = _decide_name(members, value, value in self.url_count)
        if new:
            self.decided[key] = new
        for site in old:
            clashes = self.by_site[site]
            del clashes[key]
        for site, clash in new.items():
            self.by_site.setdefault(site, {})[key] = clash
        for site in {*old, *new}:
            clashes = self.by_site.get(site, {})
            if clashes:
                self.out[site] = _reported(clashes)
            else:
                self.by_site.pop(site, None)
                self.out.pop(site, None)


def _reported(clashes: dict[_GroupKey, _Clash]) -> list[_Clash]:
    """Per kind the clash in the first app (by key), ordered by app, operation ids before names."""
    best: dict[str, tuple[str, _Clash]] = {}
    for (app, kind, _), clash in clashes.items():
        if kind not in best or app < best[kind][0]:
            best[kind] = (app, clash)
    return [clash for _, clash in sorted(best.values(), key=lambda e: (e[0], e[1].kind != "operation_id"))]


def _decide_operation(members: list[_Ordered], value: str) -> dict[int, _Clash]:
    out: dict[int, _Clash] = {}
    if len(members) < 2:
        return out
    group = [route for _, route, _ in sorted(members, key=lambda e: e[0])]
    for i, route in enumerate(group):
        if id(route.site) in out:
            continue
        first = next((o for o in islice(group, i) if o.site is not route.site and not exclusive(o, route)), None)
        if first is not None:
            out[id(route.site)] = _Clash(route, first, "operation_id", value)
    return out


def _decide_name(members: list[_Ordered], value: str, called: bool) -> dict[int, _Clash]:
    out: dict[int, _Clash] = {}
    if len(members) < 2 or not (called or any(explicit for _, _, explicit in members)):
        return out
    named = [(route, explicit) for _, route, explicit in sorted(members, key=lambda e: e[0])]
    explicit_before: list[Route] = []  # an implicit name not given to url_for clashes with these only
    for i, (route, is_explicit) in enumerate(named):
        if not (is_explicit or called or explicit_before):
            continue  # an implicit name, nothing explicit before it: no clash
        if id(route.site) not in out:
            candidates: Iterable[Route] = (named[j][0] for j in range(i)) if is_explicit or called else explicit_before
            first = next(
                (
                    o
                    for o in candidates
                    if o.site is not route.site and not _same_handler(o, route) and not exclusive(o, route)
                ),
                None,
            )
            if first is not None:
                out[id(route.site)] = _Clash(route, first, "name", value)
        if is_explicit:
            explicit_before.append(route)
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
