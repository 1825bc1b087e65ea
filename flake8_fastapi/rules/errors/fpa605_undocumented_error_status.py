"""## What it does
Finds an `HTTPException` raised in a route handler's body whose status is not documented in the route's
`responses=` (the decorator's, its router's, an `include_router(..., responses=...)` on the way, or the app's).
Raises nested in `if`, `try`, `with` and loops count; range keys (`"4XX"`) and `"default"` document every
matching status; the route's own `status_code` and `422` (documented by FastAPI for routes with parameters)
count as documented.

Only the handler's own body is read. Errors raised by dependencies (401/403 from an auth dependency) are
usually documented once on the router (`APIRouter(responses={401: ...})`), and helper functions the handler
calls are not followed: the rule reports what the handler visibly raises.

## Why is this bad?
FastAPI documents a route's success response from its return type, but it cannot know which errors the code
raises. Clients generated from the OpenAPI schema then have no type for the 404 or 409 they will receive,
and the interactive docs do not show them. This is a documentation rule, off by default.

## Example
```python
from fastapi import FastAPI, HTTPException, status

app = FastAPI()


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict[str, int]:
    if item_id > 100:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    return {"id": item_id}
```

## Use instead
```python
from fastapi import FastAPI, HTTPException, status

app = FastAPI()


@app.get("/items/{item_id}", responses={404: {"description": "Item not found"}})
async def read_item(item_id: int) -> dict[str, int]:
    if item_id > 100:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Item not found")
    return {"id": item_id}
```

## Fix
No fix: the description (and a model for the error body) is for the author to write.

## Related
flake8-fastapi `CF009`, which crashes the whole flake8 run when an endpoint calls an imported function; this
rule does not follow calls at all, so it cannot.

## See also
- https://fastapi.tiangolo.com/advanced/additional-responses/
- https://fastapi.tiangolo.com/tutorial/handling-errors/
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ...model.facts import FunctionInfo, ModuleFacts
from ...model.project import Project, Route
from ...model.walk import children
from ..base import Context, Finding, Rule
from .fpa602_http_exception_bad_status import HTTP_EXCEPTIONS, status_expr, status_value

_RANGE = re.compile(r"^([1-5])XX$", re.IGNORECASE)


def handler_raises(module: ModuleFacts, fn: FunctionInfo) -> list[tuple[ast.Call, int]]:
    """`raise HTTPException(<status>)` in the function's own body (not nested functions), with the status."""
    out: list[tuple[ast.Call, int]] = []
    stack: list[ast.AST] = list(fn.node.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            call = node.exc
            if module.resolve(call.func, fn.body_scope) in HTTP_EXCEPTIONS:
                code = status_value(module, status_expr(call), fn.body_scope)
                if code is not None:
                    out.append((call, code))
        stack.extend(children(node))
    return sorted(out, key=lambda item: (item[0].lineno, item[0].col_offset))


def _response_keys(expr: ast.expr | None, module: ModuleFacts, into: set[str]) -> bool:
    """Add the literal keys of a `responses=` dict; False when they cannot be read."""
    if expr is None:
        return True
    if not isinstance(expr, ast.Dict):
        return False
    for key in expr.keys:
        if key is None:  # `**other`
            return False
        if isinstance(key, ast.Constant) and isinstance(key.value, (int, str)) and type(key.value) is not bool:
            into.add(str(key.value).upper())
            continue
        code = status_value(module, key, module.scope)
        if code is None:
            return False
        into.add(str(code))
    return True


def _keyword(call: ast.Call | None, name: str) -> ast.expr | None:
    if call is None:
        return None
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def documented_statuses(project: Project, route: Route) -> set[str] | None:
    """Every status key documented for the route; None when some `responses=` is not a literal dict."""
    keys: set[str] = set()
    sources = [(route.site.call, route.module), (route.router.call, route.router.module)]
    for mount in route.mounts:
        for inc in mount.chain:
            sources.append((inc.site.node, inc.module))
        app = project.objects.get(mount.app)
        if app is not None:
            sources.append((app.call, app.module))
    for call, module in sources:
        if not _response_keys(_keyword(call, "responses"), module, keys):
            return None
    own = _keyword(route.site.call, "status_code")
    if own is not None:
        code = status_value(route.module, own, route.site.scope)
        if code is None:
            return None
        keys.add(str(code))
    return keys


def is_documented(code: int, keys: set[str]) -> bool:
    if str(code) in keys or "DEFAULT" in keys:
        return True
    return any((m := _RANGE.match(k)) is not None and m.group(1) == str(code)[0] for k in keys)


def check(ctx: Context) -> Iterator[Finding]:
    for route in ctx.project.routes_of(ctx.module):
        fn = route.handler
        if fn is None or route.handler_module is not ctx.module or route.kind != "http":
            continue
        raises = handler_raises(ctx.module, fn)
        if not raises:
            continue
        keys = documented_statuses(ctx.project, route)
        if keys is None:
            continue
        has_params = bool(fn.node.args.args or fn.node.args.kwonlyargs or fn.node.args.posonlyargs)
        for call, code in raises:
            if is_documented(code, keys) or (code == 422 and has_params):
                continue
            yield ctx.finding(
                call,
                f"`{route.name}` raises {code}, which its `responses=` does not document",
            )


RULE = Rule(
    code="FPA605",
    name="undocumented-error-status",
    summary="Raised `HTTPException` status not documented in the route's `responses=`",
    check=check,
    docs=__doc__ or "",
    default=False,
    fix=None,
    scope="project",
    peers=("CF009",),
)
