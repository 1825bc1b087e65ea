"""## What it does
Finds `include_router(router, prefix="/users")` where the router could carry the prefix itself: the router is
included exactly once in the whole project, the prefix is a literal, and the router's `APIRouter(...)` call is
in the project and sets no prefix of its own. Routers included several times (API versions under `/v1` and
`/v2`), routers built elsewhere (a library's router) and dynamic prefixes are left alone.

## Why is this bad?
A router module reads as the list of its routes: `@router.get("/{user_id}")` only makes sense once one knows
the router lives under `/users`. Kept in `main.py`, the prefix is far from the routes it completes, and moving
the router or reading a traceback means hunting for the include call. `APIRouter(prefix="/users",
tags=["users"])` keeps the route's full path in one file, the layout FastAPI's "Bigger Applications" tutorial
uses for a router that belongs to one place. Opinionated, hence opt-in.

## Example
```python
from fastapi import APIRouter, FastAPI

app = FastAPI()
router = APIRouter()


@router.get("/{user_id}")
async def read_user(user_id: int) -> dict[str, int]:
    return {"id": user_id}


app.include_router(router, prefix="/users")
```

## Use instead
```python
from fastapi import APIRouter, FastAPI

app = FastAPI()
router = APIRouter(prefix="/users")


@router.get("/{user_id}")
async def read_user(user_id: int) -> dict[str, int]:
    return {"id": user_id}


app.include_router(router)
```

## Fix
No fix: moving the prefix touches two files and may change what other includes of the router mean.

## Related
flake8-fastapi `CF002` (which flags every `include_router(prefix=...)`, including a router included under
several prefixes, where the prefix must stay at the include).

## See also
- https://fastapi.tiangolo.com/tutorial/bigger-applications/#another-module-with-apirouter
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model.project import Include
from ..base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    if not module.method_calls("include_router"):
        return
    counts = _include_counts(ctx)
    for inc in project.includes:
        if inc.module is not module or not inc.prefix:
            continue
        child = project.objects.get(inc.child)
        if child is None or child.kind != "router" or child.call is None or counts.get(inc.child) != 1:
            continue
        if any(kw.arg in ("prefix", None) for kw in child.call.keywords):
            continue
        if _in_loop(inc):
            continue
        expr = next(kw.value for kw in inc.site.node.keywords if kw.arg == "prefix")
        yield ctx.finding(
            expr,
            f"Router `{child.name}` is included only here: give it its prefix where it is built "
            f"(`APIRouter(prefix={inc.prefix!r})`) so its routes read with their full path",
        )


def _include_counts(ctx: Context) -> dict[str, int]:
    """How often each router is included anywhere (include calls the index resolves)."""
    counts: dict[str, int] = {}
    for inc in ctx.project.includes:
        counts[inc.child] = counts.get(inc.child, 0) + 1
    return counts


def _in_loop(inc: Include) -> bool:
    """An include inside a loop of its function runs several times."""
    fn = inc.site.function
    if fn is None:
        return False
    for node in fn.walked:
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            start, end = node.lineno, node.end_lineno or node.lineno
            if start <= inc.site.node.lineno <= end:
                return True
    return False


RULE = Rule(
    code="FPA112",
    name="prefix-at-include",
    summary="`include_router(prefix=...)` where the router, included only there, could own its prefix",
    check=check,
    docs=__doc__ or "",
    default=False,
    fix=None,
    scope="project",
    peers=("CF002",),
)
