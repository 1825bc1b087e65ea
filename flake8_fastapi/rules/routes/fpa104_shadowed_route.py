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
import weakref
from collections.abc import Iterator

from ...fixes import fix
from ...model.facts import RouteSite
from ...model.paths import PARAM, has_params, path_regex
from ...model.project import Project, Route
from ...model.walk import walk_list
from ..base import Context, Edit, Finding, Fix, Rule
from ._tables import Entry, app_tables, before, exclusive, path_anchor, where

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


_CACHE: weakref.WeakKeyDictionary[Project, tuple[object, dict[RouteSite, Shadow]]] = weakref.WeakKeyDictionary()


def _shadows(project: Project) -> dict[RouteSite, Shadow]:
    tables = app_tables(project)
    cached = _CACHE.get(project)
    if cached is not None and cached[0] is tables:
        return cached[1]
    out: dict[RouteSite, Shadow] = {}
    for app in sorted(tables):
        by_method: dict[str, tuple[list[Entry], list[Entry]]] = {}
        # A route reached twice under one path (a router included twice) is served by its first copy.
        first: dict[tuple[int, str], Entry] = {}
        for entry in sorted(tables[app], key=lambda e: e.order):
            first.setdefault((id(entry.site), entry.path), entry)
        for entry in first.values():
            for method in entry.route.methods:
                params, literals = by_method.setdefault(method, ([], []))
                (params if has_params(entry.path) else literals).append(entry)
        for method, (params, literals) in by_method.items():
            # The parameter routes in registration order, by the literal text before their first parameter:
            # a path template's regex only matches paths that start with that text.
            if not literals or not params:
                continue
            ordered = sorted(params, key=lambda e: e.order)
            by_prefix: dict[str, list[int]] = {}
            for index, param in enumerate(ordered):
                found = PARAM.search(param.path)
                prefix = param.path[: found.start()] if found is not None else param.path
                by_prefix.setdefault(prefix, []).append(index)
            for literal in literals:
                if literal.site in out:
                    continue
                path = literal.path
                candidates: list[int] = []
                for end in range(len(path) + 1):
                    bucket = by_prefix.get(path[:end])
                    if bucket is not None:
                        candidates.extend(bucket)
                candidates.sort()
                for index in candidates:
                    param = ordered[index]
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
                        out[literal.site] = (literal, param, method)
                        break
    _CACHE[project] = (tables, out)
    return out


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
