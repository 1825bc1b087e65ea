"""## What it does
Finds a status code written as a bare number where FastAPI's named constant would say what it means:
`status_code=404` in a route decorator, `HTTPException(404)` / `HTTPException(status_code=404)`, and
`status_code=...` of a response class (`JSONResponse`, `Response`, `RedirectResponse`, ...).

## Why is this bad?
`status.HTTP_404_NOT_FOUND` reads as what it is, autocompletes, and cannot be mistyped into another valid
number unnoticed (`402` for `404`). FastAPI's documentation uses the constants throughout. This is a style
rule, off by default.

## Example
```python
from fastapi import FastAPI, HTTPException

app = FastAPI()


@app.post("/items", status_code=201)
async def create_item() -> dict[str, str]:
    raise HTTPException(status_code=409, detail="Exists")
```

## Use instead
```python
from fastapi import FastAPI, HTTPException, status

app = FastAPI()


@app.post("/items", status_code=status.HTTP_201_CREATED)
async def create_item() -> dict[str, str]:
    raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail="Exists")
```

## Fix
Replaces the number with `status.HTTP_NNN_...` and adds `from fastapi import status` when `status` is not yet
imported. Safe: the constant is the same integer. No fix when the name `status` is bound to something else
where the number is written (a parameter, a variable), and none for 413, 414, 416 and 422, whose constant
names changed between Starlette releases (`HTTP_422_UNPROCESSABLE_ENTITY` became
`HTTP_422_UNPROCESSABLE_CONTENT`): pick the one your Starlette has.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/tutorial/response-status-code/#shortcut-to-remember-the-names
- https://www.starlette.io/status/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...fixes import fix, import_edit
from ...model.facts import Scope
from ..base import Context, Edit, Finding, Rule
from .fpa602_http_exception_bad_status import HTTP_EXCEPTIONS, status_expr

# Constants that exist under the same name in every Starlette release FastAPI supports.
STATUS_NAMES = {
    100: "CONTINUE",
    101: "SWITCHING_PROTOCOLS",
    102: "PROCESSING",
    103: "EARLY_HINTS",
    200: "OK",
    201: "CREATED",
    202: "ACCEPTED",
    203: "NON_AUTHORITATIVE_INFORMATION",
    204: "NO_CONTENT",
    205: "RESET_CONTENT",
    206: "PARTIAL_CONTENT",
    207: "MULTI_STATUS",
    208: "ALREADY_REPORTED",
    226: "IM_USED",
    300: "MULTIPLE_CHOICES",
    301: "MOVED_PERMANENTLY",
    302: "FOUND",
    303: "SEE_OTHER",
    304: "NOT_MODIFIED",
    305: "USE_PROXY",
    306: "RESERVED",
    307: "TEMPORARY_REDIRECT",
    308: "PERMANENT_REDIRECT",
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    402: "PAYMENT_REQUIRED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    407: "PROXY_AUTHENTICATION_REQUIRED",
    408: "REQUEST_TIMEOUT",
    409: "CONFLICT",
    410: "GONE",
    411: "LENGTH_REQUIRED",
    412: "PRECONDITION_FAILED",
    415: "UNSUPPORTED_MEDIA_TYPE",
    417: "EXPECTATION_FAILED",
    418: "IM_A_TEAPOT",
    421: "MISDIRECTED_REQUEST",
    423: "LOCKED",
    424: "FAILED_DEPENDENCY",
    425: "TOO_EARLY",
    426: "UPGRADE_REQUIRED",
    428: "PRECONDITION_REQUIRED",
    429: "TOO_MANY_REQUESTS",
    431: "REQUEST_HEADER_FIELDS_TOO_LARGE",
    451: "UNAVAILABLE_FOR_LEGAL_REASONS",
    500: "INTERNAL_SERVER_ERROR",
    501: "NOT_IMPLEMENTED",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
    505: "HTTP_VERSION_NOT_SUPPORTED",
    506: "VARIANT_ALSO_NEGOTIATES",
    507: "INSUFFICIENT_STORAGE",
    508: "LOOP_DETECTED",
    510: "NOT_EXTENDED",
    511: "NETWORK_AUTHENTICATION_REQUIRED",
}
RENAMED = frozenset((413, 414, 416, 422))

_RESPONSE_CLASSES = tuple(
    f"{module}.{name}"
    for module in ("fastapi.responses", "starlette.responses")
    for name in (
        "Response",
        "JSONResponse",
        "HTMLResponse",
        "PlainTextResponse",
        "RedirectResponse",
        "StreamingResponse",
        "FileResponse",
        "ORJSONResponse",
        "UJSONResponse",
    )
)
_STATUS_MODULES = ("fastapi.status", "starlette.status")


def _int_literal(expr: ast.expr | None) -> int | None:
    if isinstance(expr, ast.Constant) and type(expr.value) is int and 100 <= expr.value <= 599:
        return expr.value
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def check(ctx: Context) -> Iterator[Finding]:
    module = ctx.module
    literals: list[tuple[ast.Constant, Scope]] = []
    for route in ctx.project.routes_of(module):
        expr = route.keyword("status_code")
        if isinstance(expr, ast.Constant):
            literals.append((expr, route.site.scope))
    for site in module.calls_to(*HTTP_EXCEPTIONS):
        expr = status_expr(site.node)
        if isinstance(expr, ast.Constant):
            literals.append((expr, site.scope))
    for site in module.calls_to(*_RESPONSE_CLASSES):
        expr = _keyword(site.node, "status_code")
        if isinstance(expr, ast.Constant):
            literals.append((expr, site.scope))
    import_added = import_edit(module, "fastapi", "status")
    module_status = module.scope.bindings.get("status")
    for expr, scope in sorted(literals, key=lambda item: (item[0].lineno, item[0].col_offset)):
        code = _int_literal(expr)
        if code is None:
            continue
        name = STATUS_NAMES.get(code)
        constant = f"HTTP_{code}_{name}" if name else None
        bound = scope.lookup("status")
        edits: tuple[Edit | None, ...] = ()
        if constant is not None:
            if bound in _STATUS_MODULES:
                edits = (ctx.edit(expr, f"status.{constant}"),)
            elif bound is None and module_status is None:
                edits = (ctx.edit(expr, f"status.{constant}"), import_added)
        shown = f"`status.{constant}`" if constant else f"the `status.HTTP_{code}_...` constant"
        yield ctx.finding(
            expr,
            f"Numeric status code `{code}`: use {shown}",
            fix=fix(f"Use `status.{constant}`", *edits) if edits else None,
        )


RULE = Rule(
    code="FPA607",
    name="numeric-status-code",
    summary="Numeric status literal instead of `status.HTTP_...`",
    check=check,
    docs=__doc__ or "",
    default=False,
    fix="safe",
    scope="project",
    peers=(),
)
