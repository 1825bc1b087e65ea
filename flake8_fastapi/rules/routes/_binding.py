"""Which path parameters a route has, and which names its handler and dependencies receive.

Shared by FPA101 (unbound path parameter) and FPA102 (misspelt path parameter), so both see the same route the
same way and their fixes never compete for one spot.
"""

from __future__ import annotations

import ast
from typing import cast

from ...model.facts import FunctionInfo
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
    for name, conv in path_params(route.path or ""):
        out.setdefault(name, (conv, "path"))
    prefix = route.router.prefix
    if prefix:
        for name, conv in path_params(prefix):
            out.setdefault(name, (conv, prefix))
    for mount in route.mounts:
        if mount.prefix:
            for name, conv in path_params(mount.prefix):
                out.setdefault(name, (conv, mount.prefix))
    return out


def bound_names(project: Project, route: Route) -> set[str] | None:
    """Every name the handler and its dependencies receive; None when a dependency cannot be resolved."""
    assert route.handler is not None and route.handler_module is not None
    names: set[str] = set()
    seen: set[int] = set()
    if not _collect(project, (route.handler_module, route.handler), names, seen):
        return None
    for module, scope, expr in route_dependencies(project, route):
        is_depends, target = depends_target(project, module, scope, expr)
        if not is_depends:
            return None
        if target is None:
            if isinstance(expr, ast.Call) and expr.args:
                return None
            continue
        if not _collect(project, target, names, seen):
            return None
    return names


def _memo(project: Project, name: str) -> dict[int, tuple[Route, object]]:
    """A per-route cache in `project.derived` (cleared on every update); entries keep their route alive, so
    an id is not reused while its entry is there."""
    memo = project.derived.get(name)
    if not isinstance(memo, dict):
        memo = project.derived[name] = {}
    return memo


def unbound_parameters(project: Project, route: Route) -> dict[str, tuple[str | None, str]] | None:
    """The route's path parameters that nothing receives; None when the analysis cannot tell. Computed once
    per route and project link (FPA101 and FPA102 both ask); the result is shared: do not change it."""
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
    bound = bound_names(project, route)
    if bound is None:
        return None
    return {name: info for name, info in wanted.items() if name not in bound}


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
