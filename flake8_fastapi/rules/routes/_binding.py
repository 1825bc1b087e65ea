"""Which path parameters a route has, and which names its handler and dependencies receive.

Shared by FPA101 (unbound path parameter) and FPA102 (misspelt path parameter), so both see the same route the
same way and their fixes never compete for one spot.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from typing import cast

from ...model.facts import FunctionInfo, ModuleFacts, Scope
from ...model.params import (
    Callable_,
    Param,
    callable_params,
    depends_target,
    params_of,
    resolve_dependency,
    route_dependencies,
)
from ...model.paths import path_params
from ...model.project import Project, Route


def path_parameters(route: Route) -> dict[str, tuple[str | None, str]]:
    """name -> (converter, where it comes from: "path" or the prefix text)."""
    out: dict[str, tuple[str | None, str]] = {}
    for name, conv in _params_in(route.path or ""):
        out.setdefault(name, (conv, "path"))
    prefix = route.router.prefix
    if prefix:
        for name, conv in _params_in(prefix):
            out.setdefault(name, (conv, prefix))
    for mount in route.mounts:
        if mount.prefix:
            for name, conv in _params_in(mount.prefix):
                out.setdefault(name, (conv, mount.prefix))
    return out


@lru_cache(maxsize=4096)
def _params_in(text: str) -> tuple[tuple[str, str | None], ...]:
    """`path_params` of a path or prefix: the same few prefixes are read for every route of a router."""
    return tuple(path_params(text))


def bound_names(project: Project, route: Route) -> set[str] | None:
    """Every name the handler and its dependencies receive; None when a dependency cannot be resolved.

    A name is received when some callable reachable from the handler or the route's dependencies takes it, and
    the answer is None as soon as any reachable callable is opaque: a union over what is reachable, so each
    dependency's share (`_closure`, `_dependency_names`) is computed once per project link and shared by every
    route that names it (the 200 routes of one router all pass through its `dependencies=[...]`)."""
    assert route.handler is not None and route.handler_module is not None
    closures = _memo(project, "binding.closures")
    names = _handler_names(project, (route.handler_module, route.handler), closures)
    if names is None:
        return None
    shares = _memo(project, "binding.dependencies")
    for module, scope, expr in route_dependencies(project, route):
        kept = shares.get(id(expr))
        if kept is not None and kept[0] is expr:
            found = cast(frozenset[str] | None, kept[1])
        else:
            found = _dependency_names(project, module, scope, expr, closures)
            shares[id(expr)] = (expr, found)
        if found is None:
            return None
        names |= found
    return names


def _handler_names(project: Project, handler: Callable_, closures: _Memo) -> set[str] | None:
    """What `_collect` finds from the handler, each dependency's closure taken from the shared memo."""
    _module, fn = handler
    if isinstance(fn, FunctionInfo) and fn.path_params_read:
        return None  # reads every path parameter itself
    params = callable_params(project, handler)
    if params is None:
        return None
    names: set[str] = set()
    for param in params:
        if param.kind == "kwarg" or param.unresolved_alias:
            return None
        names.add(param.alias or param.name)
        names.add(param.name)
        if param.marker in ("Depends", "Security") and param.dependency is not None:
            target = resolve_dependency(project, param)
            found = None if target is None else _closure(project, target, closures)
            if found is None:
                return None
            names |= found
    return names


def _dependency_names(
    project: Project, module: ModuleFacts, scope: Scope, expr: ast.expr, closures: _Memo
) -> frozenset[str] | None:
    """The names one `dependencies=[...]` entry receives; None when it is not a resolvable `Depends(...)`."""
    is_depends, target = depends_target(project, module, scope, expr)
    if not is_depends:
        return None
    if target is None:
        return None if isinstance(expr, ast.Call) and expr.args else frozenset()
    return _closure(project, target, closures)


def _closure(project: Project, target: Callable_, closures: _Memo) -> frozenset[str] | None:
    """Every name a dependency and the dependencies it reaches receive (None: one is opaque), once per link.
    Only whole closures are kept, each computed from a fresh walk: a walk's inner results miss the names of a
    cycle's callables still being walked."""
    module, obj = target
    kept = closures.get(id(obj))
    if kept is not None and kept[0] is obj:
        return cast(frozenset[str] | None, kept[1])
    names: set[str] = set()
    found = frozenset(names) if _collect(project, (module, obj), names, set()) else None
    closures[id(obj)] = (obj, found)
    return found


_Memo = dict[int, tuple[object, object]]


def _memo(project: Project, name: str) -> _Memo:
    """A cache keyed by the id of a route (or dependency, expression) in `project.derived` (cleared on every
    update); entries keep their key object alive, so an id is not reused while its entry is there."""
    memo = project.derived.get(name)
    if not isinstance(memo, dict):
        memo = project.derived[name] = {}
    return memo


def unbound_parameters(project: Project, route: Route) -> dict[str, tuple[str | None, str]] | None:
    """The route's path parameters that nothing receives; None when the analysis cannot tell (or {}, when every
    path parameter is a handler parameter). Computed once per route and project link (FPA101 and FPA102 both
    ask); the result is shared: do not change it."""
    memo = _memo(project, "binding.unbound")
    kept = memo.get(id(route))
    if kept is not None and kept[0] is route:
        return cast(dict[str, tuple[str | None, str]] | None, kept[1])
    found = _unbound_parameters(project, route)
    memo[id(route)] = (route, found)
    return found


