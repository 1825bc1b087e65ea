"""## What it does
Finds a route handler parameter without a type annotation (`def read(request)`, `def items(limit=10)`).
Path parameters (named in the route's path or a router prefix), `self`/`cls`, `*args`/`**kwargs` and parameters
whose default is a marker (`Depends(...)`, `Query(...)`: FPA201's business) or anything but a plain value (a
literal, or a name bound to one) are left alone, and so are handlers whose path is not a literal.

## Why is this bad?
FastAPI decides what a parameter is from its annotation. Without one, the parameter becomes a required query
parameter of any type: `def read(request)` does not receive the `Request`, it asks the client for
`?request=...` and answers 422 when it is missing; `def items(limit=10)` receives the string `"5"`, not the
integer 5, and nothing is validated or documented with a type in OpenAPI. Annotate it: `request: Request`,
`limit: int = 10`.

## Example
```python
from fastapi import FastAPI

app = FastAPI()


@app.get("/client")
async def client_host(request):
    return {"host": request.client.host}
```

## Use instead
```python
from fastapi import FastAPI, Request

app = FastAPI()


@app.get("/client")
async def client_host(request: Request) -> dict[str, str | None]:
    return {"host": request.client.host if request.client else None}
```

## Fix
No fix: the intended type is the developer's to choose.

## Related
No equivalent in ruff or flake8-fastapi (ruff `ANN001` asks for annotations everywhere, without knowing that
FastAPI reads them).

## See also
- https://fastapi.tiangolo.com/tutorial/query-params/
- https://fastapi.tiangolo.com/advanced/using-request-directly/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model.facts import Assignment, FunctionInfo
from ...model.project import Project, Route
from ..base import Context, Finding, Rule
from ..routes._binding import path_parameters
from ._common import handler_routes

# Names that almost always mean a special FastAPI parameter, with the annotation it needs.
_SPECIAL = {
    "request": "Request",
    "req": "Request",
    "response": "Response",
    "background_tasks": "BackgroundTasks",
    "websocket": "WebSocket",
    "ws": "WebSocket",
}


def check(ctx: Context) -> Iterator[Finding]:
    for fn, routes in _handlers(ctx.project, ctx.module.path).values():
        if any(r.path is None or r.router.prefix is None for r in routes):
            continue  # path parameters unknown
        if any(mount.prefix is None for r in routes for mount in r.mounts):
            continue
        path_names = {name for r in routes for name in path_parameters(r)}
        yield from _check_handler(ctx, fn, path_names)


def _handlers(project: Project, path: str) -> dict[int, tuple[FunctionInfo, list[Route]]]:
    """Handler id -> (handler, its FastAPI routes) of the handlers in the module at `path`, from the routes
    grouped by handler module (kept across updates: see `handler_routes`)."""
    out: dict[int, tuple[FunctionInfo, list[Route]]] = {}
    for route in handler_routes(project, path):
        if route.handler is None or route.kind == "starlette":
            continue
        out.setdefault(id(route.handler), (route.handler, []))[1].append(route)
    return out


def _check_handler(ctx: Context, fn: FunctionInfo, path_names: set[str]) -> Iterator[Finding]:
    args = fn.node.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    entries = [*zip(positional, defaults), *zip(args.kwonlyargs, args.kw_defaults)]
    for index, (arg, default) in enumerate(entries):
        if arg.annotation is not None or arg.arg in path_names:
            continue
        if index == 0 and arg.arg in ("self", "cls") and arg in positional:
            continue
        if default is not None and not _plain_value(ctx, default, fn):
            continue  # a marker (`Depends(...)`, or a name bound to one), or something we cannot see through
        special = _SPECIAL.get(arg.arg)
        if special is not None:
            required = "a required" if default is None else "an optional"
            why = f"FastAPI does not pass the `{special}`: it reads {required} query parameter `{arg.arg}`"
            hint = f"annotate it `{arg.arg}: {special}`"
        elif default is None:
            why = "FastAPI makes it a required query parameter of any type"
            hint = "annotate it"
        else:
            why = "FastAPI makes it an untyped query parameter (a string, whatever the default's type)"
            hint = "annotate it"
        yield ctx.finding(arg, f"Parameter `{arg.arg}` of handler `{fn.name}` has no annotation: {why}; {hint}")


def _plain_value(ctx: Context, default: ast.expr, fn: FunctionInfo, depth: int = 0) -> bool:
    """A default that is a plain value (a literal, or a name bound to one): never a parameter marker."""
    if isinstance(default, ast.Constant):
        return True
    if isinstance(default, (ast.List, ast.Tuple, ast.Set)):
        return all(_plain_value(ctx, e, fn, depth) for e in default.elts)
    if isinstance(default, ast.UnaryOp) and isinstance(default.operand, ast.Constant):
        return True
    if isinstance(default, (ast.Name, ast.Attribute)) and depth < 3:
        symbol = ctx.project.lookup(ctx.module.resolve(default, fn.scope), ctx.module)
        if symbol is not None and isinstance(symbol.obj, Assignment):
            value = symbol.obj.value
            if isinstance(value, ast.Call):
                return False
            return isinstance(value, ast.Constant)
    return False


RULE = Rule(
    code="FPA206",
    name="unannotated-handler-parameter",
    summary="Route handler parameter without a type annotation (FastAPI makes it a query parameter)",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
)
