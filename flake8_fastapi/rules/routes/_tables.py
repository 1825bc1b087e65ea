"""Per-app route tables for the project rules (FPA103 duplicates, FPA104 shadowing), kept across updates.

Each entry is one route as one app serves it: its full path, and the order FastAPI registers it in. The order
is a sequence of positions, one per level of the router tree (the include site in the app, the include site in
the included router, ..., the route's own decorator). Two entries are ordered with certainty only where they
first differ at positions in the same file: across files, the import order decides, which we do not model.
"""

from __future__ import annotations

import ast
import itertools
import os
import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

from ...model.facts import ModuleFacts, RouteSite
from ...model.project import Include, Project, Route

# (file, line, column, sub-order): sub-order ranks stacked decorators of one function (the lowest runs first).
Position = tuple[str, int, int, int]


@dataclass(eq=False, slots=True)
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


def app_tables(project: Project) -> dict[str, list[Entry]]:
    """app key -> its routes with a literal full path, in a fresh build's order (modules in project order, then
    routes, then mounts)."""
    return app_state(project).tables


def app_state(project: Project) -> AppTables:
    """The per-app tables with what they are made of (each module's entries), kept across updates."""
    return project.incremental("routes.app_tables", AppTables.build, AppTables.update)


_generations = itertools.count()


@dataclass(eq=False)
class AppTables:
    """The per-app route tables, kept across keystrokes.

    Rebuilding them from every route after each edit is O(all routes); instead each module's share (the entries
    of its routes) is kept, and an update recomputes only the shares of the changed modules and splices them
    into the apps they were or are in. Entries depend on the mounts: when `project.mounts` is not the very same
    table, everything is rebuilt (with a new `generation`, which the tables derived from these compare)."""

    mounts: object  # `project.mounts` the entries were made with
    index: dict[str, int]  # path -> its position in `project.modules` (same set of modules while kept)
    shares: dict[str, list[Entry]]  # path -> its entries (routes in order, then mounts), every module in order
    tables: dict[str, list[Entry]]  # app key -> its entries: the shares, module after module
    generation: int
    chains: dict[int, tuple[Position, ...]]  # id of a mount -> the positions of its includes

    @staticmethod
    def build(project: Project) -> AppTables:
        mounts = project.mounts
        index: dict[str, int] = {}
        shares: dict[str, list[Entry]] = {}
        chains: dict[int, tuple[Position, ...]] = {}
        for i, (path, facts) in enumerate(project.modules.items()):
            index[path] = i
            shares[path] = _share(project, facts, chains)
        return AppTables(mounts, index, shares, _concat(shares.values()), next(_generations), chains)

    @staticmethod
    def update(project: Project, kept: AppTables, changed: frozenset[str]) -> AppTables:
        if project.mounts is not kept.mounts or any(p not in kept.index for p in changed):
            return AppTables.build(project)
        for path in changed:
            facts = project.modules.get(path)
            if facts is None:
                return AppTables.build(project)
            old = kept.shares[path]
            new = _share(project, facts, kept.chains)
            kept.shares[path] = new  # in place: the order of modules is kept
            if len(old) == len(new) and all(a is b for a, b in zip(old, new)):
                continue
            apps = list(dict.fromkeys(e.app for e in old))
            if apps != list(dict.fromkeys(e.app for e in new)):
                kept.tables = _concat(kept.shares.values())  # apps appear, go or change order: as built
                continue
            for app in apps:
                # A module's entries are contiguous in each app's table: replaced in a new list.
                table = kept.tables[app]
                mine = [e for e in old if e.app == app]
                start = table.index(mine[0])
                kept.tables[app] = [*table[:start], *(e for e in new if e.app == app), *table[start + len(mine) :]]
        return kept


def _share(project: Project, facts: ModuleFacts, chains: dict[int, tuple[Position, ...]]) -> list[Entry]:
    return [entry for route in project.routes_of(facts) for entry in _entries(route, chains)]