def _unbound_parameters(project: Project, route: Route) -> dict[str, tuple[str | None, str]] | None:
    if route.handler is None or route.path is None:
        return None
    wanted = path_parameters(route)
    if not wanted:
        return {}
    if wanted.keys() <= _arg_names(route.handler):
        # Every path parameter is one of the handler's own parameters (the common case): received, whatever
        # the dependencies are; the callers treat {} and None alike (nothing to report).
        return {}
    bound = bound_names(project, route)
    if bound is None:
        return None
    return {name: info for name, info in wanted.items() if name not in bound}


def _arg_names(fn: FunctionInfo) -> set[str]:
    args = fn.node.args
    names = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    for extra in (args.vararg, args.kwarg):
        if extra is not None:
            names.add(extra.arg)
    return names


def _collect(project: Project, target: Callable_, names: set[str], seen: set[int]) -> bool:
    _module, obj = target
    if id(obj) in seen:
        return True
    seen.add(id(obj))
    if isinstance(obj, FunctionInfo) and obj.path_params_read:
        names.add("*")
        return False  # reads every path parameter itself
    params = callable_params(project, target)
    if params is None:
        return False
    for param in params:
        if param.kind == "kwarg" or param.unresolved_alias:
            return False
        names.add(param.alias or param.name)
        names.add(param.name)
        if param.marker in ("Depends", "Security") and not _follow(project, param, names, seen):
            return False
    return True


def _follow(project: Project, param: Param, names: set[str], seen: set[int]) -> bool:
    if param.dependency is None:
        return True
    target = resolve_dependency(project, param)
    if target is None:
        return False
    return _collect(project, target, names, seen)


# -- near misses (FPA102) ------------------------------------------------------------------------------------

# Annotations that make a parameter something other than a query/path value: never a misspelt path parameter.
_SPECIAL_TYPES = frozenset(
    (
        "fastapi.Request",
        "fastapi.Response",
        "fastapi.BackgroundTasks",
        "fastapi.WebSocket",
        "starlette.websockets.WebSocket",
        "fastapi.websockets.WebSocket",
        "starlette.responses.Response",
        "fastapi.responses.Response",
        "fastapi.security.SecurityScopes",
        "fastapi.UploadFile",
    )
)


_VALUE_BUILTINS = frozenset(("int", "str", "float", "bool", "bytes", "complex"))


def near_misses(project: Project, route: Route, unbound: dict[str, tuple[str | None, str]]) -> dict[str, Param]:
    """path parameter name -> the one handler parameter that looks like its misspelling.

    A candidate is a plain handler parameter (no marker, or `Path()` without alias) that nothing else claims,
    whose name is one small edit away from exactly one unbound path parameter, and vice versa. Computed once
    per route and `unbound` mapping (FPA101 and FPA102 both ask); the result is shared: do not change it."""
    memo = _memo(project, "binding.near_misses")
    kept = memo.get(id(route))
    if kept is not None and kept[0] is route:
        remembered = cast(tuple[dict[str, tuple[str | None, str]], dict[str, Param]], kept[1])
        if remembered[0] is unbound:
            return remembered[1]
    found = _near_misses(project, route, unbound)
    memo[id(route)] = (route, (unbound, found))
    return found


def _near_misses(project: Project, route: Route, unbound: dict[str, tuple[str | None, str]]) -> dict[str, Param]:
    if not unbound or route.handler is None or route.handler_module is None:
        return {}
    module = route.handler_module
    wanted = set(path_parameters(route))
    candidates: list[Param] = []
    for param in params_of(project, module, route.handler):
        if param.kind in ("vararg", "kwarg") or param.name in wanted or param.name in ("self", "cls"):
            continue
        if param.marker not in (None, "Path") or param.alias is not None:
            continue
        if param.type_expr is not None and _special_type(project, param):
            continue
        candidates.append(param)
    pairs = [(name, p) for name in unbound for p in candidates if looks_like(p.name, name)]
    out: dict[str, Param] = {}
    for name, param in pairs:
        if sum(1 for n, _ in pairs if n == name) == 1 and sum(1 for _, q in pairs if q is param) == 1:
            out[name] = param
    return out


def _special_type(project: Project, param: Param) -> bool:
    """The parameter's type is a FastAPI/Starlette special class or a project class (a body, a dependency)."""
    where = param.module
    if where is None or param.scope is None or param.type_expr is None:
        return False
    expr = param.type_expr
    if isinstance(expr, ast.Constant) and expr.value is None:
        return False
    if not isinstance(expr, (ast.Name, ast.Attribute)):
        return False  # `int | None`, `list[int]`: a value type
    qual = where.resolve(expr, param.scope)
    if qual is None:
        return not (isinstance(expr, ast.Name) and expr.id in _VALUE_BUILTINS)  # unknown: do not guess
    if qual in _SPECIAL_TYPES or qual.startswith(("starlette.", "fastapi.", "pydantic.")):
        return True
    return project.lookup(qual, where) is not None


def looks_like(name: str, target: str) -> bool:
    """`itemid`, `item_Id`, `itemId`, `itme_id` look like `item_id`; `id` does not."""
    if name == target:
        return False
    if _squash(name) == _squash(target):
        return True
    if min(len(name), len(target)) < 4:
        return False
    distance = _distance(name.lower(), target.lower())
    if distance == 1:
        return True
    return distance == 2 and min(len(name), len(target)) >= 8 and name[0].lower() == target[0].lower()


def _squash(name: str) -> str:
    return name.replace("_", "").lower()


def _distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein plus adjacent transpositions)."""
    if abs(len(a) - len(b)) > 2:
        return 3
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]
