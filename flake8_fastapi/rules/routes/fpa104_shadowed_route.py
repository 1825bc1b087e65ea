"""## What it does
Finds a literal route (no path parameters) registered after a parameter route of the same method and app
whose path template matches it: `GET /items/me` after `GET /items/{item_id}`. Converters are honoured:
`/items/{item_id:int}` does not match `/items/me`, `{rest:path}` matches across slashes. Registration order
follows `include_router` calls and the order of routes in each router; where it depends on the order files
are imported in, the rule stays silent.

## Why is this bad?
Starlette tries routes in registration order and serves the first match. The parameter route catches
`/items/me`: with `item_id: int` the request answers 422 ("unable to parse string as an integer"), with
`item_id: str` the wrong handler answers 200. The literal route is never reached. Verified on FastAPI 0.78,
0.88, 0.89, 0.115 and 0.165.

## Example
```python
from fastapi import FastAPI

app = FastAPI()


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}


@app.get("/items/me")
async def read_my_item() -> dict[str, str]:
    return {"id": "me"}
```

## Use instead
```python
from fastapi import FastAPI

app = FastAPI()


@app.get("/items/me")
async def read_my_item() -> dict[str, str]:
    return {"id": "me"}


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict[str, int]:
    return {"id": item_id}
```

## Fix
Moves the literal route's function (with its decorators and the comments just above it) above the parameter
route. Offered only when both are decorated functions at the top level of one file, on the same router, with
only function or class definitions between them, and nothing the moved decorators or signature use is
defined in between. Unsafe: it changes which handler answers (that is the point).

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/tutorial/path-params/#order-matters
- https://www.starlette.io/routing/#route-priority
"""

from __future__ import annotations

import ast
from bisect import bisect_left, insort
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter

from ...fixes import fix
from ...model.facts import RouteSite
from ...model.paths import PARAM, path_regex
from ...model.project import Project, Route
from ...model.walk import walk_list
from ..base import Context, Edit, Finding, Fix, Rule
from ._tables import Entry, Position, app_state, before, exclusive, path_anchor, where

Shadow = tuple[Entry, Entry, str]  # (literal entry, the parameter entry that catches it, method)


def check(ctx: Context) -> Iterator[Finding]:
    shadows = _shadows(ctx.project)
    if not shadows:
        return
    for route in ctx.project.routes_of(ctx.module):
        found = shadows.get(route.site)
        if found is None:
            continue
        literal, param, method = found
        other = param.route
        place = where(other, ctx.module.path)
        yield ctx.finding(
            path_anchor(route.site),
            f"Route `{method} {literal.path}` is shadowed by `{method} {param.path}` (`{other.name}`, {place}), "
            f"registered before it: requests never reach `{route.name}`",
            related=[ctx.related(other.module, path_anchor(other.site), f"`{method} {param.path}` matches first")],
            fix=_move_above(ctx, route, other),
        )


def _shadows(project: Project) -> dict[RouteSite, Shadow]:
    return project.incremental("fpa104.shadows", _Table.build, _Table.update).out


_Key = tuple[tuple[Position, ...], tuple[int, int]]  # registration order, then (module, entry) position
_Member = tuple[_Key, Entry]
_BucketKey = tuple[str, str]  # (app, method)


@dataclass(eq=False)
class _Bucket:
    """The routes of one app with one method: parameter routes by the literal text before their first
    parameter (a path template's regex only matches paths that start with that text), literal routes by path."""

    params: dict[str, list[_Member]] = field(default_factory=dict)
    literals: list[tuple[str, _Key, Entry]] = field(default_factory=list)  # sorted
    found: dict[Entry, tuple[_Key, Entry]] = field(default_factory=dict)  # literal -> (its key, parameter route)


