"""## What it does
Finds a `POST` route that creates something but answers with FastAPI's default `200 OK`: no `status_code=` in
the decorator. A route "creates" when its handler's name says so (`create_user`, `add_item`, `register`,
`new_order`, ...) or its body adds to a store (`session.add(...)`, `.insert_one(...)`,
`.create(...)`). Handlers that set the status themselves (`response.status_code = ...`, a returned
`Response(status_code=...)`) are left alone.

## Why is this bad?
HTTP says a request that created a resource answers `201 Created`. Clients, generated SDKs and API gateways
rely on it, and the OpenAPI schema FastAPI generates documents `200` unless told otherwise. FastAPI cannot
guess it: the status is whatever the decorator says.

## Example
```python
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    name: str


@app.post("/items")
async def create_item(item: Item) -> Item:
    return item
```

## Use instead
```python
from fastapi import FastAPI, status
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    name: str


@app.post("/items", status_code=status.HTTP_201_CREATED)
async def create_item(item: Item) -> Item:
    return item
```

## Fix
Adds `status_code=status.HTTP_201_CREATED` to the decorator and `from fastapi import status` when `status` is
not yet imported. Unsafe: clients that test for `200` see `201`. No fix when the name `status` is bound to
something else, or when the decorator passes `**kwargs`.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/tutorial/response-status-code/
- https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/201
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ...fixes import fix, import_edit
from ...model.facts import FunctionInfo
from ...model.project import Route
from ..base import Context, Edit, Finding, Fix, Rule

_CREATE_WORDS = frozenset(("create", "add", "new", "register", "signup", "insert", "enroll", "enrol"))
_STORE_METHODS = frozenset(("add", "add_all", "insert_one", "insert_many", "create", "bulk_create"))
_WORD = re.compile(r"[a-z]+")
_STATUS_MODULES = frozenset(("fastapi.status", "starlette.status"))


def check(ctx: Context) -> Iterator[Finding]:
    for route in ctx.project.routes_of(ctx.module):
        if route.methods != ("POST",) or route.kind != "http" or route.handler is None:
            continue
        call = route.site.call
        if any(kw.arg is None or kw.arg == "status_code" for kw in call.keywords):
            continue
        if route.handler_module is not ctx.module or not _creates(route.handler):
            continue
        if _sets_status(route.handler):
            continue
        yield ctx.finding(
            call,
            f"POST route `{route.name}` creates something but answers 200: add `status_code=status.HTTP_201_CREATED`",
            fix=_fix(ctx, route),
        )


def _creates(fn: FunctionInfo) -> bool:
    words = _WORD.findall(fn.name.lower())
    if words and words[0] in _CREATE_WORDS:
        return True
    return any(site.attr in _STORE_METHODS and site.receiver is not None for site in fn.calls)


def _sets_status(fn: FunctionInfo) -> bool:
    """The handler chooses its status itself: `response.status_code = ...` or `...(status_code=...)`."""
    for node in fn.walked:
        if isinstance(node, ast.Attribute) and node.attr == "status_code" and isinstance(node.ctx, ast.Store):
            return True
        if isinstance(node, ast.Call) and any(kw.arg == "status_code" for kw in node.keywords):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if not name.endswith("Exception"):  # raising an error sets no success status
                return True
    return False


def _fix(ctx: Context, route: Route) -> Fix | None:
    module = ctx.module
    call = route.site.call
    bound = route.site.scope.lookup("status")
    edits: list[Edit | None] = []
    if bound is None:
        edits.append(import_edit(module, "fastapi", "status"))
    elif bound not in _STATUS_MODULES:
        return None
    args: list[ast.expr] = [*call.args, *(kw.value for kw in call.keywords)]
    if args:
        last = max(args, key=lambda a: (a.end_lineno or a.lineno, a.end_col_offset or 0))
        src = module.source
        end = src.end(last)
        rest = src.text_between(end, src.end(call))
        comma = rest.find(",")
        if comma >= 0 and not rest[:comma].strip() and "\n" not in rest[:comma] and "\n" in rest[comma:]:
            # A trailing comma before the closing parenthesis on its own line: add one more line.
            at = (end[0], end[1] + comma + 1)
            text = f"{src.newline}{src.indent_of(last.lineno)}status_code=status.HTTP_201_CREATED,"
            edits.append(Edit(at, at, text))
        else:
            edits.append(Edit(end, end, ", status_code=status.HTTP_201_CREATED"))
    else:
        end = module.source.end(call)
        inside = (end[0], end[1] - 1)
        if module.source.segment(call).endswith("()"):
            edits.append(Edit(inside, inside, "status_code=status.HTTP_201_CREATED"))
        else:
            return None
    return fix("Answer `201 Created`", *edits, unsafe=True)


RULE = Rule(
    code="FPA111",
    name="create-without-201",
    summary="POST route that creates something without an explicit `status_code` (201)",
    check=check,
    default=False,
    docs=__doc__ or "",
    fix="unsafe",
    scope="project",
)
