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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ...model.facts import ModuleFacts
from ...model.names import ROUTE_CALLS, ROUTE_DECORATORS
from ...model.project import Include, Project, RouterObject
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


def _app_roots(project: Project) -> tuple[list[str], set[str]]:
    """Source trees of the apps that include at least one router (the top package holding the app's module,
    or the module's directory when it is not in a package) and include nothing we cannot resolve, and the keys
    of every included router."""
    return project.incremental("fpa105.roots", _Roots.build, _Roots.update).out


@dataclass(frozen=True)
class _Share:
    """What one module's `include_router` calls tell: the directories of the apps they include into, the
    routers they include, and whether one includes something we cannot resolve."""

    starts: tuple[str, ...]
    children: tuple[str, ...]
    unresolved: bool


@dataclass(eq=False)
class _Roots:
    """`_app_roots`, kept across keystrokes: a pass over every module's includes after each edit is
    O(all modules); instead each module's share is kept (it depends on the module and those it imports, as its
    includes do) and an update recomputes the changed modules' shares."""

    shares: dict[str, _Share]
    starts: dict[str, int]  # app module directory -> how many includes into an app there
    children: dict[str, int]  # included router key -> how many includes of it
    unresolved: set[str]  # paths of the modules that include something we cannot resolve
    tops: dict[str, str]  # module directory -> its top package directory (asked once per directory)
    out: tuple[list[str], set[str]]

    @staticmethod
    def build(project: Project) -> _Roots:
        table = _Roots({}, {}, {}, set(), {}, ([], set()))
        by_module: dict[str, list[Include]] = {}
        for inc in project.includes:
            by_module.setdefault(inc.module.path, []).append(inc)
        for path, facts in project.modules.items():
            share = _share(project, facts, by_module.get(path, []))
            if share is _NOTHING:
                table.shares[path] = share
            else:
                table._add(path, share)
        table._roots()
        return table

    @staticmethod
    def update(project: Project, table: _Roots, changed: frozenset[str]) -> _Roots:
        dirty = False
        for path in changed:
            facts = project.modules.get(path)
            if facts is None:
                return _Roots.build(project)
            share = _share(project, facts, [inc for inc in project.includes if inc.module is facts])
            old = table.shares.get(path)
            if share == old:
                continue
            dirty = True
            if old is not None:
                for start in old.starts:
                    _count(table.starts, start, -1)
                for child in old.children:
                    if not _count(table.children, child, -1):
                        table.out[1].discard(child)
            table._add(path, share)
        if dirty:
            table._roots()
        return table

    def _add(self, path: str, share: _Share) -> None:
        self.shares[path] = share
        for start in share.starts:
            _count(self.starts, start, 1)
        for child in share.children:
            if _count(self.children, child, 1) == 1:
                self.out[1].add(child)
        if share.unresolved:
            self.unresolved.add(path)
        else:
            self.unresolved.discard(path)

    def _roots(self) -> None:
        roots: set[str] = set()
        for start in self.starts:
            directory = self.tops.get(start)
            if directory is None:
                directory = start
                while os.path.exists(os.path.join(os.path.dirname(directory), "__init__.py")):
                    directory = os.path.dirname(directory)
                self.tops[start] = directory
            roots.add(directory)
        # An app tree that includes something we cannot resolve (`include_router(r)` in a loop over discovered
        # modules, a router handed in from a fixture) may include any of its routers: silent there.
        for path in self.unresolved:
            roots = {root for root in roots if not _under(path, root)}
        self.out = (sorted(roots), self.out[1])


_NOTHING = _Share((), (), False)


def _share(project: Project, facts: ModuleFacts, includes: Sequence[Include]) -> _Share:
    sites = facts.method_calls("include_router")
    if not sites:
        return _NOTHING  # most modules
    starts: list[str] = []
    directories: dict[str, str | None] = {}  # parent key -> the app's module directory, None if no app
    objects = project.objects
    for inc in includes:
        start = directories.get(inc.parent, "")
        if start == "":
            parent = objects.get(inc.parent)
            start = directories[inc.parent] = (
                os.path.dirname(parent.module.path) if parent is not None and parent.kind == "app" else None
            )
        if start is not None:
            starts.append(start)
    unresolved = False
    if len(sites) > len(includes):  # an include for every site that resolves
        resolved = {id(inc.site.node) for inc in includes}
        unresolved = any(
            id(site.node) not in resolved and project.object_for(site.receiver, facts) is not None for site in sites
        )
    return _Share(tuple(starts), tuple(inc.child for inc in includes), unresolved)


def _count(counts: dict[str, int], key: str, step: int) -> int:
    """Add `step` to a count (dropped at zero); the new count."""
    count = counts.get(key, 0) + step
    if count:
        counts[key] = count
    else:
        counts.pop(key, None)
    return count


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
