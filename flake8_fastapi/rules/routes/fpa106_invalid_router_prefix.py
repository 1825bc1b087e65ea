"""## What it does
Finds a router prefix that FastAPI rejects when the app starts: in `APIRouter(prefix=...)` or
`include_router(..., prefix=...)`, a prefix that does not start with `/` (`"users"`) or that ends with `/`
(`"/users/"`, `"/"`). Also finds one router included twice into the same parent under the same prefix.

## Why is this bad?
FastAPI asserts "A path prefix must start with '/'" and "A path prefix must not end with '/', as the routes
will start with '/'": the app does not start at all. A router included twice under one prefix registers every
route twice: the second copy is dead, OpenAPI generation warns "Duplicate Operation ID" for each route, and the
router's startup and shutdown handlers run twice. Including one router under several prefixes (`/v1`, `/v2`)
is fine and not reported. Verified on FastAPI 0.78, 0.88, 0.89, 0.115 and 0.165.

## Example
```python
from fastapi import APIRouter, FastAPI

app = FastAPI()
router = APIRouter(prefix="users/")


@router.get("/")
async def list_users() -> list[str]:
    return []


app.include_router(router)
```

## Use instead
```python
from fastapi import APIRouter, FastAPI

app = FastAPI()
router = APIRouter(prefix="/users")


@router.get("/")
async def list_users() -> list[str]:
    return []


app.include_router(router)
```

## Fix
Normalises the literal: adds the leading `/`, removes trailing ones (`"/"` becomes `""`). Safe: the app could
not start before, and the routes keep the paths the prefix was meant to give them. No fix for a router included
twice.

## Related
No equivalent in ruff or flake8-fastapi (flake8-fastapi `CF002` flags every `include_router(prefix=...)`,
valid or not: see FPA112).

## See also
- https://fastapi.tiangolo.com/tutorial/bigger-applications/#include-an-apirouter-with-a-custom-prefix-tags-responses-and-dependencies
"""

from __future__ import annotations

import ast
import weakref
from collections.abc import Iterator

from ...fixes import fix
from ...model.facts import CallSite, ModuleFacts
from ...model.names import APIROUTER
from ...model.project import Include, Project
from ..base import Context, Finding, Fix, Rule
from ._tables import same_branch, statement_path


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    calls: dict[int, ast.Call] = {}
    for site in module.calls_to(APIROUTER):
        calls[id(site.node)] = site.node
    for assign in module.assignments.values():
        obj = project.objects.get(f"{module.path}::{assign.qualname}")
        if obj is not None and obj.kind == "router" and obj.call is not None:
            calls[id(obj.call)] = obj.call
    for site in module.method_calls("include_router"):
        if project.object_for(site.receiver, module) is not None:
            calls[id(site.node)] = site.node
    for call in sorted(calls.values(), key=lambda c: (c.lineno, c.col_offset)):
        finding = _bad_prefix(ctx, call)
        if finding is not None:
            yield finding
    yield from _included_twice(ctx)


def _bad_prefix(ctx: Context, call: ast.Call) -> Finding | None:
    expr = next((kw.value for kw in call.keywords if kw.arg == "prefix"), None)
    if not isinstance(expr, ast.Constant) or not isinstance(expr.value, str) or not expr.value:
        return None
    prefix = expr.value
    if prefix.startswith("/") and not prefix.endswith("/"):
        return None
    problem = "must start with `/`" if not prefix.startswith("/") else "must not end with `/`"
    return ctx.finding(
        expr,
        f"Prefix {prefix!r} {problem}: FastAPI refuses it when the app starts (AssertionError)",
        fix=_normalise(ctx, expr, prefix),
    )


def normalise(prefix: str) -> str:
    """`users/` -> `/users`; `/` -> `` (no prefix)."""
    stripped = prefix.strip("/")
    return "/" + stripped if stripped else ""


def _normalise(ctx: Context, expr: ast.Constant, prefix: str) -> Fix | None:
    text = ctx.module.source.segment(expr)
    quote = text[:1]
    if quote not in ("'", '"') or text[-1:] != quote or text.startswith(quote * 3):
        return None  # prefixed, triple-quoted or implicitly concatenated: leave it to the developer
    new = normalise(prefix)
    if text[1:-1] != prefix or quote in new or "\\" in new:
        return None  # escapes in the literal
    return fix(f"Use prefix {new!r}", ctx.edit(expr, f"{quote}{new}{quote}"))


def _included_twice(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    if not module.method_calls("include_router"):
        return
    groups, by_module = _groups(project)
    mine = by_module.get(module.path, [])
    for inc in mine:
        if inc.prefix is None:
            continue
        group = groups[(inc.parent, inc.child, inc.prefix)]
        earlier = [
            other
            for other in group
            if other is not inc and _order(other) < _order(inc) and _both_run(project, other, inc)
        ]
        if not earlier:
            continue
        first = min(earlier, key=_order)
        child = project.objects[inc.child]
        shown = f"prefix {inc.prefix!r}" if inc.prefix else "no prefix"
        yield ctx.finding(
            inc.site.node,
            f"Router `{child.name}` is included twice into `{project.objects[inc.parent].name}` with {shown}: "
            f"every route is registered twice",
            related=[ctx.related(first.module, first.site.node, "first included here")],
        )


Groups = tuple[dict[tuple[str, str, str], list[Include]], dict[str, list[Include]]]
_GROUPS: weakref.WeakKeyDictionary[Project, tuple[object, Groups]] = weakref.WeakKeyDictionary()


def _groups(project: Project) -> Groups:
    """(parent, child, literal prefix) -> the include calls; file -> its include calls. Once per project link."""
    includes = project.includes
    cached = _GROUPS.get(project)
    if cached is not None and cached[0] is includes:
        return cached[1]
    groups: dict[tuple[str, str, str], list[Include]] = {}
    by_module: dict[str, list[Include]] = {}
    for inc in includes:
        by_module.setdefault(inc.module.path, []).append(inc)
        if inc.prefix is not None:
            groups.setdefault((inc.parent, inc.child, inc.prefix), []).append(inc)
    _GROUPS[project] = (includes, (groups, by_module))
    return groups, by_module


def _order(inc: Include) -> tuple[str, int, int]:
    return inc.module.path, inc.site.node.lineno, inc.site.node.col_offset


def _both_run(project: Project, a: Include, b: Include) -> bool:
    """Both calls run whenever the module (or the one function holding both) runs: not in exclusive
    branches, not in different functions."""
    if a.module is not b.module:
        return all(_unconditional(inc.module, inc.site) for inc in (a, b))
    if a.site.function is not b.site.function:
        return False
    tree = a.module.source.tree
    if tree is None:
        return False
    body = tree.body if a.site.function is None else a.site.function.node.body
    return same_branch(body, a.site.node.lineno, b.site.node.lineno)


def _unconditional(module: ModuleFacts, site: CallSite) -> bool:
    """A module-level call in a top-level statement (not under `if`, `try`, a loop or a function)."""
    tree = module.source.tree
    if tree is None or site.function is not None:
        return False
    path = statement_path(tree.body, site.node.lineno)
    return len(path) == 1 and path[0][1] == ""


RULE = Rule(
    code="FPA106",
    name="invalid-router-prefix",
    summary="Router prefix FastAPI rejects at startup, or a router included twice under one prefix",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix="safe",
    scope="project",
)
