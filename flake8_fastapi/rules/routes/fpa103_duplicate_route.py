"""## What it does
Finds two routes of one app with the same method and the same full path (prefixes of routers and
`include_router` calls included, across files). The later registration is reported; the earlier one is shown
as related information. Parameter names do not matter: `/items/{id}` and `/items/{item_id}` match the same
requests.

## Why is this bad?
Starlette serves the first route that matches: the later handler is dead code that looks alive, and the
OpenAPI schema lists one operation for both (FastAPI also warns about the duplicate operation id when the
handlers share a name). It usually comes from a copy-pasted handler, or from two routers that each claim the
same path under one prefix. Each app is judged on its own: many small apps in one tree (examples, tests) do
not collide, and one router included under several prefixes (API versions) is fine.

## Example
```python
from fastapi import FastAPI

app = FastAPI()


@app.get("/users/{user_id}")
async def read_user(user_id: int) -> dict[str, int]:
    return {"id": user_id}


@app.get("/users/{uid}")
async def read_user_again(uid: int) -> dict[str, int]:
    return {"uid": uid}
```

## Use instead
```python
from fastapi import FastAPI

app = FastAPI()


@app.get("/users/{user_id}")
async def read_user(user_id: int) -> dict[str, int]:
    return {"id": user_id}


@app.get("/users/{user_id}/profile")
async def read_profile(user_id: int) -> dict[str, int]:
    return {"id": user_id}
```

## Fix
No fix: which of the two handlers is meant cannot be decided mechanically.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/tutorial/bigger-applications/
- https://www.starlette.io/routing/#route-priority
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator

from ...model.facts import RouteSite
from ...model.project import Project
from ..base import Context, Finding, Rule
from ._tables import Entry, app_tables, exclusive, path_anchor, shape, where


def check(ctx: Context) -> Iterator[Finding]:
    duplicates = _duplicates(ctx.project)
    if not duplicates:
        return
    for route in ctx.project.routes_of(ctx.module):
        found = duplicates.get(route.site)
        if found is None:
            continue
        later, earlier, method = found
        other = earlier.route
        place = where(other, ctx.module.path)
        yield ctx.finding(
            path_anchor(route.site),
            f"Duplicate route `{method} {later.path}`: `{other.name}` ({place}) already serves it, "
            f"so `{route.name}` is never reached",
            related=[
                ctx.related(other.module, path_anchor(other.site), f"`{method} {earlier.path}` registered first here")
            ],
        )


_CACHE: weakref.WeakKeyDictionary[Project, tuple[object, dict[RouteSite, tuple[Entry, Entry, str]]]] = (
    weakref.WeakKeyDictionary()
)


def _duplicates(project: Project) -> dict[RouteSite, tuple[Entry, Entry, str]]:
    """Later route site -> (its entry, the first entry with the same method and path, the method)."""
    tables = app_tables(project)
    cached = _CACHE.get(project)
    if cached is not None and cached[0] is tables:
        return cached[1]
    out: dict[RouteSite, tuple[Entry, Entry, str]] = {}
    for app in sorted(tables):
        groups: dict[tuple[str, str], list[Entry]] = {}
        for entry in tables[app]:
            for method in entry.route.methods:
                groups.setdefault((method, shape(entry.path)), []).append(entry)
        for (method, _), entries in groups.items():
            sites = {id(e.site) for e in entries}
            if len(sites) < 2:  # one route reached twice (a router included twice): FPA106's business
                continue
            # Registration order; where it is not certain (files imported in an unknown order), a stable one.
            ordered = sorted(entries, key=lambda e: e.order)
            for i, entry in enumerate(ordered):
                if entry.site in out:
                    continue
                first = next(
                    (e for e in ordered[:i] if e.site is not entry.site and not exclusive(e.route, entry.route)),
                    None,
                )
                if first is not None:
                    out[entry.site] = (entry, first, method)
    _CACHE[project] = (tables, out)
    return out


RULE = Rule(
    code="FPA103",
    name="duplicate-route",
    summary="Two routes of one app with the same method and full path",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
)