@dataclass(eq=False)
class _Table:
    """The shadowed routes of the whole project, kept across keystrokes.

    Matching every literal route against the parameter routes after each edit is O(all routes); instead the
    buckets keep each module's routes, an update replaces those of the changed modules and re-decides only their
    literal routes and those their parameter routes (before or after) may match. Built on the app tables: when
    those were rebuilt (another `generation`), so is this."""

    generation: int
    shares: dict[str, list[Entry]]  # path -> the app tables' share it was made from
    firsts: dict[str, list[_Member]]  # path -> its entries, a route reached twice under one path only once
    buckets: dict[_BucketKey, _Bucket]
    out: dict[RouteSite, Shadow]

    @staticmethod
    def build(project: Project) -> _Table:
        state = app_state(project)
        table = _Table(state.generation, {}, {}, {}, {})
        for path, share in state.shares.items():
            table._add(state.index[path], path, share, keep_sorted=False)
        for bucket in table.buckets.values():
            bucket.literals.sort(key=_by_path)
            if bucket.params:
                for _, key, literal in bucket.literals:
                    _decide(bucket, key, literal)
        table._report()
        return table

    @staticmethod
    def update(project: Project, table: _Table, changed: frozenset[str]) -> _Table:
        state = app_state(project)
        if state.generation != table.generation:
            return _Table.build(project)
        prefixes: dict[_BucketKey, set[str]] = {}  # of parameter routes gone or come: the literals they may match
        todo: dict[tuple[_BucketKey, Entry], _Key] = {}  # literal routes to decide
        for path in changed:
            old, new = table.shares[path], state.shares[path]
            if len(old) == len(new) and all(a is b for a, b in zip(old, new)):
                continue
            i = state.index[path]
            gone: dict[_BucketKey, set[str]] = {}
            for key, entry in table.firsts[path]:
                prefix = _prefix(entry.path)
                for method in entry.route.methods:
                    name = (entry.app, method)
                    bucket = table.buckets[name]
                    if prefix is not None:
                        gone.setdefault(name, set()).add(prefix)
                    else:
                        del bucket.literals[bisect_left(bucket.literals, (entry.path, key), key=_by_path)]
                        bucket.found.pop(entry, None)
                        todo.pop((name, entry), None)
            for name, dropped in gone.items():
                params = table.buckets[name].params
                for prefix in dropped:
                    params[prefix] = [m for m in params[prefix] if m[0][1][0] != i]
                    if not params[prefix]:
                        del params[prefix]
                prefixes.setdefault(name, set()).update(dropped)
            for name, key, entry, prefix in table._add(i, path, new, keep_sorted=True):
                if prefix is not None:
                    prefixes.setdefault(name, set()).add(prefix)
                else:
                    todo[(name, entry)] = key
        for name, changed_prefixes in prefixes.items():
            literals = table.buckets[name].literals
            for prefix in changed_prefixes:
                index = bisect_left(literals, prefix, key=_path)
                while index < len(literals) and literals[index][0].startswith(prefix):
                    _, key, literal = literals[index]
                    todo[(name, literal)] = key
                    index += 1
        for (name, literal), key in todo.items():
            bucket = table.buckets[name]
            bucket.found.pop(literal, None)
            _decide(bucket, key, literal)
        for name in [n for n, b in table.buckets.items() if not b.params and not b.literals]:
            del table.buckets[name]
        table._report()
        return table

    def _add(
        self, i: int, path: str, share: list[Entry], keep_sorted: bool
    ) -> list[tuple[_BucketKey, _Key, Entry, str | None]]:
        """Add a module's entries to the buckets, a route reached twice under one path (a router included
        twice) by its first registration only; returns them with the bucket of each method."""
        self.shares[path] = share
        if not share:
            self.firsts[path] = []
            return []
        firsts: dict[tuple[str, int, str], _Member] = {}
        for j, entry in enumerate(share):
            key: _Key = (entry.order, (i, j))
            same = (entry.app, id(entry.site), entry.path)
            if same not in firsts or key < firsts[same][0]:
                firsts[same] = (key, entry)
        self.firsts[path] = list(firsts.values())
        added: list[tuple[_BucketKey, _Key, Entry, str | None]] = []
        for key, entry in firsts.values():
            prefix = _prefix(entry.path)
            for method in entry.route.methods:
                name = (entry.app, method)
                bucket = self.buckets.get(name)
                if bucket is None:
                    bucket = self.buckets[name] = _Bucket()
                if prefix is not None:
                    bucket.params.setdefault(prefix, []).append((key, entry))
                elif keep_sorted:
                    insort(bucket.literals, (entry.path, key, entry), key=_by_path)
                else:
                    bucket.literals.append((entry.path, key, entry))
                added.append((name, key, entry, prefix))
        return added

    def _report(self) -> None:
        """Each literal route's first shadow, taken as a fresh build takes them: apps by key, then methods in
        the order they first appear in the app's registrations, then literal routes in registration order."""
        hits: dict[RouteSite, list[tuple[str, str, _Key, Entry, Entry]]] = {}
        for (app, method), bucket in self.buckets.items():
            for literal, (key, param) in bucket.found.items():
                hits.setdefault(literal.site, []).append((app, method, key, literal, param))
        self.out = {}
        for site, found in hits.items():
            if len(found) > 1:
                found.sort(key=lambda h: (h[0], self._rank((h[0], h[1])), h[2]))
            _, method, _, literal, param = found[0]
            self.out[site] = (literal, param, method)

    def _rank(self, name: _BucketKey) -> tuple[_Key, int]:
        bucket = self.buckets[name]
        members = [*(m for ms in bucket.params.values() for m in ms), *((k, e) for _, k, e in bucket.literals)]
        return min((key, entry.route.methods.index(name[1])) for key, entry in members)


