"""## What it does
Finds a path parameter (`{item_id}` in the route's path, its router's prefix or an `include_router`
prefix) that nothing receives: not the handler, not any of its dependencies (parameters, `Annotated` aliases,
decorator, router and app `dependencies=[...]`, imported dependency functions), not `Path(alias=...)`.

## Why is this bad?
FastAPI matches the URL but hands the value to nobody: the handler cannot tell `/items/1` from `/items/2`.
Usually the parameter was renamed on one side only. The analysis follows dependencies across files and stays
silent when one cannot be resolved, or when a dependency reads `request.path_params` itself.

## Example
```python
from fastapi import FastAPI

app = FastAPI()


@app.get("/items/{item_id}")
async def read_item(id: int):
    return {"id": id}
```

## Use instead
```python
from fastapi import FastAPI

app = FastAPI()


@app.get("/items/{item_id}")
async def read_item(item_id: int):
    return {"id": item_id}
```

## Fix
Adds the parameter to the handler (typed from the converter: `{n:int}` gives `n: int`, otherwise `str`).
Safe: the handler now receives the value it was ignoring. No fix is offered when a handler parameter looks
like a misspelling of the path parameter (FPA102 offers to rename it instead).

## Related
ruff `FAST003` (which reports false positives when the parameter is consumed through an `Annotated` alias or a
decorator-level dependency, and never checks router prefixes).

## See also
- https://fastapi.tiangolo.com/tutorial/path-params/
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...fixes import fix, insert_parameter
from ...model.facts import FunctionInfo
from ..base import Context, Finding, Rule
from ._binding import near_misses, unbound_parameters

_TYPES = {"int": "int", "float": "float", "uuid": "UUID", "path": "str", "str": "str", None: "str"}


def check(ctx: Context) -> Iterator[Finding]:
    for route in ctx.project.routes_of(ctx.module):
        if route.handler is None or route.handler_module is not ctx.module or route.path is None:
            continue
        unbound = unbound_parameters(ctx.project, route)
        if not unbound:  # nothing missing, or something we cannot see through: stay silent
            continue
        # Where FPA102 suggests renaming a misspelt parameter, adding one here would compete with its fix.
        renamed = near_misses(ctx.project, route, unbound)
        path_node = route.site.call.args[0] if route.site.call.args else route.keyword("path")
        anchor = path_node if path_node is not None else route.site.call
        for name, (converter, origin) in unbound.items():
            where = "" if origin == "path" else f" (from the prefix `{origin}`)"
            edit = insert_parameter(ctx.module, route.handler.node, f"{name}: {_TYPES.get(converter, 'str')}")
            offer = converter != "uuid" and name not in renamed and not _uses_name(route.handler, name)
            yield ctx.finding(
                anchor,
                f"Path parameter `{name}`{where} is not received by `{route.name}` or any of its dependencies",
                fix=fix(f"Add parameter `{name}` to `{route.name}`", edit) if offer else None,
            )


def _uses_name(fn: FunctionInfo, name: str) -> bool:
    """A local of that name already exists: adding the parameter could change what the body means."""
    return any(isinstance(n, ast.Name) and n.id == name for n in fn.walked)


RULE = Rule(
    code="FPA101",
    name="unbound-path-parameter",
    summary="Path parameter that neither the handler nor its dependencies receive",
    check=check,
    docs=__doc__ or "",
    default=True,
    fix="safe",
    scope="project",
    peers=("FAST003",),
)
