"""## What it does
Finds a route handler with neither a `response_model=` in its decorator nor a return annotation.

Not reported for websocket routes, for routes with `response_model=None` (an explicit choice), with a
`response_class=` other than JSON (HTML, files, streams, redirects have no model), or with `status_code=204`.

## Why is this bad?
Without a declared response type FastAPI neither validates nor filters what the handler returns, and the
OpenAPI schema says nothing about the body: generated clients get `any`, and a field added to the database
model (a `hashed_password`) leaks straight into the response. A return annotation (`-> ItemOut`) gives
validation, filtering and documentation at once. This is an opinionated rule, off by default.

## Example
```python
from fastapi import FastAPI

app = FastAPI()


@app.get("/items/{item_id}")
async def read_item(item_id: int):
    return {"id": item_id}
```

## Use instead
```python
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    id: int


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> Item:
    return Item(id=item_id)
```

## Fix
No fix: the response type is for the author to write.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/tutorial/response-model/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..base import Context, Finding, Rule

_JSON_CLASSES = frozenset(
    (
        "fastapi.responses.JSONResponse",
        "fastapi.responses.ORJSONResponse",
        "fastapi.responses.UJSONResponse",
        "starlette.responses.JSONResponse",
    )
)


def check(ctx: Context) -> Iterator[Finding]:
    module = ctx.module
    for route in ctx.project.routes_of(module):
        fn = route.handler
        if fn is None or route.handler_module is not module or route.kind != "http":
            continue
        if fn.node.returns is not None or route.keyword("response_model") is not None:
            continue
        response_class = route.keyword("response_class")
        if response_class is not None and module.resolve(response_class, route.site.scope) not in _JSON_CLASSES:
            continue
        status = route.keyword("status_code")
        if isinstance(status, ast.Constant) and status.value == 204:
            continue
        if isinstance(status, ast.Attribute) and status.attr.startswith("HTTP_204_"):
            continue
        yield ctx.finding(
            route.site.call,
            f"`{route.name}` declares no response type: add a return annotation or `response_model=`",
        )


RULE = Rule(
    code="FPA606",
    name="untyped-response",
    summary="Handler with neither `response_model` nor a return annotation",
    check=check,
    docs=__doc__ or "",
    default=False,
    fix=None,
    scope="project",
    peers=(),
)