_by_path = itemgetter(0, 1)  # (path, key) of a literal route: unique, the entry is never compared
_path = itemgetter(0)


@lru_cache(maxsize=1 << 16)
def _prefix(path: str) -> str | None:
    """The literal text before a path template's first parameter; None for a path without parameters."""
    found = PARAM.search(path)
    return path[: found.start()] if found is not None else None


def _decide(bucket: _Bucket, key: _Key, literal: Entry) -> None:
    """The first parameter route registered before a literal route that matches its path, if any."""
    path = literal.path
    candidates: list[_Member] = []
    for end in range(len(path) + 1):
        members = bucket.params.get(path[:end])
        if members:
            candidates.extend(members)
    candidates.sort(key=lambda m: m[0])
    for _, param in candidates:
        if ":path}" not in param.path and param.path.count("/") != path.count("/"):
            continue  # only the `path` converter matches a "/": cheaper than compiling the regex
        regex = path_regex(param.path)
        if (
            regex is not None
            and param.site is not literal.site
            and regex.match(path)
            and before(param, literal) is True
            and not exclusive(param.route, literal.route)
        ):
            bucket.found[literal] = (key, param)
            return


# -- fix ----------------------------------------------------------------------------------------------------


def _move_above(ctx: Context, literal: Route, param: Route) -> Fix | None:
    module = ctx.module
    tree = module.source.tree
    if (
        tree is None
        or param.module is not module
        or literal.router is not param.router
        or literal.site.handler is None
        or param.site.handler is None
        or literal.site.decorator_index < 0
        or param.site.decorator_index < 0
    ):
        return None
    body = tree.body
    moved, target = literal.site.handler.node, param.site.handler.node
    try:
        i_target, i_moved = _index(body, target), _index(body, moved)
    except ValueError:
        return None  # not top-level statements
    if i_target >= i_moved:
        return None
    between = body[i_target:i_moved]
    if not all(isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for s in between):
        return None
    defined = {s.name for s in between if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    if _def_time_names(moved) & defined:
        return None
    src = module.source
    prev_end = body[i_moved - 1].end_lineno or body[i_moved - 1].lineno
    last = moved.end_lineno or moved.lineno
    # The moved chunk: the comments just above the function, its decorators, its body.
    first = _first_content_line(src.lines, prev_end + 1, _first_line(moved))
    chunk = "".join(src.lines[first - 1 : last])
    if not chunk.endswith(("\n", "\r")):
        chunk += src.newline
    target_prev_end = (body[i_target - 1].end_lineno or body[i_target - 1].lineno) if i_target > 0 else 0
    insert_at = _first_content_line(src.lines, target_prev_end + 1, _first_line(target))
    blank = src.newline * 2
    delete_end: tuple[int, int] = (last + 1, 0) if last < len(src.lines) else src.end(moved)
    delete_start: tuple[int, int] = (prev_end + 1, 0) if last < len(src.lines) else _line_end(src.lines, prev_end)
    return fix(
        f"Move `{literal.name}` above `{param.name}`",
        Edit((insert_at, 0), (insert_at, 0), chunk + blank),
        Edit(delete_start, delete_end, ""),
        unsafe=True,
    )


def _line_end(lines: list[str], lineno: int) -> tuple[int, int]:
    return lineno, len(lines[lineno - 1].rstrip("\r\n"))


def _index(body: list[ast.stmt], node: ast.stmt) -> int:
    for i, stmt in enumerate(body):
        if stmt is node:
            return i
    raise ValueError


def _first_line(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    return min([fn.lineno, *(d.lineno for d in fn.decorator_list)])


def _first_content_line(lines: list[str], start: int, default: int) -> int:
    """First line in [start, default) that is not blank (a comment above the statement), else `default`."""
    for lineno in range(start, default):
        if lines[lineno - 1].strip():
            return lineno
    return default


def _def_time_names(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Names evaluated when the `def` runs: decorators, defaults, annotations."""
    args = fn.args
    exprs: list[ast.expr] = [*fn.decorator_list, *args.defaults, *(d for d in args.kw_defaults if d is not None)]
    for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
        if a is not None and a.annotation is not None:
            exprs.append(a.annotation)
    if fn.returns is not None:
        exprs.append(fn.returns)
    return {n.id for e in exprs for n in walk_list(e) if isinstance(n, ast.Name)}


RULE = Rule(
    code="FPA104",
    name="shadowed-route",
    summary="Literal route registered after a parameter route that matches it",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix="unsafe",
    scope="project",
)
