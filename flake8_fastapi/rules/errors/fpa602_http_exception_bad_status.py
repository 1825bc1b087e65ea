"""## What it does
Finds `HTTPException(...)` (FastAPI's or Starlette's) raised with a status code that is not an error: a literal
below 400 (`HTTPException(status_code=200)`, `status.HTTP_201_CREATED`), or a number that is no HTTP status at
all (outside 100-599).

## Why is this bad?
`HTTPException` is the way to stop a request with an *error* response: FastAPI's handler turns it into a JSON
body `{"detail": ...}` with the given status. Raised with `200` or `201` it sends a success status with an
error body, which clients, proxies and the OpenAPI documentation all read as success; usually a `return` was
meant, or a 4xx code was mistyped. A number outside 100-599 is not an HTTP status: servers refuse to send it
and the client sees a 500 or a dropped connection.

A 3xx status with `headers=` (a `Location` redirect raised from a dependency) is a deliberate pattern and is
not reported. Unregistered codes inside 400-599 (`499`) are valid HTTP and are not reported either.

## Example
```python
from fastapi import FastAPI, HTTPException, status

app = FastAPI()


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict[str, int]:
    if item_id < 0:
        raise HTTPException(status_code=status.HTTP_200_OK, detail="Negative id")
    return {"id": item_id}
```

## Use instead
```python
from fastapi import FastAPI, HTTPException, status

app = FastAPI()


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict[str, int]:
    if item_id < 0:
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail="Negative id")
    return {"id": item_id}
```

## Fix
No fix: which error status was meant is for the author to decide.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/tutorial/handling-errors/
- https://developer.mozilla.org/en-US/docs/Web/HTTP/Status
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ...model.facts import CallSite, ModuleFacts, Scope
from ..base import Context, Finding, Rule

HTTP_EXCEPTIONS = ("fastapi.HTTPException", "starlette.exceptions.HTTPException")
_STATUS_CONSTANT = re.compile(r"^(?:fastapi|starlette)\.status\.HTTP_(\d{3})_[A-Z0-9_]+$")


def status_expr(call: ast.Call) -> ast.expr | None:
    """The status argument of `HTTPException(...)`: first positional or `status_code=`."""
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    for kw in call.keywords:
        if kw.arg == "status_code":
            return kw.value
    return None


def status_value(module: ModuleFacts, expr: ast.expr | None, scope: Scope) -> int | None:
    """The number a status expression denotes: an int literal or a `status.HTTP_NNN_...` constant."""
    if expr is None:
        return None
    if isinstance(expr, ast.Constant) and type(expr.value) is int:
        return expr.value
    if isinstance(expr, (ast.Name, ast.Attribute)):
        qual = module.resolve(expr, scope)
        if qual is not None:
            m = _STATUS_CONSTANT.match(qual)
            if m:
                return int(m.group(1))
    return None


def http_exception_calls(module: ModuleFacts) -> list[CallSite]:
    return module.calls_to(*HTTP_EXCEPTIONS)


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def check(ctx: Context) -> Iterator[Finding]:
    module = ctx.module
    for site in http_exception_calls(module):
        expr = status_expr(site.node)
        code = status_value(module, expr, site.scope)
        if code is None or expr is None:
            continue
        if not 100 <= code <= 599:
            yield ctx.finding(expr, f"`HTTPException` with `{code}`, which is not an HTTP status code (100-599)")
        elif code < 400:
            if 300 <= code < 400 and _keyword(site.node, "headers") is not None:
                continue  # a redirect raised on purpose (`Location` header)
            yield ctx.finding(
                expr,
                f"`HTTPException` with status {code}, which is not an error: raise a 4xx/5xx status, "
                "or return a response",
            )


RULE = Rule(
    code="FPA602",
    name="http-exception-non-error-status",
    summary="`HTTPException` with a status below 400 or not an HTTP status",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="module",
    peers=(),
)
