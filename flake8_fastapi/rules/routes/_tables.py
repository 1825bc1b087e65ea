"""Per-app route tables for the project rules (FPA103 duplicates, FPA104 shadowing), computed once per project.

Each entry is one route as one app serves it: its full path, and the order FastAPI registers it in. The order
is a sequence of positions, one per level of the router tree (the include site in the app, the include site in
the included router, ..., the route's own decorator). Two entries are ordered with certainty only where they
first differ at positions in the same file: across files, the import order decides, which we do not model.
"""

from __future__ import annotations

import ast
import os
import re
import weakref
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

from ...model.facts import RouteSite
from ...model.project import Include, Project, Route

# (file, line, column, sub-order): sub-order ranks stacked decorators of one function (the lowest runs first).
Position = tuple[str, int, int, int]


@dataclass(frozen=True, eq=False)
class Entry:
    route: Route
    app: str
    path: str  # full path
    order: tuple[Position, ...]
    chain: tuple[Include, ...]

    @property
    def site(self) -> RouteSite:
        return self.route.site


def before(a: Entry, b: Entry) -> bool | None:
    """Whether `a` is registered before `b` in their app: True/False, or None when the order is not certain."""
    for pa, pb in zip(a.order, b.order):
        if pa == pb:
            continue
        if pa[0] != pb[0]:
            return None
        return pa[1:] < pb[1:]
    return None  # one contains the other: cannot happen for two distinct routes


_PARAM = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_][a-zA-Z0-9_]*))?\}")


@lru_cache(maxsize=1 << 16)
def shape(path: str) -> str:
    """The path with parameter names erased (converters kept): `/items/{id}` and `/items/{item_id}` match the
    same requests."""
    return _PARAM.sub(lambda m: "{:" + (m.group(2) or "str") + "}", path)


def path_anchor(site: RouteSite) -> ast.AST:
    """Where a finding about a route's path points: the path argument, else the whole call."""
    call = site.call
    if call.args:
        return call.args[0]
    for kw in call.keywords:
        if kw.arg == "path":
            return kw.value
    return call


def where(route: Route, seen_from: str) -> str:
    """`file:line` of a route, relative to the directory of the module `seen_from` (a path)."""
    return f"{os.path.relpath(route.module.path, os.path.dirname(seen_from))}:{route.site.call.lineno}"


def _site_position(route: Route) -> Position:
    site = route.site
    if site.handler is not None and site.decorator_index >= 0:
        node = site.handler.node
        return (route.module.path, node.lineno, node.col_offset, -site.decorator_index)
    return (route.module.path, site.call.lineno, site.call.col_offset, 0)


def _include_position(inc: Include) -> Position:
    node = inc.site.node
    return (inc.module.path, node.lineno, node.col_offset, 0)


_CACHE: weakref.WeakKeyDictionary[Project, tuple[object, dict[str, list[Entry]]]] = weakref.WeakKeyDictionary()


def app_tables(project: Project) -> dict[str, list[Entry]]:
    """app key -> its routes with a literal full path. Recomputed whenever the project relinks, from entries
    kept per route while the route and the mounts it reaches apps through are the same objects."""
    routes = project.routes  # a fresh list after every `Project.invalidate()`
    cached = _CACHE.get(project)
    if cached is not None and cached[0] is routes:
        return cached[1]
    tables: dict[str, list[Entry]] = {}
    for route in routes:
        for entry in _entries(route):
            tables.setdefault(entry.app, []).append(entry)
    _CACHE[project] = (routes, tables)
    return tables


def _entries(route: Route) -> list[Entry]:
    mounts = tuple(route.mounts)
    kept = route.memo.get("tables.entries")
    if isinstance(kept, tuple) and len(kept[0]) == len(mounts) and all(a is b for a, b in zip(kept[0], mounts)):
        return cast(list[Entry], kept[1])
    out: list[Entry] = []
    local = route.local_path
    if local is not None:
        own = _site_position(route)
        for mount in mounts:
            if mount.prefix is None:
                continue
            order = (*(_include_position(inc) for inc in mount.chain), own)
            out.append(Entry(route, mount.app, mount.prefix + local, order, mount.chain))
    route.memo["tables.entries"] = (mounts, out)  # holds the mounts: compared by identity above
    return out


# -- branches ------------------------------------------------------------------------------------------------


def _blocks(stmt: ast.stmt) -> list[tuple[str, list[ast.stmt]]]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return []
    out: list[tuple[str, list[ast.stmt]]] = []
    for name in ("body", "orelse", "finalbody"):
        block = getattr(stmt, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            out.append((name, block))
    for i, handler in enumerate(getattr(stmt, "handlers", None) or ()):
        out.append((f"handlers{i}", handler.body))
    for i, case in enumerate(getattr(stmt, "cases", None) or ()):
        out.append((f"cases{i}", case.body))
    return out


def _holding(stmts: list[ast.stmt], line: int) -> ast.stmt | None:
    return next((s for s in stmts if s.lineno <= line <= (s.end_lineno or s.lineno)), None)


def statement_path(body: list[ast.stmt], line: int) -> list[tuple[ast.stmt, str]]:
    """The statements leading from `body` down to the one holding `line`, each with the block taken ("" for
    the innermost statement)."""
    out: list[tuple[ast.stmt, str]] = []
    current = body
    while True:
        holder = _holding(current, line)
        if holder is None:
            return out
        found = next(((name, block) for name, block in _blocks(holder) if _holding(block, line) is not None), None)
        if found is None:
            out.append((holder, ""))
            return out
        out.append((holder, found[0]))
        current = found[1]


def same_branch(body: list[ast.stmt], line_a: int, line_b: int) -> bool:
    """Whether the statements at two lines of one body both run when the body runs: False when they sit in
    different blocks of one `if`/`try`/`match` (or cannot be located)."""
    path_a, path_b = statement_path(body, line_a), statement_path(body, line_b)
    if not path_a or not path_b:
        return False
    for (stmt_a, block_a), (stmt_b, block_b) in zip(path_a, path_b):
        if stmt_a is not stmt_b:
            return True  # two statements of one block: both run, in order
        if block_a != block_b:
            return False  # if/else, try/except, match arms: maybe not both
    return True


def exclusive(a: Route, b: Route) -> bool:
    """Two routes declared in different arms of one `if`/`try`/`match` of one file: never both registered."""
    if a.module is not b.module or a.site.scope is not b.site.scope:
        return False
    tree = a.module.source.tree
    if tree is None:
        return False
    scope = a.site.scope
    if scope.kind == "module":
        body = tree.body
    elif scope.kind == "function" and (fn := a.module.functions.get(scope.qualname)) is not None:
        body = fn.node.body
    else:
        return False
    return not same_branch(body, _statement_line(a), _statement_line(b))


def _statement_line(route: Route) -> int:
    site = route.site
    if site.handler is not None and site.decorator_index >= 0:
        return site.handler.node.lineno
    return site.call.lineno
