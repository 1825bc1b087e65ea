"""## What it does
Finds a path parameter (`{item_id}` in the route's path, its router's prefix or an `include_router`
prefix) that nothing receives: not the handler, not any of its dependencies (parameters, `Annotated` aliases,
decorator, router and app `dependencies=[...]`, imported dependency functions), not `Path(alias=...)`.

## Why is this bad?
FastAPI matches the URL but hands the value to nobody: the handler cannot tell `/items/1` from `/items/2`.
Usually the parameter was renamed on one side only. The analysis follows dependencies across files and stays
silent when one cannot be resolved, or when a dependency reads `request.path_params` itself.

## Example
```python
from fastapi import FastAPI

app = FastAPI()


@app.get("/items/{item_id}")
async def read_item(id: int):
    return {"id": id}
```

## Use instead
```python
from fastapi import FastAPI

app = FastAPI()


@app.get("/items/{item_id}")
async def read_item(item_id: int):
    return {"id": item_id}
```

## Fix
Adds the parameter to the handler (typed from the converter: `{n:int}` gives `n: int`, otherwise `str`).
Safe: the handler now receives the value it was ignoring.

## Related
ruff `FAST003` (which reports false positives when the parameter is consumed through an `Annotated` alias or a
decorator-level dependency, and never checks router prefixes).

## See also
- https://fastapi.tiangolo.com/tutorial/path-params/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...fixes import fix, insert_parameter
from ...model.facts import FunctionInfo
from ...model.params import (
    Callable_,
    Param,
    callable_params,
    depends_target,
    resolve_dependency,
    route_dependencies,
)
from ...model.paths import path_params
from ...model.project import Project, Route
from ..base import Context, Finding, Rule

_TYPES = {"int": "int", "float": "float", "uuid": "UUID", "path": "str", "str": "str", None: "str"}


def check(ctx: Context) -> Iterator[Finding]:
    for route in ctx.project.routes_of(ctx.module):
        if route.handler is None or route.handler_module is not ctx.module or route.path is None:
            continue
        wanted = _path_parameters(route)
        if not wanted:
            continue
        bound = _bound_names(ctx.project, route)
        if bound is None:  # something we cannot see through: stay silent
            continue
        path_node = route.site.call.args[0] if route.site.call.args else route.keyword("path")
        anchor = path_node if path_node is not None else route.site.call
        for name, (converter, origin) in wanted.items():
            if name in bound:
                continue
            where = "" if origin == "path" else f" (from the prefix `{origin}`)"
            edit = insert_parameter(ctx.module, route.handler.node, f"{name}: {_TYPES.get(converter, 'str')}")
            yield ctx.finding(
                anchor,
                f"Path parameter `{name}`{where} is not received by `{route.name}` or any of its dependencies",
                fix=fix(f"Add parameter `{name}` to `{route.name}`", edit)
                if converter != "uuid" and not _uses_name(route.handler, name)
                else None,
            )


def _path_parameters(route: Route) -> dict[str, tuple[str | None, str]]:
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


def _uses_name(fn: FunctionInfo, name: str) -> bool:
    """A local of that name already exists: adding the parameter could change what the body means."""
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(fn.node))


def _bound_names(project: Project, route: Route) -> set[str] | None:
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
    dep = param.dependency
    if dep is None:
        return True
    target = resolve_dependency(project, param)
    if target is None:
        return False
    return _collect(project, target, names, seen)


RULE = Rule(
    code="FPA101",
    name="unbound-path-parameter",
    summary="Path parameter that neither the handler nor its dependencies receive",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix="safe",
    scope="project",
    peers=("FAST003",),
)
