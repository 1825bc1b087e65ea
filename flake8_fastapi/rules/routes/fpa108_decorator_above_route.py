"""## What it does
Finds a decorator stacked above a route decorator: `@cache` (or `@login_required`, `@limiter.limit(...)`,
`@log_calls`) written above `@router.get(...)`. Route decorators stacked on each other are fine.

## Why is this bad?
Decorators apply from the bottom up. The route decorator registers the function it receives, which is the
function *below* it; a decorator above it wraps the function only after registration, so requests call the
undecorated function: nothing is cached, nothing is checked, nothing is logged, and nothing says so. The
decorator only affects direct calls (a test calling the function by hand), which makes the mistake easy to
miss.

## Example
```python
from functools import lru_cache

from fastapi import APIRouter

router = APIRouter()


@lru_cache
@router.get("/settings")
def read_settings() -> dict[str, str]:
    return {"mode": "slow"}
```

## Use instead
```python
from functools import lru_cache

from fastapi import APIRouter

router = APIRouter()


@router.get("/settings")
@lru_cache
def read_settings() -> dict[str, str]:
    return {"mode": "slow"}
```

## Fix
Reorders the decorators so the route decorators are outermost (each group keeps its order). Unsafe: the
decorator now takes effect on requests, and FastAPI reads the signature of what it returns (a wrapper must
keep the signature with `functools.wraps`).

## Related
No equivalent in ruff or flake8-fastapi.

## See also
- https://fastapi.tiangolo.com/tutorial/first-steps/#define-a-path-operation-decorator
- https://docs.python.org/3/reference/compound_stmts.html#function-definitions
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...fixes import fix
from ...model.facts import FunctionInfo
from ..base import Context, Edit, Finding, Fix, Rule

# Decorators that only inform type checkers: harmless anywhere.
_TYPING_ONLY = frozenset(("typing.overload", "typing.final", "typing.no_type_check", "typing.override"))


def check(ctx: Context) -> Iterator[Finding]:
    module, project = ctx.module, ctx.project
    by_function: dict[int, tuple[FunctionInfo, set[int]]] = {}
    route_like_of: dict[int, set[int]] = {}  # id(handler) -> every route-like decorator index, one pass
    routers: dict[str | None, bool] = {}
    for site in module.routes:
        if site.handler is None:
            continue
        route_like_of.setdefault(id(site.handler), set()).add(site.decorator_index)
        if site.decorator_index < 0:
            continue
        if site.receiver not in routers:  # every route of a router names it: resolve it once
            routers[site.receiver] = project.object_for(site.receiver, module) is not None
        if not routers[site.receiver]:
            continue
        entry = by_function.setdefault(id(site.handler), (site.handler, set()))
        entry[1].add(site.decorator_index)
    for fn, route_indexes in by_function.values():
        decorators = fn.node.decorator_list
        lowest_route = max(route_indexes)
        route_like = route_like_of[id(fn)]
        above = [
            (i, d)
            for i, d in enumerate(decorators[:lowest_route])
            if i not in route_like and module.resolve(_callee(d), fn.scope) not in _TYPING_ONLY
        ]
        if not above:
            continue
        route_index = min(route_indexes)
        route_call = decorators[route_index]
        name = ast.unparse(_callee(route_call))
        fixed = _reorder(ctx, decorators, route_like)
        for _, deco in above:
            yield ctx.finding(
                deco,
                f"`@{ast.unparse(_callee(deco))}` is above `@{name}(...)`: the route registers `{fn.name}` "
                f"without it, so requests never go through it",
                fix=fixed,
            )


def _callee(deco: ast.expr) -> ast.expr:
    return deco.func if isinstance(deco, ast.Call) else deco


def _reorder(ctx: Context, decorators: list[ast.expr], route_like: set[int]) -> Fix | None:
    """Route decorators first, then the others, each group in its original order."""
    src = ctx.module.source
    order = [i for i in range(len(decorators)) if i in route_like]
    order += [i for i in range(len(decorators)) if i not in route_like]
    edits = [
        Edit(src.start(decorators[pos]), src.end(decorators[pos]), src.segment(decorators[i]))
        for pos, i in enumerate(order)
        if pos != i
    ]
    return fix("Put the route decorators outermost", *edits, unsafe=True) if edits else None


RULE = Rule(
    code="FPA108",
    name="decorator-above-route",
    summary="Decorator stacked above a route decorator: the route registers the undecorated function",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix="unsafe",
    scope="project",
)
