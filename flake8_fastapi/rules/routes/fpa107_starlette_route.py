"""## What it does
Finds Starlette-style route registration on a FastAPI app or `APIRouter`: the `@app.route(...)` /
`@router.route(...)` decorator and `app.add_route(...)`. Starlette apps are left alone.

## Why is this bad?
A Starlette route bypasses everything FastAPI adds: the handler receives the raw `Request`, nothing is
validated or converted, dependencies do not run, and the operation is missing from the OpenAPI schema and the
docs. On FastAPI 0.165 (Starlette 1.0) `FastAPI` no longer has a `route` method at all, so `@app.route(...)`
fails at import with `AttributeError`; `APIRouter.route` and `add_route` still work, without validation or
OpenAPI. On earlier releases (0.115 and before) `@app.route(...)` is served the same way, outside validation
and the schema.

## Example
```python
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter()


@router.route("/items", methods=["POST"])
async def create_item(request: Request) -> JSONResponse:
    return JSONResponse(await request.json())
```

## Use instead
```python
from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter()


class Item(BaseModel):
    name: str


@router.post("/items")
async def create_item(item: Item) -> Item:
    return item
```

## Fix
Rewrites `@x.route("/p")` to `@x.get("/p")` and `@x.route("/p", methods=["POST"])` to `@x.post("/p")`, when
there is exactly one literal method and no other argument. Unsafe: FastAPI now reads the handler's
parameters (a Starlette-style `def f(request)` without the `Request` annotation becomes a required query
parameter), and a GET route no longer answers HEAD. No fix for `add_route`.

## Related
flake8-fastapi `CF001` (which fires on any `.route(...)`, Flask's included, because it does not check what the
receiver is).

## See also
- https://fastapi.tiangolo.com/tutorial/first-steps/#define-a-path-operation-decorator
- https://www.starlette.io/routing/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...fixes import fix
from ...model.facts import RouteSite
from ...model.names import HTTP_METHODS
from ..base import Context, Finding, Fix, Rule

_STARLETTE = ("route", "add_route")


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    for site in module.routes:
        if site.method not in _STARLETTE:
            continue
        obj = project.object_for(site.receiver, module)
        if obj is None:
            continue
        what = "app" if obj.kind == "app" else "router"
        if site.method == "route":
            gone = " (`FastAPI.route` no longer exists on FastAPI 0.165)" if obj.kind == "app" else ""
            message = (
                f"Starlette-style `@{obj.name}.route(...)` on a FastAPI {what}{gone}: no validation, no dependencies, "
                f"not in OpenAPI; use a method decorator such as `@{obj.name}.get(...)`"
            )
        else:
            message = (
                f"Starlette-style `{obj.name}.add_route(...)` on a FastAPI {what}: no validation, no dependencies, "
                f"not in OpenAPI; use `{obj.name}.add_api_route(...)` or a method decorator"
            )
        yield ctx.finding(site.call, message, fix=_method_decorator(ctx, site))


def _method_decorator(ctx: Context, site: RouteSite) -> Fix | None:
    call = site.call
    if site.method != "route" or len(call.args) != 1 or any(kw.arg not in ("methods",) for kw in call.keywords):
        return None
    method = "get"
    methods = next((kw.value for kw in call.keywords), None)
    if methods is not None:
        if not isinstance(methods, (ast.List, ast.Tuple, ast.Set)) or len(methods.elts) != 1:
            return None
        only = methods.elts[0]
        if not isinstance(only, ast.Constant) or not isinstance(only.value, str):
            return None
        method = only.value.lower()
    if method not in HTTP_METHODS:
        return None
    src = ctx.module.source
    text = src.segment(call)
    if "#" in text or not isinstance(call.func, ast.Attribute):
        return None
    receiver, path = src.segment(call.func.value), src.segment(call.args[0])
    return fix(f"Use `@{receiver}.{method}(...)`", ctx.edit(call, f"{receiver}.{method}({path})"), unsafe=True)


RULE = Rule(
    code="FPA107",
    name="starlette-route",
    summary="Starlette-style `route`/`add_route` on a FastAPI app or router",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix="unsafe",
    scope="project",
    peers=("CF001",),
)
