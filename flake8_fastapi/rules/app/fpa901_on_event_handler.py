"""## What it does
Finds startup and shutdown hooks registered with `@app.on_event("startup")` / `@app.on_event("shutdown")` or
`app.add_event_handler(...)` on a FastAPI application or an `APIRouter` (bound by import, through subclasses and
factories).

## Why is this bad?
`on_event` is deprecated in favour of a `lifespan` context manager (FastAPI warns with a `DeprecationWarning`
when the decorator runs). Starlette 1.0 removed event handlers altogether: FastAPI keeps `on_event` only as a
compatibility shim, and a FastAPI application no longer has `add_event_handler` at all (it raises
`AttributeError` under FastAPI 0.165). A lifespan also keeps what startup creates (a client, a pool) in one
place with its cleanup, and an application that passes `lifespan=` ignores the `on_event` hooks entirely, so
mixing the two silently drops the old hooks.

## Example
```python
from fastapi import FastAPI

app = FastAPI()


@app.on_event("startup")
async def connect() -> None:
    print("connecting")
```

## Use instead
```python
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    print("connecting")
    yield
    print("disconnecting")


app = FastAPI(lifespan=lifespan)
```

Holds from FastAPI 0.93, which introduced `lifespan=`; silent for projects that target an older FastAPI.

## Fix
No fix: moving the hooks into a lifespan (and pairing each startup with its shutdown) is a refactoring.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/advanced/events/
- https://www.starlette.io/lifespan/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    version = ctx.fastapi_version
    if version is not None and version < (0, 93):
        return  # no `lifespan=` before FastAPI 0.93
    module, project = ctx.module, ctx.project
    for site in module.method_calls("on_event", "add_event_handler"):
        obj = project.object_for(site.receiver, module)
        if obj is None:
            continue
        event = site.node.args[0] if site.node.args else None
        kind = event.value if isinstance(event, ast.Constant) and isinstance(event.value, str) else "startup/shutdown"
        owner = "FastAPI application" if obj.kind == "app" else "APIRouter"
        if site.attr == "on_event":
            message = f"`on_event({kind!r})` on a {owner} is deprecated: use a `lifespan` context manager"
        elif obj.kind == "app":
            message = (
                f"`add_event_handler({kind!r})` on a FastAPI application is gone with Starlette 1.0 "
                "(AttributeError on current FastAPI): use a `lifespan` context manager"
            )
        else:
            message = f"`add_event_handler({kind!r})` on an APIRouter is a deprecated hook: use a `lifespan`"
        func = site.node.func
        yield ctx.finding(func, message) if isinstance(func, ast.Attribute) else ctx.finding(site.node, message)


RULE = Rule(
    code="FPA901",
    name="on-event-handler",
    summary="`@app.on_event(...)` / `add_event_handler(...)` instead of a lifespan",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
    tags=frozenset({"deprecated"}),
)
