"""## What it does
Finds a route that the OpenAPI documentation shows bare: no `summary=`, `description=` or docstring, or no
tags. Tags count wherever FastAPI takes them from: the decorator's `tags=`, the router's
`APIRouter(tags=...)`, or an `include_router(..., tags=...)` on the way to the app. Tags are not judged for a
router that no app of the project includes (a library's router gets its tags where the user includes it).

Not reported for websocket routes and routes with `include_in_schema=False`; a `summary`, `description` or
`tags` that is not a literal counts as present.

## Why is this bad?
The interactive docs (`/docs`) group operations by tag and show the summary and description next to each;
an untagged route lands in the catch-all "default" group, and one without a description explains nothing to
the developers who consume the API or to the clients generated from it. This is a documentation rule, off by
default.

## Example
```python
from fastapi import FastAPI

app = FastAPI()


@app.get("/items")
async def list_items() -> list[str]:
    return []
```

## Use instead
```python
from fastapi import FastAPI

app = FastAPI()


@app.get("/items", tags=["items"])
async def list_items() -> list[str]:
    \"\"\"List every item in the catalogue.\"\"\"
    return []
```

## Fix
No fix: the words are for the author to write.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/tutorial/path-operation-configuration/
- https://fastapi.tiangolo.com/tutorial/metadata/#metadata-for-tags
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model.project import Route
from ..base import Context, Finding, Rule


def _keyword(call: ast.Call | None, name: str) -> ast.expr | None:
    if call is None:
        return None
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def _given(expr: ast.expr | None) -> bool:
    """A keyword that says something: present and not an empty literal (`tags=[]`, `summary=""`)."""
    if expr is None:
        return False
    if isinstance(expr, ast.Constant):
        return bool(expr.value)
    if isinstance(expr, (ast.List, ast.Tuple)):
        return bool(expr.elts)
    return True


def has_description(route: Route) -> bool:
    call = route.site.call
    if _given(_keyword(call, "summary")) or _given(_keyword(call, "description")):
        return True
    fn = route.handler
    return fn is not None and bool(ast.get_docstring(fn.node))


def has_tags(route: Route) -> bool:
    if _given(route.keyword("tags")) or _given(_keyword(route.router.call, "tags")):
        return True
    if route.router.kind == "router" and (route.router.call is None or not route.mounts):
        return True  # a router we cannot see the constructor of, or one included outside the project
    return any(any(_given(_keyword(inc.site.node, "tags")) for inc in mount.chain) for mount in route.mounts)


def check(ctx: Context) -> Iterator[Finding]:
    for route in ctx.project.routes_of(ctx.module):
        if route.kind != "http" or route.handler is None:
            continue
        hidden = route.keyword("include_in_schema")
        if hidden is not None and not (isinstance(hidden, ast.Constant) and hidden.value is True):
            continue
        missing = []
        if not has_description(route):
            missing.append("summary, description or docstring")
        if not has_tags(route):
            missing.append("tags")
        if missing:
            yield ctx.finding(
                route.site.call,
                f"`{route.name}` has no {' and no '.join(missing)}: the OpenAPI docs show it bare",
            )


RULE = Rule(
    code="FPA608",
    name="undocumented-route",
    summary="Route without summary/description/docstring, or without tags",
    check=check,
    docs=__doc__ or "",
    default=False,
    fix=None,
    scope="project",
    peers=(),
)