def _concat(shares: Iterable[list[Entry]]) -> dict[str, list[Entry]]:
    tables: dict[str, list[Entry]] = {}
    for share in shares:
        for entry in share:
            tables.setdefault(entry.app, []).append(entry)
    return tables


def _entries(route: Route, chains: dict[int, tuple[Position, ...]]) -> list[Entry]:
    """A route's entries, one per mount with a literal prefix; `chains` memoises each mount's include positions
    (by id: the mounts are held by the tables)."""
    local = route.local_path
    if local is None:
        return []
    own = _site_position(route)
    out: list[Entry] = []
    for mount in route.mounts:
        if mount.prefix is None:
            continue
        chain = chains.get(id(mount))
        if chain is None:
            chain = chains[id(mount)] = tuple(_include_position(inc) for inc in mount.chain)
        out.append(Entry(route, mount.app, mount.prefix + local, (*chain, own), mount.chain))
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


# ModuleFacts.memo key: id of a statement list of the module's tree -> (that list, the `end_lineno` of each of
# its statements, or None when the lines are not in order). The list itself is kept so that an id is never
# taken for another list's.
_ENDS = "routes.statement_ends"
_Ends = dict[int, tuple[list[ast.stmt], list[int] | None]]


def _ends_of(stmts: list[ast.stmt], memo: _Ends) -> list[int] | None:
    kept = memo.get(id(stmts))
    if kept is not None and kept[0] is stmts:
        return kept[1]
    ends = [s.end_lineno or s.lineno for s in stmts]
    pairs = itertools.pairwise
    in_order = all(a.lineno <= b.lineno for a, b in pairs(stmts)) and all(a <= b for a, b in pairs(ends))
    memo[id(stmts)] = (stmts, ends if in_order else None)  # None: not in source order (a tree made by hand)
    return ends if in_order else None


def _find(stmts: list[ast.stmt], line: int, memo: _Ends | None) -> ast.stmt | None:
    """`_holding(stmts, line)`, by a binary search when `memo` is given: the first statement ending at or after
    `line` is the first one holding it, if any does (starts and ends both ascend in a block)."""
    if memo is None or len(stmts) < 8:
        return _holding(stmts, line)
    ends = _ends_of(stmts, memo)
    if ends is None:
        return _holding(stmts, line)
    i = bisect_left(ends, line)
    if i == len(stmts) or stmts[i].lineno > line:
        return None
    return stmts[i]


def statement_path(body: list[ast.stmt], line: int, facts: ModuleFacts | None = None) -> list[tuple[ast.stmt, str]]:
    """The statements leading from `body` down to the one holding `line`, each with the block taken ("" for
    the innermost statement). With the `facts` of the module holding `body`, each block is searched in
    O(log n) (its statements' lines are kept in the facts' memo) instead of scanned."""
    memo: _Ends | None = None
    if facts is not None:
        found_memo = facts.memo.get(_ENDS)
        if found_memo is None:
            found_memo = facts.memo[_ENDS] = {}
        memo = cast(_Ends, found_memo)
    out: list[tuple[ast.stmt, str]] = []
    current = body
    while True:
        holder = _find(current, line, memo)
        if holder is None:
            return out
        found = next(((name, block) for name, block in _blocks(holder) if _find(block, line, memo) is not None), None)
        if found is None:
            out.append((holder, ""))
            return out
        out.append((holder, found[0]))
        current = found[1]


def same_branch(body: list[ast.stmt], line_a: int, line_b: int, facts: ModuleFacts | None = None) -> bool:
    """Whether the statements at two lines of one body both run when the body runs: False when they sit in
    different blocks of one `if`/`try`/`match` (or cannot be located). `facts`: as for `statement_path`."""
    path_a, path_b = statement_path(body, line_a, facts), statement_path(body, line_b, facts)
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
    return not same_branch(body, _statement_line(a), _statement_line(b), a.module)


def _statement_line(route: Route) -> int:
    site = route.site
    if site.handler is not None and site.decorator_index >= 0:
        return site.handler.node.lineno
    return site.call.lineno
