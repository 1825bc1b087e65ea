"""## What it does
Finds an `APIRouter` that has routes but that nothing includes: no `include_router` call takes it, no other
module imports it, and the code never passes it anywhere or reads it except to declare its own routes.

## Why is this bad?
Its routes are declared but never served: every request to them answers 404 and they are missing from the
OpenAPI schema. It usually happens when a new router module is written and the `include_router` line in
`main.py` is forgotten. The rule is conservative: it only speaks in a project with an app that includes at
least one router, only about routers in that app's source tree, and stays silent as soon as anything else
refers to the router (an import, an argument, an attribute read) or the app's tree includes a router it cannot
resolve (discovered by `importlib`, passed in), so reusable routers in library code and routers included
through code the analysis cannot follow are left alone.

## Example
```python
from fastapi import APIRouter, FastAPI

app = FastAPI()
users = APIRouter(prefix="/users")
items = APIRouter(prefix="/items")


@users.get("/")
async def list_users() -> list[str]:
    return []


@items.get("/")
async def list_items() -> list[str]:
    return []


app.include_router(users)
```

## Use instead
```python
from fastapi import APIRouter, FastAPI

app = FastAPI()
users = APIRouter(prefix="/users")
items = APIRouter(prefix="/items")


@users.get("/")
async def list_users() -> list[str]:
    return []


@items.get("/")
async def list_items() -> list[str]:
    return []


app.include_router(users)
app.include_router(items)
```

## Fix
No fix: where the router belongs (which app, which prefix) is the developer's decision.

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/tutorial/bigger-applications/
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator

from ...model.facts import ModuleFacts
from ...model.names import ROUTE_CALLS, ROUTE_DECORATORS
from ...model.project import Project, RouterObject
from ..base import Context, Finding, Rule

# Reading `router.<attr>` for these only declares the router's own routes (or its children).
_OWN_USE = ROUTE_DECORATORS | ROUTE_CALLS | {"include_router"}


def check(ctx: Context) -> Iterator[Finding]:
    module = ctx.module
    project = ctx.project
    candidates = [
        obj
        for assign in module.assignments.values()
        if (obj := project.objects.get(f"{module.path}::{assign.qualname}")) is not None
        and obj.kind == "router"
        and obj.call is not None
    ]
    if not candidates:
        return
    roots, included = _app_roots(project)
    if not roots or not any(_under(module.path, root) for root in roots):
        return
    candidates = [r for r in candidates if r.key not in included and r.key not in project.mounts]
    if not candidates:
        return
    counts = _route_counts(project, module)
    for router in candidates:
        count = counts.get(router.key, 0)
        if count == 0:
            continue
        if _referenced(project, router):
            continue
        assert router.call is not None
        plural = "route" if count == 1 else "routes"
        yield ctx.finding(
            router.call,
            f"Router `{router.name}` has {count} {plural} but is never included in an app: its routes answer 404",
        )


def _route_counts(project: Project, module: ModuleFacts) -> dict[str, int]:
    """Routes per router key, counting the routes declared in this module (a router declared here whose routes
    are all declared elsewhere counts zero: silent)."""
    counts: dict[str, int] = {}
    for route in project.routes_of(module):
        counts[route.router.key] = counts.get(route.router.key, 0) + 1
    return counts


_ROOTS: weakref.WeakKeyDictionary[Project, tuple[object, tuple[list[str], set[str]]]] = weakref.WeakKeyDictionary()


def _app_roots(project: Project) -> tuple[list[str], set[str]]:
    """Source trees of the apps that include at least one router (the top package holding the app's module,
    or the module's directory when it is not in a package) and include nothing we cannot resolve, and the keys
    of every included router."""
    includes = project.includes
    cached = _ROOTS.get(project)
    if cached is not None and cached[0] is includes:
        return cached[1]
    roots: set[str] = set()
    tops: dict[str, str] = {}  # module directory -> its top package directory (asked once per directory)
    for inc in includes:
        parent = project.objects.get(inc.parent)
        if parent is None or parent.kind != "app":
            continue
        start = os.path.dirname(parent.module.path)
        directory = tops.get(start)
        if directory is None:
            directory = start
            while os.path.exists(os.path.join(os.path.dirname(directory), "__init__.py")):
                directory = os.path.dirname(directory)
            tops[start] = directory
        roots.add(directory)
    # An app tree that includes something we cannot resolve (`include_router(r)` in a loop over discovered
    # modules, a router handed in from a fixture) may include any of its routers: silent there.
    resolved = {id(inc.site.node) for inc in includes}
    for facts in project.modules.values():
        for site in facts.method_calls("include_router"):
            if id(site.node) in resolved or project.object_for(site.receiver, facts) is None:
                continue
            roots = {root for root in roots if not _under(facts.path, root)}
    out = (sorted(roots), {inc.child for inc in includes})
    _ROOTS[project] = (includes, out)
    return out


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _referenced(project: Project, router: RouterObject) -> bool:
    """Anything in the project that refers to the router besides declaring its own routes."""
    name = router.name
    for facts in project.modules.values():
        for qual in (*facts.imports, *facts.loaded):
            parts = qual.split(".")
            if name not in parts:
                continue
            for i, part in enumerate(parts):
                if part != name:
                    continue
                rest = parts[i + 1 :]
                if rest and rest[0] in _OWN_USE and qual not in facts.imports:
                    continue
                symbol = project.lookup(".".join(parts[: i + 1]), facts)
                if symbol is not None and symbol.key == router.key:
                    return True
    return False


RULE = Rule(
    code="FPA105",
    name="router-not-included",
    summary="Router with routes that no app includes",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix=None,
    scope="project",
)
