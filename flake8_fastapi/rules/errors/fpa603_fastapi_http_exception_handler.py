"""## What it does
Finds an exception handler registered for FastAPI's `HTTPException` (`@app.exception_handler(HTTPException)`
or `app.add_exception_handler(HTTPException, ...)` with `HTTPException` imported from `fastapi`).

## Why is this bad?
FastAPI's `HTTPException` is a subclass of Starlette's. The router raises *Starlette's* class for an unknown
URL (404) and for a wrong method (405), and a handler registered for the subclass never sees those: the
custom error format applies to the errors the code raises but not to the router's own, so clients get two
shapes of error body. Registering the handler for `starlette.exceptions.HTTPException` catches both, since
FastAPI's class derives from it (this is what FastAPI's documentation recommends).

Not reported when the same module also registers a handler for Starlette's class (then the FastAPI one is a
deliberate, more specific handler).

## Example
```python
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

app = FastAPI()


@app.exception_handler(HTTPException)
async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
```

## Use instead
```python
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

app = FastAPI()


@app.exception_handler(StarletteHTTPException)
async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
```

## Fix
Registers the handler for Starlette's class instead, importing it as
`from starlette.exceptions import HTTPException as StarletteHTTPException` (no fix when that name is already
bound to something else). Safe: Starlette's class is the base of FastAPI's, so every exception the handler
caught before still reaches it, and the router's 404/405 now do too, which is what the handler was meant for.
Annotations inside the handler are left as they are.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/tutorial/handling-errors/#fastapis-httpexception-vs-starlettes-httpexception
- https://www.starlette.io/exceptions/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...fixes import fix, import_edit
from ..base import Context, Edit, Finding, Rule

_FASTAPI = "fastapi.HTTPException"
_STARLETTE = "starlette.exceptions.HTTPException"
_ALIAS = "StarletteHTTPException"


def check(ctx: Context) -> Iterator[Finding]:
    module = ctx.module
    sites = module.method_calls("exception_handler", "add_exception_handler")
    registered: list[tuple[ast.expr, str | None]] = []
    for site in sites:
        call = site.node
        target = call.args[0] if call.args else None
        if target is None:
            target = next((kw.value for kw in call.keywords if kw.arg == "exc_class_or_status_code"), None)
        if target is None or site.receiver is None:
            continue
        registered.append((target, module.resolve(target, site.scope)))
    if any(qual == _STARLETTE for _, qual in registered):
        return
    bound = module.scope.bindings.get(_ALIAS)
    for target, qual in registered:
        if qual != _FASTAPI:
            continue
        edits: tuple[Edit | None, ...] = ()
        if bound == _STARLETTE:
            edits = (ctx.edit(target, _ALIAS),)
        elif bound is None:
            edits = (ctx.edit(target, _ALIAS), import_edit(module, "starlette.exceptions", "HTTPException", _ALIAS))
        yield ctx.finding(
            target,
            "Handler registered for FastAPI's `HTTPException` misses the router's own 404/405 "
            "(raised as Starlette's class): register it for `starlette.exceptions.HTTPException`",
            fix=fix("Use Starlette's `HTTPException`", *edits) if edits else None,
        )


RULE = Rule(
    code="FPA603",
    name="fastapi-http-exception-handler",
    summary="Exception handler for FastAPI's `HTTPException` misses Starlette's own 404/405",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix="safe",
    scope="module",
    peers=(),
)
